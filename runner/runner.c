/* runner/runner.c - build, advance and read out one replication. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/runner.h"
#include "sim/rng.h"

static app_delay delay_from_spec(const scn_delay *d)
{
	app_delay a = {APP_DELAY_FIXED, d->mean, d->stddev, d->min, d->max};
	switch (d->distribution) {
	case SCN_DIST_EXPONENTIAL:
		a.kind = APP_DELAY_EXPONENTIAL;
		break;
	case SCN_DIST_LOGNORMAL:
		a.kind = APP_DELAY_LOGNORMAL;
		break;
	case SCN_DIST_UNIFORM:
		a.kind = APP_DELAY_UNIFORM;
		break;
	case SCN_DIST_FIXED:
	default:
		a.kind = APP_DELAY_FIXED;
		break;
	}
	return a;
}

static lg_kind kind_from_spec(scn_workload_type t)
{
	switch (t) {
	case SCN_WL_CONSTANT_THROUGHPUT:
		return LG_CONSTANT_THROUGHPUT;
	case SCN_WL_CLOSED_LOOP:
		return LG_CLOSED_LOOP;
	case SCN_WL_CONNECTION_PER_REQUEST:
		return LG_CONNECTION_PER_REQUEST;
	case SCN_WL_OPEN_LOOP:
	default:
		return LG_OPEN_LOOP;
	}
}

static void on_warmup_end(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)sim;
	(void)arg;
	runner *r = ctx;
	for (size_t i = 0; i < r->nservices; i++)
		app_service_restart_stats(&r->services[i]);
}

static void append(char *buf, size_t len, const char *line)
{
	if (!buf || len == 0)
		return;
	size_t used = strlen(buf);
	snprintf(buf + used, len - used, "%s\n", line);
}

/* Parts of a scenario that this version accepts but does not model yet:
 * said out loud, so no one reads a result as covering them. */
static void note_unmodelled(const scenario *scn, char *warn, size_t warnlen)
{
	const scn_spec *sp = &scn->spec;
	char line[256];
	if (sp->mesh.mode != SCN_MESH_NONE) {
		snprintf(line, sizeof line, "spec.mesh.mode %s: the data-plane model is not built yet; "
		         "results are those of no mesh", scn_mesh_mode_name(sp->mesh.mode));
		append(warn, warnlen, line);
	}
	for (size_t i = 0; i < sp->n_services; i++)
		if (sp->services[i].n_calls) {
			snprintf(line, sizeof line, "spec.services[%zu].calls: downstream calls are not "
			         "modelled yet; ignored", i);
			append(warn, warnlen, line);
		}
	if (sp->n_churn)
		append(warn, warnlen, "spec.churn: churn is not modelled yet; ignored");
	if (sp->fidelity == SCN_FID_PER_FLOW)
		append(warn, warnlen, "spec.fidelity per-flow: not built yet; running per request");
}

