/* models/app.c - application services. See app.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/app.h"
#include "sim/queueing.h"
#include "sim/rng.h"

int app_service_init(app_service *s, sim_t *sim, const char *name, int replicas,
                     int workers, app_delay delay, uint64_t seed, uint32_t replication, uint64_t entity)
{
	memset(s, 0, sizeof(*s));
	if (replicas < 0 || workers < 1)
		return -1;
	s->name = name;
	s->replicas = replicas;
	s->workers = workers;
	s->delay = delay;
	s->sim = sim;
	s->rng = sim_stream_new((sim_stream_key){seed, replication, "service-time", entity});
	s->wait_rng = sim_stream_new((sim_stream_key){seed, replication, "fluid-wait", entity});
	s->pods = calloc(replicas > 0 ? (size_t)replicas : 1, sizeof(*s->pods));
	if (!s->rng || !s->wait_rng || !s->pods)
		goto fail;
	for (int i = 0; i < replicas; i++)
		if (fcfs_init(&s->pods[i].workers, sim, workers, 1.0) != 0)
			goto fail;
	return 0;
fail:
	app_service_free(s);
	return -1;
}

void app_service_free(app_service *s)
{
	if (s->pods)
		for (int i = 0; i < s->replicas; i++)
			fcfs_free(&s->pods[i].workers);
	free(s->pods);
	if (s->rng)
		gsl_rng_free(s->rng);
	if (s->wait_rng)
		gsl_rng_free(s->wait_rng);
	memset(s, 0, sizeof(*s));
}

int64_t app_draw_delay(app_service *s)
{
	const app_delay *d = &s->delay;
	double ns;
	switch (d->kind) {
	case APP_DELAY_EXPONENTIAL:
		ns = gsl_ran_exponential(s->rng, (double)d->mean_ns);
		break;
	case APP_DELAY_LOGNORMAL: {
		/* Parameters of the underlying normal from the delay's own mean m
		 * and standard deviation v: sigma^2 = ln(1 + v^2/m^2),
		 * mu = ln m - sigma^2 / 2. */
		double m = (double)d->mean_ns, v = (double)d->stddev_ns;
		double sigma2 = log1p((v * v) / (m * m));
		ns = gsl_ran_lognormal(s->rng, log(m) - sigma2 / 2, sqrt(sigma2));
		break;
	}
	case APP_DELAY_UNIFORM:
		ns = gsl_ran_flat(s->rng, (double)d->min_ns, (double)d->max_ns);
		break;
	case APP_DELAY_FIXED:
	default:
		return d->mean_ns;
	}
	return (int64_t)llround(ns);
}

static void on_worker_done(sim_t *sim, res_job *job)
{
	app_request *req = (app_request *)job;
	req->service->completed++;
	req->reply(sim, req);
}

static void on_fluid_waited(sim_t *sim, void *ctx, uint64_t pod)
{
	(void)sim;
	app_request *req = ctx;
	fcfs_submit(&req->service->pods[pod].workers, &req->job);
}

void app_service_submit(app_service *s, int pod, app_request *req)
{
	req->service = s;
	req->job.user_ns = app_draw_delay(s);
	req->job.kernel_ns = 0;
	req->job.done = on_worker_done;
	const app_pod *p = &s->pods[pod];
	if (p->fluid_wait_prob > 0) {
		/* Per flow: the fluid traffic's queue at this pod's workers,
		 * drawn (a whole wait or none, so the latency keeps its tail). */
		double wait = 0;
		if (gsl_rng_uniform(s->wait_rng) < p->fluid_wait_prob)
			wait = gsl_ran_exponential(s->wait_rng, p->fluid_wait_ns);
		s->fluid_waited_ns += wait;
		s->fluid_draws++;
		sim_time_t w = (sim_time_t)llround(wait);
		if (w > 0) {
			sim_schedule(s->sim, w, on_fluid_waited, req, (uint64_t)pod);
			return;
		}
	}
	fcfs_submit(&s->pods[pod].workers, &req->job);
}

/* Mean and squared coefficient of variation of the service time. */
static void delay_moments(const app_delay *d, double *mean, double *cv2)
{
	switch (d->kind) {
	case APP_DELAY_EXPONENTIAL:
		*mean = (double)d->mean_ns;
		*cv2 = 1;
		return;
	case APP_DELAY_LOGNORMAL:
		*mean = (double)d->mean_ns;
		*cv2 = *mean > 0 ? ((double)d->stddev_ns * d->stddev_ns) / (*mean * *mean) : 0;
		return;
	case APP_DELAY_UNIFORM: {
		double lo = (double)d->min_ns, hi = (double)d->max_ns;
		*mean = (lo + hi) / 2;
		*cv2 = *mean > 0 ? (hi - lo) * (hi - lo) / 12 / (*mean * *mean) : 0;
		return;
	}
	case APP_DELAY_FIXED:
	default:
		*mean = (double)d->mean_ns;
		*cv2 = 0;
		return;
	}
}

void app_service_add_fluid(app_service *s, int pod, double rate)
{
	if (pod >= 0 && pod < s->replicas && rate > 0)
		s->pods[pod].fluid_rate += rate;
}

void app_service_apply_fluid(app_service *s)
{
	double mean, cv2;
	delay_moments(&s->delay, &mean, &cv2);
	for (int i = 0; i < s->replicas; i++) {
		app_pod *p = &s->pods[i];
		p->fluid_busy = p->fluid_wait_prob = p->fluid_wait_ns = 0;
		if (p->fluid_rate <= 0 || mean <= 0)
			continue;
		int c = s->workers;
		double a = p->fluid_rate * mean / 1e9;
		p->fluid_busy = a < c ? a : c;
		if (a >= c * 0.98)
			a = c * 0.98;
		double idle;
		mmc_probabilities(c, a, &p->fluid_wait_prob, &idle);
		/* Allen-Cunneen: M/M/c's wait times (ca2 + cs2) / 2, with ca2 = 0:
		 * the load generators pace their connections, and paced
		 * arrivals at a pod are regular (M/M/c's Poisson ones, ca2 = 1,
		 * would queue requests that per request never queues). */
		p->fluid_wait_ns = mean / (c - a) * cv2 / 2;
		if (p->fluid_wait_ns <= 0)
			p->fluid_wait_prob = 0; /* no wait to draw */
	}
}

void app_service_restart_stats(app_service *s)
{
	for (int i = 0; i < s->replicas; i++)
		fcfs_restart_stats(&s->pods[i].workers);
	s->fluid_waited_ns = 0;
	s->fluid_draws = 0;
}

double app_service_busy_workers(const app_service *s, sim_time_t now)
{
	double sum = 0;
	for (int i = 0; i < s->replicas; i++)
		sum += level_mean(&s->pods[i].workers.busy_servers, now) + s->pods[i].fluid_busy;
	return sum;
}

double app_service_mean_wait_ns(const app_service *s)
{
	tally all;
	tally_init(&all);
	for (int i = 0; i < s->replicas; i++)
		tally_merge(&all, &s->pods[i].workers.wait);
	double fluid = s->fluid_draws ? s->fluid_waited_ns / (double)s->fluid_draws : 0.0;
	return (all.n ? all.mean : 0.0) + fluid;
}
