/*
 * tests/sim/test_queueing.c - the engine and resources against queueing
 * theory: M/M/1 and M/M/c mean waits (Erlang C) and the M/G/1-PS mean
 * response time E[S] / (1 - rho), each inside the 99 % Student-t interval
 * of 10 independent replications; and determinism: the same seed gives the
 * same event trace, another seed a different one.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "sim/engine.h"
#include "sim/resource.h"
#include "sim/rng.h"
#include "sim/queueing.h"
#include "sim/stats.h"

#define REPLICATIONS 10

typedef enum { SERVICE_EXP, SERVICE_LOGNORMAL } service_kind;

typedef struct model {
	sim_t *sim;
	int use_ps;
	fcfs_resource fcfs;
	ps_resource ps;
	gsl_rng *arrivals, *service;
	double mean_interarrival_ns, mean_service_ns;
	service_kind kind;
	tally response;      /* ns, jobs submitted after warm-up */
	sim_time_t warmup;
	uint64_t trace_hash; /* FNV-1a over (time, kind) of every event */
} model;

typedef struct job_rec {
	res_job job;
	model *m;
} job_rec;

static void trace(model *m, uint64_t what)
{
	uint64_t v = (uint64_t)sim_now(m->sim) * 31 + what;
	for (int i = 0; i < 8; i++) {
		m->trace_hash ^= (v >> (8 * i)) & 0xff;
		m->trace_hash *= UINT64_C(0x100000001b3);
	}
}

static void on_done(sim_t *sim, res_job *job)
{
	job_rec *rec = (job_rec *)job;
	model *m = rec->m;
	trace(m, 2);
	if (job->submitted >= m->warmup)
		tally_add(&m->response, (double)(sim_now(sim) - job->submitted));
	free(rec);
}

static void on_arrival(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)arg;
	model *m = ctx;
	trace(m, 1);
	job_rec *rec = calloc(1, sizeof(*rec));
	rec->m = m;
	double s;
	if (m->kind == SERVICE_EXP) {
		s = gsl_ran_exponential(m->service, m->mean_service_ns);
	} else {
		/* lognormal with the same mean, sigma 1: mu = ln(mean) - 1/2 */
		s = gsl_ran_lognormal(m->service, log(m->mean_service_ns) - 0.5, 1.0);
	}
	rec->job.user_ns = (int64_t)llround(s * 0.75);
	rec->job.kernel_ns = (int64_t)llround(s * 0.25);
	rec->job.done = on_done;
	if (m->use_ps)
		ps_submit(&m->ps, &rec->job);
	else
		fcfs_submit(&m->fcfs, &rec->job);
	sim_schedule(sim, (sim_time_t)llround(gsl_ran_exponential(m->arrivals, m->mean_interarrival_ns)),
	             on_arrival, m, 0);
}

typedef struct outcome {
	double mean_wait_ns;     /* FCFS: mean wait in queue */
	double mean_response_ns; /* submit to done */
	double busy_fraction;    /* busy work / (servers x time) */
	uint64_t trace_hash;
} outcome;

