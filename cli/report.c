/* cli/report.c - text, JSON and Fortio-shaped results. See report.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/report.h"
#include "common/build_info.h"
#include "sim/stats.h"

/* fio's habit: percentiles at fixed points; Fortio's default -p list. */
static const double text_percentiles[] = {50, 90, 99, 99.9};
static const double fortio_percentiles[] = {50, 75, 90, 99, 99.9};

static double ns_to_ms(double ns) { return ns / 1e6; }

void report_text_run(FILE *out, const report_run *run)
{
	fprintf(out, "%s: replication %u/%u, seed %llu, config %.12s%s%s\n", run->scenario_name,
	        run->replication + 1, run->replications, (unsigned long long)run->seed,
	        run->config_hash, strcmp(run->status, "ok") ? ", " : "",
	        strcmp(run->status, "ok") ? run->status : "");
	for (size_t i = 0; i < run->nworkloads; i++) {
		const runner_workload_result *w = &run->workloads[i];
		const lg_stats *st = w->stats;
		const histogram *h = &st->latency;
		if (!strcmp(w->kind, "bulk")) {
			fprintf(out, "  %s: bulk -> %s, connections=%d, window=%.3fs\n", w->name,
			        w->target, w->connections, w->window_s);
			fprintf(out, "    throughput: %.3f Gbit/s (per flow: %d stream(s), each as fast "
			             "as its path allows)\n",
			        w->throughput_bps / 1e9, w->connections);
			fprintf(out, "    stream cpu: sender nodes %.4f cores, receiver nodes %.4f cores, "
			             "others %.4f cores\n",
			        w->client_node_cpu_cores, w->server_node_cpu_cores,
			        w->other_node_cpu_cores);
			continue;
		}
		fprintf(out, "  %s: %s -> %s, qps=", w->name, w->kind, w->target);
		if (w->requested_qps > 0)
			fprintf(out, "%g", w->requested_qps);
		else
			fprintf(out, "max");
		fprintf(out, ", connections=%d", w->connections);
		if (w->sampled_connections < w->connections)
			fprintf(out, " (%d as events, the rest per flow)", w->sampled_connections);
		fprintf(out, ", window=%.3fs\n", w->window_s);
		fprintf(out, "    requests: sent=%llu, ok=%llu, timeouts=%llu, failed=%llu, in-flight=%llu%s\n",
		        (unsigned long long)w->sent, (unsigned long long)w->ok,
		        (unsigned long long)w->timeouts, (unsigned long long)w->failed,
		        (unsigned long long)w->in_flight,
		        w->sampled_connections < w->connections ? " (the sample's, scaled)" : "");
		fprintf(out, "    throughput: %.1f req/s\n", w->throughput);
		if (h->count == 0) {
			fprintf(out, "    latency: no completed requests\n");
			continue;
		}
		if (w->sampled_connections < w->connections)
			fprintf(out, "    latency: of %llu requests run as events\n",
			        (unsigned long long)h->count);
		fprintf(out, "    lat (ms): min=%.3f, max=%.3f, avg=%.3f, stdev=%.3f\n",
		        ns_to_ms((double)h->min), ns_to_ms((double)h->max), ns_to_ms(hist_mean(h)),
		        ns_to_ms(hist_stddev(h)));
		fprintf(out, "    lat percentiles (ms):\n     |");
		for (size_t k = 0; k < sizeof(text_percentiles) / sizeof(text_percentiles[0]); k++)
			fprintf(out, " %6.2fth=[%9.3f]%s", text_percentiles[k],
			        ns_to_ms((double)hist_quantile(h, text_percentiles[k] / 100.0)),
			        k + 1 < sizeof(text_percentiles) / sizeof(text_percentiles[0]) ? "," : "\n");
	}
	for (size_t i = 0; i < run->nservices; i++) {
		const runner_service_result *s = &run->services[i];
		fprintf(out, "  service %s: %d pod(s) x %d workers, worker utilization %.1f%%, "
		             "mean queue wait %.3f ms, served %llu\n",
		        s->name, s->replicas, s->workers, 100.0 * s->utilization,
		        ns_to_ms(s->mean_wait_ns), (unsigned long long)s->completed);
	}
	for (size_t i = 0; i < run->ncomponents; i++) {
		const runner_component_result *k = &run->components[i];
		if (k->instances == 0)
			continue;
		fprintf(out, "  %s %s: %d instance(s), cpu user=%.4f kernel=%.4f cores "
		             "(dashboard %.4f), memory %.1f MiB\n",
		        run->mesh, k->name, k->instances, k->user_cores, k->kernel_cores,
		        k->dashboard_cores, k->memory_bytes / (1024.0 * 1024.0));
	}
	fprintf(out, "  run: %llu events in %.3f s wall (%.2f M events/s), simulated %.3f s\n",
	        (unsigned long long)run->events, run->wall_s,
	        run->wall_s > 0 ? (double)run->events / run->wall_s / 1e6 : 0.0, run->sim_end_s);
	if (run->db_uuid)
		fprintf(out, "  stored as run %s\n", run->db_uuid);
}

