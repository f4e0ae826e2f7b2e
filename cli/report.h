/*
 * cli/report.h - printing run results: text (fio/Fortio-like summary),
 * JSON (the same content), and fortio-json (Fortio's result file shape, so
 * scripts written for real Fortio runs read simulated ones).
 */
#ifndef MESHSIM_CLI_REPORT_H
#define MESHSIM_CLI_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "runner/runner.h"

typedef enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_FORTIO } report_format;

/* What one finished (or interrupted) replication produced. */
typedef struct report_run {
	const char *scenario_name;
	const char *config_hash;
	uint64_t seed;
	uint32_t replication;
	uint32_t replications;
	const char *status;       /* "ok", "interrupted" */
	uint64_t events;
	double wall_s;
	double sim_end_s;
	double start_unix;        /* wall clock at the start, for Fortio's StartTime */
	const char *db_uuid;      /* NULL when not stored */
	const runner_workload_result *workloads;
	size_t nworkloads;
	const runner_service_result *services;
	size_t nservices;
	const char *mesh;         /* mesh profile name */
	const char *fidelity;     /* the fidelity it ran at: per-request, per-flow */
	const runner_component_result *components;
	size_t ncomponents;
} report_run;

/* Text: printed as each replication finishes. */
void report_text_run(FILE *out, const report_run *run);

/* JSON: one object per replication, collected into an array by the caller. */
json_t *report_json_run(const report_run *run);
/* Fortio-shaped objects, one per workload, appended to `array`. */
void report_fortio_run(json_t *array, const report_run *run);

/* Across replications: mean and 95 % Student-t half-width of each
 * workload's throughput and latency percentiles. values[r][m] holds metric
 * m of replication r for workload w, in the order of report_metric_names. */
#define REPORT_NMETRICS 6
extern const char *const report_metric_names[REPORT_NMETRICS];
void report_metrics_of(const runner_workload_result *w, double out[REPORT_NMETRICS]);
void report_text_summary(FILE *out, const char *const *workload_names, size_t nworkloads,
                         const double *values, size_t nreps);
json_t *report_json_summary(const char *const *workload_names, size_t nworkloads,
                            const double *values, size_t nreps);

#endif