static outcome simulate(int use_ps, int servers, double lambda_per_ms, service_kind kind,
                        uint64_t seed, uint32_t replication, sim_time_t duration)
{
	model m = {0};
	m.sim = sim_create(0);
	m.use_ps = use_ps;
	if (use_ps)
		ps_init(&m.ps, m.sim, servers, 1.0);
	else
		fcfs_init(&m.fcfs, m.sim, servers, 1.0);
	m.arrivals = sim_stream_new((sim_stream_key){seed, replication, "arrivals", 0});
	m.service = sim_stream_new((sim_stream_key){seed, replication, "service", 0});
	m.mean_interarrival_ns = 1e6 / lambda_per_ms;
	m.mean_service_ns = 1e6;
	m.kind = kind;
	m.warmup = duration / 10;
	m.trace_hash = UINT64_C(0xcbf29ce484222325);
	tally_init(&m.response);

	sim_schedule(m.sim, 0, on_arrival, &m, 0);
	sim_run(m.sim, m.warmup);
	res_busy b0 = use_ps ? ps_busy(&m.ps) : fcfs_busy(&m.fcfs);
	if (!use_ps)
		fcfs_restart_stats(&m.fcfs);
	sim_run(m.sim, duration);
	res_busy b1 = use_ps ? ps_busy(&m.ps) : fcfs_busy(&m.fcfs);

	outcome o;
	o.mean_wait_ns = use_ps ? NAN : m.fcfs.wait.mean;
	o.mean_response_ns = m.response.mean;
	o.busy_fraction = (b1.user_ns + b1.kernel_ns - b0.user_ns - b0.kernel_ns) /
	                  ((double)servers * (double)(duration - m.warmup));
	o.trace_hash = m.trace_hash;

	/* Jobs still in the system are freed with the model. */
	if (use_ps) {
		for (uint32_t i = 0; i < m.ps.n; i++)
			free(m.ps.heap[i]);
		ps_free(&m.ps);
	} else {
		for (int i = 0; i < servers; i++)
			free(m.fcfs.in_service[i]);
		for (res_job *j = m.fcfs.head; j;) {
			res_job *next = j->next;
			free(j);
			j = next;
		}
		fcfs_free(&m.fcfs);
	}
	gsl_rng_free(m.arrivals);
	gsl_rng_free(m.service);
	sim_destroy(m.sim);
	return o;
}

/* Erlang C: probability of waiting in M/M/c with offered load a = lambda/mu. */
static double erlang_c(int c, double a)
{
	double sum = 0;
	for (int k = 0; k < c; k++)
		sum += pow(a, k) / gsl_sf_fact((unsigned)k);
	double top = pow(a, c) / gsl_sf_fact((unsigned)c) * c / (c - a);
	return top / (sum + top);
}

static void check_mmc(int servers, double lambda_per_ms)
{
	double waits[REPLICATIONS], busy[REPLICATIONS];
	for (uint32_t r = 0; r < REPLICATIONS; r++) {
		outcome o = simulate(0, servers, lambda_per_ms, SERVICE_EXP, 2024, r, 200 * SIM_S);
		waits[r] = o.mean_wait_ns / 1e6;
		busy[r] = o.busy_fraction;
	}
	double a = lambda_per_ms; /* mu = 1 per ms */
	double wait_prob, idle_prob;
	mmc_probabilities(servers, a, &wait_prob, &idle_prob);
	assert_true(fabs(wait_prob - erlang_c(servers, a)) < 1e-12); /* the library's */
	double expected = wait_prob / (servers - a); /* ms */
	ci c = ci_student_t(waits, REPLICATIONS, 0.99);
	print_message("M/M/%d rho=%.2f: Wq %.4f ms +- %.4f, Erlang C %.4f ms\n", servers,
	              a / servers, c.mean, c.half_width, expected);
	assert_true(fabs(c.mean - expected) <= c.half_width);
	assert_true(c.half_width < 0.1 * expected); /* the interval is informative */
	ci u = ci_student_t(busy, REPLICATIONS, 0.99);
	assert_true(fabs(u.mean - a / servers) <= u.half_width + 1e-9);
}

/* The library's M/M/c probabilities against the textbook sums, and for many
 * servers, where a^c / c! alone would overflow. */