/* With no completed request, every statistic is null (not 0 s). */
static json_t *latency_json(const histogram *h)
{
	if (h->count == 0)
		return json_pack("{s:s, s:I, s:n, s:n, s:n, s:n, s:n}", "unit", "s", "count",
		                 (json_int_t)0, "min", "max", "mean", "stddev", "percentiles");
	json_t *pct = json_object();
	for (size_t k = 0; k < sizeof(text_percentiles) / sizeof(text_percentiles[0]); k++) {
		char key[16];
		snprintf(key, sizeof key, "%g", text_percentiles[k]);
		json_object_set_new(pct, key, json_real((double)hist_quantile(h, text_percentiles[k] / 100.0) / 1e9));
	}
	return json_pack("{s:s, s:I, s:f, s:f, s:f, s:f, s:o}", "unit", "s", "count",
	                 (json_int_t)h->count, "min", (double)h->min / 1e9, "max",
	                 (double)h->max / 1e9, "mean", hist_mean(h) / 1e9, "stddev",
	                 hist_stddev(h) / 1e9, "percentiles", pct);
}

json_t *report_json_run(const report_run *run)
{
	json_t *wl = json_array();
	for (size_t i = 0; i < run->nworkloads; i++) {
		const runner_workload_result *w = &run->workloads[i];
		const lg_stats *st = w->stats;
		json_array_append_new(
			wl, json_pack("{s:s, s:s, s:s, s:f, s:i, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:o}",
			              "name", w->name, "kind", w->kind, "target", w->target,
			              "requested_qps", w->requested_qps, "connections", w->connections,
			              "window_s", w->window_s, "throughput", w->throughput, "sent",
			              (json_int_t)w->sent, "ok", (json_int_t)w->ok, "timeouts",
			              (json_int_t)w->timeouts, "failed", (json_int_t)w->failed,
			              "in_flight", (json_int_t)w->in_flight, "latency",
			              latency_json(&st->latency)));
		json_t *last = json_array_get(wl, json_array_size(wl) - 1);
		json_object_set_new(last, "sampled_connections", json_integer(w->sampled_connections));
		if (!strcmp(w->kind, "bulk")) {
			json_object_set_new(last, "throughput_bps", json_real(w->throughput_bps));
			json_object_set_new(last, "client_node_cpu_cores",
			                    json_real(w->client_node_cpu_cores));
			json_object_set_new(last, "server_node_cpu_cores",
			                    json_real(w->server_node_cpu_cores));
			json_object_set_new(last, "other_node_cpu_cores",
			                    json_real(w->other_node_cpu_cores));
		}
	}
	json_t *svc = json_array();
	for (size_t i = 0; i < run->nservices; i++) {
		const runner_service_result *s = &run->services[i];
		json_array_append_new(svc, json_pack("{s:s, s:i, s:i, s:I, s:f, s:f, s:f}", "name",
		                                     s->name, "replicas", s->replicas, "workers",
		                                     s->workers, "served", (json_int_t)s->completed,
		                                     "busy_workers", s->busy_workers, "utilization",
		                                     s->utilization, "mean_queue_wait_s",
		                                     s->mean_wait_ns / 1e9));
	}
	json_t *comp = json_array();
	for (size_t i = 0; i < run->ncomponents; i++) {
		const runner_component_result *k = &run->components[i];
		json_array_append_new(comp, json_pack("{s:s, s:i, s:b, s:f, s:f, s:f, s:f, s:f, s:f}",
		                                      "name", k->name, "instances", k->instances,
		                                      "user_space", k->user_space, "cpu_user_cores",
		                                      k->user_cores, "cpu_kernel_cores", k->kernel_cores,
		                                      "cpu_dashboard_cores", k->dashboard_cores,
		                                      "memory_bytes", k->memory_bytes, "hops_per_s",
		                                      k->hops_per_s, "wakeups_per_s", k->wakeups_per_s));
	}
	json_t *o = json_pack("{s:s, s:s, s:I, s:i, s:s, s:I, s:f, s:f, s:o, s:o}", "scenario",
	                      run->scenario_name, "config_hash", run->config_hash, "seed",
	                      (json_int_t)run->seed, "replication", (int)run->replication, "status",
	                      run->status, "events", (json_int_t)run->events, "wall_s", run->wall_s,
	                      "sim_end_s", run->sim_end_s, "workloads", wl, "services", svc);
	json_object_set_new(o, "mesh", json_string(run->mesh ? run->mesh : ""));
	json_object_set_new(o, "fidelity", json_string(run->fidelity ? run->fidelity : ""));
	json_object_set_new(o, "components", comp);
	if (run->db_uuid)
		json_object_set_new(o, "run_uuid", json_string(run->db_uuid));
	return o;
}