int runner_build(runner *r, const scenario *scn, uint64_t seed, uint32_t replication,
                 char *err, size_t errlen, char *warn, size_t warnlen)
{
	memset(r, 0, sizeof(*r));
	const scn_spec *sp = &scn->spec;
	r->scn = scn;
	r->seed = seed;
	r->replication = replication;
	r->end = sp->duration;
	r->warmup_end = sp->warmup;
	if (warn && warnlen)
		warn[0] = '\0';
	note_unmodelled(scn, warn, warnlen);

	r->sim = sim_create(4096);
	r->services = calloc(sp->n_services ? sp->n_services : 1, sizeof(*r->services));
	r->workloads = calloc(sp->n_workloads ? sp->n_workloads : 1, sizeof(*r->workloads));
	if (!r->sim || !r->services || !r->workloads)
		goto oom;

	for (size_t i = 0; i < sp->n_services; i++) {
		const scn_service *svc = &sp->services[i];
		/* Streams are keyed by the service's name, not its position, so
		 * adding or reordering services leaves every other service's
		 * draws alone (common random numbers across variants). */
		uint64_t entity = sim_stream_hash((sim_stream_key){0, 0, svc->name, 0});
		if (app_service_init(&r->services[i], r->sim, svc->name, (int)svc->replicas,
		                     (int)svc->workers, delay_from_spec(&svc->service_time), seed,
		                     replication, entity) != 0)
			goto oom;
		r->nservices++;
	}
	for (size_t i = 0; i < sp->n_workloads; i++) {
		const scn_workload *w = &sp->workloads[i];
		runner_workload *rw = &r->workloads[i];
		rw->spec = w;
		for (size_t k = 0; k < sp->n_services; k++)
			if (!strcmp(sp->services[k].name, w->target))
				rw->target = &r->services[k];
		if (!rw->target) { /* the loader checks references; defensive */
			snprintf(err, errlen, "workload %s: unknown target %s", w->name, w->target);
			runner_free(r);
			return -1;
		}
		lg_config cfg = {0};
		cfg.kind = kind_from_spec(w->type);
		cfg.qps = w->qps;
		cfg.connections = (int)(w->type == SCN_WL_CLOSED_LOOP && w->concurrency > 0 ? w->concurrency
		                                                                           : w->connections);
		cfg.start = w->start;
		cfg.end = w->duration > 0 && w->start + w->duration < sp->duration ? w->start + w->duration
		                                                                   : sp->duration;
		cfg.timeout = w->timeout;
		cfg.warmup_end = sp->warmup;
		cfg.uniform = w->uniform;
		cfg.no_catchup = w->no_catchup;
		if (loadgen_init(&rw->gen, r->sim, &cfg, rw->target) != 0)
			goto oom;
		r->nworkloads++;
	}
	sim_schedule_at(r->sim, sp->warmup, SIM_CLASS_EARLY, on_warmup_end, r, 0);
	return 0;
oom:
	snprintf(err, errlen, "out of memory building the model");
	runner_free(r);
	return -1;
}

void runner_advance(runner *r, sim_time_t until)
{
	if (until > r->end)
		until = r->end;
	sim_run(r->sim, until);
}

void runner_finish(runner *r)
{
	if (r->finished)
		return;
	for (size_t i = 0; i < r->nworkloads; i++)
		loadgen_finish(&r->workloads[i].gen);
	r->finished = 1;
}

runner_workload_result *runner_workload_results(const runner *r)
{
	runner_workload_result *out = calloc(r->nworkloads ? r->nworkloads : 1, sizeof(*out));
	if (!out)
		return NULL;
	sim_time_t now = sim_now(r->sim);
	double window_s = sim_time_to_seconds(now - r->warmup_end);
	for (size_t i = 0; i < r->nworkloads; i++) {
		const runner_workload *rw = &r->workloads[i];
		out[i].name = rw->spec->name;
		out[i].target = rw->spec->target;
		out[i].kind = scn_workload_type_name(rw->spec->type);
		out[i].requested_qps = rw->spec->qps;
		out[i].connections = rw->gen.cfg.connections;
		out[i].window_s = window_s > 0 ? window_s : 0;
		out[i].throughput = window_s > 0 ? (double)rw->gen.stats.replies_in_window / window_s : 0;
		out[i].stats = &rw->gen.stats;
	}
	return out;
}

runner_service_result *runner_service_results(const runner *r)
{
	runner_service_result *out = calloc(r->nservices ? r->nservices : 1, sizeof(*out));
	if (!out)
		return NULL;
	sim_time_t now = sim_now(r->sim);
	for (size_t i = 0; i < r->nservices; i++) {
		const app_service *s = &r->services[i];
		out[i].name = s->name;
		out[i].replicas = s->replicas;
		out[i].workers = s->workers;
		out[i].completed = s->completed;
		out[i].busy_workers = app_service_busy_workers(s, now);
		int capacity = s->replicas * s->workers;
		out[i].utilization = capacity > 0 ? out[i].busy_workers / capacity : 0;
		out[i].mean_wait_ns = app_service_mean_wait_ns(s);
	}
	return out;
}

void runner_free(runner *r)
{
	for (size_t i = 0; i < r->nworkloads; i++)
		loadgen_free(&r->workloads[i].gen);
	for (size_t i = 0; i < r->nservices; i++)
		app_service_free(&r->services[i]);
	free(r->workloads);
	free(r->services);
	sim_destroy(r->sim);
	memset(r, 0, sizeof(*r));
}