static void test_mmc_probabilities(void **state)
{
	(void)state;
	double w, p0;
	mmc_probabilities(1, 0.5, &w, &p0); /* M/M/1: P(wait) = rho, P0 = 1 - rho */
	assert_true(fabs(w - 0.5) < 1e-12 && fabs(p0 - 0.5) < 1e-12);
	mmc_probabilities(3, 2.0, &w, &p0);
	double sum = 1 + 2.0 + 2.0; /* a^0/0! + a^1/1! + a^2/2! */
	double top = 8.0 / 6.0 * 3.0 / (3.0 - 2.0);
	assert_true(fabs(w - top / (sum + top)) < 1e-12);
	assert_true(fabs(p0 - 1.0 / (sum + top)) < 1e-12);
	assert_true(fabs(w - erlang_c(3, 2.0)) < 1e-12);
	mmc_probabilities(1000, 950.0, &w, &p0);
	assert_true(w > 0 && w < 1 && isfinite(w) && p0 >= 0 && p0 < 1e-100);
	/* many servers, little load: P0 close to e^-a, nothing waits */
	mmc_probabilities(64, 6.4e-5, &w, &p0);
	assert_true(isfinite(p0) && fabs(p0 - exp(-6.4e-5)) < 1e-12 && w < 1e-100);
	mmc_probabilities(200, 2.0, &w, &p0);
	assert_true(isfinite(p0) && fabs(p0 - exp(-2.0)) < 1e-12);
	mmc_probabilities(1000, 10.0, &w, &p0);
	assert_true(isfinite(p0) && fabs(p0 - exp(-10.0)) < 1e-15);
	mmc_probabilities(4, 0.0, &w, &p0);
	assert_true(w == 0 && p0 == 1);
	mmc_probabilities(4, 4.0, &w, &p0); /* saturated */
	assert_true(w == 1 && p0 == 0);
	mmc_probabilities(4, 5.0, &w, &p0);
	assert_true(w == 1 && p0 == 0);
}

static void test_mm1_mean_wait(void **state)
{
	(void)state;
	check_mmc(1, 0.7);
}

static void test_mmc_mean_wait_erlang_c(void **state)
{
	(void)state;
	check_mmc(3, 2.4);
}

static void test_mg1_ps_mean_response(void **state)
{
	(void)state;
	double resp[REPLICATIONS];
	double rho = 0.6;
	for (uint32_t r = 0; r < REPLICATIONS; r++)
		resp[r] = simulate(1, 1, rho, SERVICE_LOGNORMAL, 77, r, 200 * SIM_S).mean_response_ns / 1e6;
	double expected = 1.0 / (1.0 - rho); /* E[S] = 1 ms; insensitive to the distribution */
	ci c = ci_student_t(resp, REPLICATIONS, 0.99);
	print_message("M/G/1-PS rho=%.2f: T %.4f ms +- %.4f, theory %.4f ms\n", rho, c.mean,
	              c.half_width, expected);
	assert_true(fabs(c.mean - expected) <= c.half_width);
	assert_true(c.half_width < 0.1 * expected);
}

static void test_same_seed_same_trace(void **state)
{
	(void)state;
	outcome a = simulate(0, 2, 1.5, SERVICE_EXP, 5, 0, 5 * SIM_S);
	outcome b = simulate(0, 2, 1.5, SERVICE_EXP, 5, 0, 5 * SIM_S);
	outcome c = simulate(0, 2, 1.5, SERVICE_EXP, 6, 0, 5 * SIM_S);
	outcome d = simulate(0, 2, 1.5, SERVICE_EXP, 5, 1, 5 * SIM_S);
	assert_int_equal(a.trace_hash, b.trace_hash);
	assert_true(a.mean_wait_ns == b.mean_wait_ns);
	assert_int_not_equal(a.trace_hash, c.trace_hash);
	assert_int_not_equal(a.trace_hash, d.trace_hash);
	outcome p1 = simulate(1, 2, 1.5, SERVICE_LOGNORMAL, 5, 0, 5 * SIM_S);
	outcome p2 = simulate(1, 2, 1.5, SERVICE_LOGNORMAL, 5, 0, 5 * SIM_S);
	assert_int_equal(p1.trace_hash, p2.trace_hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmc_probabilities),
		cmocka_unit_test(test_mm1_mean_wait),
		cmocka_unit_test(test_mmc_mean_wait_erlang_c),
		cmocka_unit_test(test_mg1_ps_mean_response),
		cmocka_unit_test(test_same_seed_same_trace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