/* Fortio's HistogramData: times in seconds, Data buckets with cumulative
 * percent, Percentiles list. */
static json_t *fortio_histogram(const histogram *h)
{
	json_t *data = json_array();
	uint64_t seen = 0;
	for (uint32_t i = 0; i < h->nbuckets; i++) {
		if (!h->counts[i])
			continue;
		int64_t lo, hi;
		hist_bucket_range(i, &lo, &hi);
		seen += h->counts[i];
		json_array_append_new(data, json_pack("{s:f, s:f, s:f, s:I}", "Start", (double)lo / 1e9,
		                                      "End", (double)(hi + 1) / 1e9, "Percent",
		                                      100.0 * (double)seen / (double)h->count, "Count",
		                                      (json_int_t)h->counts[i]));
	}
	json_t *pct = json_array();
	for (size_t k = 0; k < sizeof(fortio_percentiles) / sizeof(fortio_percentiles[0]); k++)
		json_array_append_new(pct, json_pack("{s:f, s:f}", "Percentile", fortio_percentiles[k],
		                                     "Value",
		                                     (double)hist_quantile(h, fortio_percentiles[k] / 100.0) / 1e9));
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:o, s:o}", "Count", (json_int_t)h->count,
	                 "Min", h->count ? (double)h->min / 1e9 : 0.0, "Max", (double)h->max / 1e9,
	                 "Sum", h->sum / 1e9, "Avg", hist_mean(h) / 1e9, "StdDev",
	                 hist_stddev(h) / 1e9, "Data", data, "Percentiles", pct);
}

