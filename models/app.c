/* models/app.c - application services. See app.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/app.h"
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
	s->rng = sim_stream_new((sim_stream_key){seed, replication, "service-time", entity});
	s->pods = calloc(replicas > 0 ? (size_t)replicas : 1, sizeof(*s->pods));
	if (!s->rng || !s->pods)
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

void app_service_submit(app_service *s, int pod, app_request *req)
{
	req->service = s;
	req->job.user_ns = app_draw_delay(s);
	req->job.kernel_ns = 0;
	req->job.done = on_worker_done;
	fcfs_submit(&s->pods[pod].workers, &req->job);
}

void app_service_restart_stats(app_service *s)
{
	for (int i = 0; i < s->replicas; i++)
		fcfs_restart_stats(&s->pods[i].workers);
}

double app_service_busy_workers(const app_service *s, sim_time_t now)
{
	double sum = 0;
	for (int i = 0; i < s->replicas; i++)
		sum += level_mean(&s->pods[i].workers.busy_servers, now);
	return sum;
}

double app_service_mean_wait_ns(const app_service *s)
{
	tally all;
	tally_init(&all);
	for (int i = 0; i < s->replicas; i++)
		tally_merge(&all, &s->pods[i].workers.wait);
	return all.n ? all.mean : 0.0;
}
