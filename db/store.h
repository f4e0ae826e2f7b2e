/*
 * db/store.h - the SQLite results store. Only db/ touches SQLite.
 *
 * A database holds runs (schema in db/schema.sql). Each run is written in
 * one transaction: store_run_begin() opens it, the store_add_*() calls add
 * rows, store_run_commit() makes the whole run visible at once and
 * store_run_abort() drops it. A process killed in between leaves nothing:
 * SQLite rolls the transaction back the next time the file is opened.
 *
 * Errors: every function that can fail returns 0 or a process exit status
 * from cli/exit_codes.h (73 EXIT_CANTCREAT: the database cannot be created
 * or opened for writing; 74 EXIT_IOERR: writing failed - locked, full, I/O
 * error), and keeps a one-line message in store_errmsg(). After a failed
 * store_add_*() the run is poisoned: later adds do nothing and
 * store_run_commit() rolls back and returns the first error, so a caller
 * may check only the commit.
 *
 * Interruption: a SIGINT/SIGTERM handler must only set a flag. The run
 * loop stops the engine, then writes the run with STORE_INTERRUPTED (its
 * partial results are kept but excluded from confidence intervals), and
 * the process exits 130. Finished runs were committed earlier.
 *
 * Example, one run:
 *
 *	char err[256]; int code;
 *	ms_store *st = store_open("results.db", err, sizeof err, &code);
 *	if (!st) { fprintf(stderr, "meshsim: %s\n", err); return code; }
 *	store_run_meta m = { .scenario_name = "default", .config_json = json,
 *	                     .seed = 42, .replication = 0, .started_at = t0 };
 *	ms_run *r = store_run_begin(st, &m);     // NULL: see store_errmsg(st)
 *	store_add_param(r, "qps", "1000");
 *	store_add_stat(r, "client", "", "latency", "s", 1e-9, &lat_hist_ns);
 *	store_add_scalar(r, "client", "", "throughput", 998.7, "1/s");
 *	store_add_cost(r, "istio-proxy", 1.5, 0.25, 0.07, "aws-2025");
 *	store_add_verdict(r, "p99<=250ms", 1, "met", 0.181, 0.250, NULL);
 *	code = store_run_commit(r, STORE_OK, NULL, events, wall_s);
 *	store_close(st);
 */
#ifndef MESHSIM_DB_STORE_H
#define MESHSIM_DB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/histogram.h"
#include "sim/stats.h"

#define STORE_APPLICATION_ID 0x6D657368 /* 'mesh' */
#define STORE_SCHEMA_VERSION 1
#define STORE_BUSY_TIMEOUT_MS 5000      /* env MESHSIM_DB_BUSY_TIMEOUT_MS overrides */

/* Names the v_kpi view reads (entity_kind "client", entity ""). */
#define STORE_KPI_KIND "client"
#define STORE_KPI_LATENCY "latency"       /* stat, unit s */
#define STORE_KPI_THROUGHPUT "throughput" /* scalar, unit 1/s */
#define STORE_KPI_ERRORS "errors"         /* scalar, count */

typedef struct ms_store ms_store;
typedef struct ms_run ms_run;

typedef enum store_status { STORE_OK, STORE_FAILED, STORE_INTERRUPTED } store_status;

/* Opens path for writing, creating the file and the schema if needed.
 * Refuses a file that is not a meshsim database (other application id,
 * newer schema, not SQLite at all), a read-only file or directory and a
 * database locked for longer than the busy timeout. Returns NULL with a
 * message in err and the exit status in *exit_code. */
ms_store *store_open(const char *path, char *err, size_t errlen, int *exit_code);
void store_close(ms_store *st);
const char *store_errmsg(const ms_store *st);
void store_set_busy_timeout(ms_store *st, int ms);

/* Run metadata. NULL strings and zero times take the defaults shown. */
typedef struct store_run_meta {
	const char *uuid;          /* NULL: a new random (v4) UUID */
	const char *scenario_name; /* required */
	const char *experiment;    /* sweep or study name, optional */
	const char *config_json;   /* canonical resolved config, required */
	const char *config_hash;   /* NULL: SHA-256 hex of config_json. Must not
	                            * depend on the replication index: runs with
	                            * the same hash are replications of a point. */
	uint64_t seed;             /* master seed */
	uint32_t replication;
	const char *seed_policy;   /* "common" | "independent", optional */
	const char *rng;           /* generator name, optional */
	const char *tool_version;  /* NULL: MESHSIM_VERSION (common/build_info.h) */
	const char *git_rev;       /* NULL: build_git_rev() */
	const char *build_flags;   /* NULL: build_flags() */
	const char *host;          /* NULL: gethostname() */
	double started_at;         /* Unix time, s; 0: now */
	double sim_end_s;          /* simulated time at the end, s */
	double warmup_s;           /* warm-up deleted, s */
} store_run_meta;