void report_fortio_run(json_t *array, const report_run *run)
{
	char start[64];
	time_t t = (time_t)run->start_unix;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < run->nworkloads; i++) {
		const runner_workload_result *w = &run->workloads[i];
		const lg_stats *st = w->stats;
		char qps[32], dur[32], labels[256], retcode_ok[8] = "200";
		if (w->requested_qps > 0)
			snprintf(qps, sizeof qps, "%g", w->requested_qps);
		else
			snprintf(qps, sizeof qps, "max");
		snprintf(dur, sizeof dur, "%gs", w->window_s);
		snprintf(labels, sizeof labels, "meshsim %s %s replication %u%s", run->scenario_name,
		         w->name, run->replication,
		         w->sampled_connections < w->connections
		                 ? " (per flow: counts and histogram of the sampled connections)"
		                 : "");
		json_t *codes = json_object();
		/* As in Fortio's own files, the return codes count the requests
		 * of the duration histogram: per flow, the sampled ones. */
		json_object_set_new(codes, retcode_ok, json_integer((json_int_t)st->ok));
		if (st->timeouts + st->failed)
			json_object_set_new(codes, "-1", json_integer((json_int_t)(st->timeouts + st->failed)));
		json_t *o = json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:f, s:I, s:i, s:s, s:b, s:b, s:s, s:o, s:o, s:I, s:s}",
			"RunType", "HTTP", "Labels", labels, "StartTime", start, "RequestedQPS", qps,
			"RequestedDuration", dur, "ActualQPS", w->throughput, "ActualDuration",
			(json_int_t)llround(w->window_s * 1e9), "NumThreads", w->connections, "Version",
			"meshsim-" MESHSIM_VERSION, "Uniform", 0, "NoCatchUp", 0, "URL", w->target,
			"DurationHistogram", fortio_histogram(&st->latency), "RetCodes", codes,
			"SocketCount", (json_int_t)w->connections, "RunID", run->config_hash);
		json_array_append_new(array, o);
	}
}

const char *const report_metric_names[REPORT_NMETRICS] = {
	"throughput_rps", "latency_mean_s", "latency_p50_s", "latency_p90_s", "latency_p99_s",
	"latency_p999_s"};

void report_metrics_of(const runner_workload_result *w, double out[REPORT_NMETRICS])
{
	const histogram *h = &w->stats->latency;
	out[0] = w->throughput;
	out[1] = hist_mean(h) / 1e9;
	out[2] = (double)hist_quantile(h, 0.50) / 1e9;
	out[3] = (double)hist_quantile(h, 0.90) / 1e9;
	out[4] = (double)hist_quantile(h, 0.99) / 1e9;
	out[5] = (double)hist_quantile(h, 0.999) / 1e9;
}

static ci metric_ci(const double *values, size_t nworkloads, size_t w, size_t m, size_t nreps)
{
	double *x = malloc((nreps ? nreps : 1) * sizeof(*x));
	for (size_t r = 0; r < nreps; r++)
		x[r] = values[(r * nworkloads + w) * REPORT_NMETRICS + m];
	ci c = ci_student_t(x, nreps, 0.95);
	free(x);
	return c;
}

void report_text_summary(FILE *out, const char *const *workload_names, size_t nworkloads,
                         const double *values, size_t nreps)
{
	fprintf(out, "summary over %zu replications (mean +- 95%% Student-t half-width):\n", nreps);
	for (size_t w = 0; w < nworkloads; w++) {
		fprintf(out, "  %s:\n", workload_names[w]);
		for (size_t m = 0; m < REPORT_NMETRICS; m++) {
			ci c = metric_ci(values, nworkloads, w, m, nreps);
			double scale = m == 0 ? 1.0 : 1e3; /* latencies in ms */
			fprintf(out, "    %-16s %12.4f +- %.4f %s\n", report_metric_names[m], c.mean * scale,
			        c.half_width * scale, m == 0 ? "req/s" : "ms");
		}
	}
}

json_t *report_json_summary(const char *const *workload_names, size_t nworkloads,
                            const double *values, size_t nreps)
{
	json_t *o = json_object();
	for (size_t w = 0; w < nworkloads; w++) {
		json_t *wm = json_object();
		for (size_t m = 0; m < REPORT_NMETRICS; m++) {
			ci c = metric_ci(values, nworkloads, w, m, nreps);
			json_object_set_new(wm, report_metric_names[m],
			                    json_pack("{s:f, s:o, s:I}", "mean", c.mean, "ci95_half_width",
			                              isnan(c.half_width) ? json_null() : json_real(c.half_width),
			                              "n", (json_int_t)nreps));
		}
		json_object_set_new(o, workload_names[w], wm);
	}
	return o;
}