/* 1 if an ok run of this point (config_hash; NULL: SHA-256 of config_json),
 * seed and replication is stored, 0 if not, -1 on error: for --missing-only. */
int store_has_run(ms_store *st, const char *config_hash, const char *config_json,
                  uint64_t seed, uint32_t replication);

/* Starts the transaction of one run (BEGIN IMMEDIATE; waits up to the busy
 * timeout for another writer). Returns NULL on error (store_errmsg()).
 * One run at a time per store. */
ms_run *store_run_begin(ms_store *st, const store_run_meta *m);
/* The run's id in this database, and its UUID. */
int64_t store_run_id(const ms_run *r);
const char *store_run_uuid(const ms_run *r);

/* Sweep factor; value_num is set when value parses fully as a number. */
int store_add_param(ms_run *r, const char *name, const char *value);
int store_add_attr(ms_run *r, const char *name, const char *value);
/* entity_kind and entity may be NULL (stored as ""). NaN is stored as NULL. */
int store_add_scalar(ms_run *r, const char *entity_kind, const char *entity,
                     const char *name, double value, const char *unit);
/* A distribution from a histogram of raw integer values; `scale` converts
 * them into `unit` (1e-9 for a histogram in ns stored in "s"). Stores count,
 * sum, sumsq, min, max, mean, stddev, p50, p90, p99, p99.9 (scaled) and the
 * hist_encode() blob. */
int store_add_stat(ms_run *r, const char *entity_kind, const char *entity,
                   const char *name, const char *unit, double scale, const histogram *h);
/* A distribution without histogram: count, mean, stddev, min, max. */
int store_add_tally(ms_run *r, const char *entity_kind, const char *entity,
                    const char *name, const char *unit, const tally *t);
/* A time series: n points (t_s[i] window start in s, value[i]). */
int store_add_series(ms_run *r, const char *entity_kind, const char *entity,
                     const char *name, const char *unit, double window_s,
                     const double *t_s, const double *value, size_t n);
/* A sim/stats.h windowed series: one point per window, t_s = window start
 * in s, value = the window's sum (STORE_WINDOW_SUM), sum per second of
 * window (STORE_WINDOW_RATE: requests/s, CPU utilisation from busy s) or
 * mean of the values added (STORE_WINDOW_MEAN; NULL for an empty window). */
typedef enum store_window_value {
	STORE_WINDOW_SUM, STORE_WINDOW_RATE, STORE_WINDOW_MEAN
} store_window_value;
int store_add_windows(ms_run *r, const char *entity_kind, const char *entity,
                      const char *name, const char *unit, const series *s,
                      store_window_value how);
int store_add_cost(ms_run *r, const char *component, double vcpu_h, double gib_h,
                   double usd, const char *price_sheet);
/* evidence: JSON text or NULL. */
int store_add_verdict(ms_run *r, const char *name, int passed, const char *outcome,
                      double value, double threshold, const char *evidence);

/* Sets status, error text (NULL if none), events, wall time (s; < 0: from
 * started_at to now) and finished_at = now, and commits. Frees r in every
 * case. Returns 0 or an exit status; on error nothing of the run remains. */
int store_run_commit(ms_run *r, store_status status, const char *error,
                     int64_t events, double wall_s);
/* Rolls the run back and frees r. */
void store_run_abort(ms_run *r);

/* Merges the runs of each input database into out_path (created if
 * missing). Runs are matched by UUID: a run already in out is skipped, so
 * merging the same input twice adds nothing. Each input is merged in one
 * transaction. Returns 0 or an exit status (66 missing input, 65 input not
 * a meshsim database, 73/74 output errors) with a message in err. *added
 * and *skipped (may be NULL) count runs. */
int store_merge(const char *out_path, const char *const *in_paths, size_t n,
                size_t *added, size_t *skipped, char *err, size_t errlen);

/* For tests and db/ internals only: the underlying sqlite3 handle. */
struct sqlite3 *store_sqlite(ms_store *st);

#endif
