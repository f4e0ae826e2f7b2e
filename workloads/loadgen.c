/* workloads/loadgen.c - load generators. See loadgen.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/loadgen.h"

#define SLAB_REQUESTS 1024
/* Latencies are tracked up to one hour; longer ones are clamped, counted. */
#define LATENCY_HIGHEST ((int64_t)3600 * SIM_S)

struct lg_request {
	dp_request dp;        /* first member: the data plane hands back &dp */
	lg_connection *conn;  /* NULL once abandoned after a timeout */
	sim_time_t sent;
	sim_time_t intended;
	sim_event_id timeout_event;
	bool counted;         /* sent inside the statistics window */
	lg_request *next_free;
};

struct lg_connection {
	loadgen *lg;
	int index;
	int client_pod;       /* data-plane pod indexes */
	int pod;              /* server pod */
	bool opened;          /* its first request has gone */
	sim_time_t next_turn; /* intended time of the next request */
	sim_time_t timer_late; /* how late the timer sends it (timerResolution) */
	lg_request *outstanding;
};

static lg_request *request_alloc(loadgen *lg)
{
	if (!lg->free_list) {
		void **slabs = realloc(lg->slabs, (lg->nslabs + 1) * sizeof(*slabs));
		if (!slabs)
			return NULL;
		lg->slabs = slabs;
		lg_request *slab = calloc(SLAB_REQUESTS, sizeof(*slab));
		if (!slab)
			return NULL;
		lg->slabs[lg->nslabs++] = slab;
		for (int i = SLAB_REQUESTS - 1; i >= 0; i--) {
			slab[i].next_free = lg->free_list;
			lg->free_list = &slab[i];
		}
	}
	lg_request *req = lg->free_list;
	lg->free_list = req->next_free;
	return req;
}

static void request_release(loadgen *lg, lg_request *req)
{
	req->next_free = lg->free_list;
	lg->free_list = req;
}

static void on_turn(sim_t *sim, void *ctx, uint64_t arg);

/* Schedules the connection's next request after a reply or timeout. */
static void plan_next(lg_connection *c)
{
	loadgen *lg = c->lg;
	sim_time_t now = sim_now(lg->sim);
	c->next_turn += lg->interval;
	if (c->next_turn < now && (lg->cfg.no_catchup || lg->interval == 0))
		c->next_turn = now;
	sim_time_t at = c->next_turn > now ? c->next_turn : now;
	sim_time_t tick = lg->cfg.timer_resolution;
	c->timer_late = 0;
	if (tick > 0 && c->next_turn > now) {
		at = now + ((c->next_turn - now) / tick + 1) * tick;
		c->timer_late = at - c->next_turn;
	}
	if (at < lg->cfg.end)
		sim_schedule_at(lg->sim, at, SIM_CLASS_DEFAULT, on_turn, c, 0);
}

static void on_reply(sim_t *sim, dp_request *dpr)
{
	lg_request *req = (lg_request *)dpr;
	loadgen *lg = req->dp.owner;
	lg_connection *c = req->conn;
	if (!c) {
		/* Abandoned after a timeout: the server finished it anyway. */
		request_release(lg, req);
		return;
	}
	sim_cancel(sim, req->timeout_event);
	sim_time_t now = sim_now(sim);
	lg->total_answered++;
	if (req->counted) {
		lg->stats.ok++;
		sim_time_t from = lg->cfg.kind == LG_CONSTANT_THROUGHPUT ? req->intended : req->sent;
		hist_record(&lg->stats.latency, now - from);
	}
	if (now >= lg->cfg.warmup_end)
		lg->stats.replies_in_window++;
	c->outstanding = NULL;
	request_release(lg, req);
	plan_next(c);
}

static void on_timeout(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)sim;
	(void)arg;
	lg_request *req = ctx;
	lg_connection *c = req->conn;
	loadgen *lg = c->lg;
	lg->total_answered++;
	if (req->counted)
		lg->stats.timeouts++;
	req->conn = NULL; /* the reply, when it comes, is dropped */
	c->outstanding = NULL;
	c->opened = false; /* Fortio closes a timed-out connection and opens a new one */
	plan_next(c);
}

static void on_turn(sim_t *sim, void *ctx, uint64_t arg)
{
	(void)arg;
	lg_connection *c = ctx;
	loadgen *lg = c->lg;
	sim_time_t now = sim_now(sim);
	lg_request *req = request_alloc(lg);
	if (!req) {
		sim_stop(sim); /* out of memory: the run reports itself failed */
		return;
	}
	req->conn = c;
	req->sent = now;
	req->intended = c->next_turn < now ? c->next_turn : now;
	req->counted = now >= lg->cfg.warmup_end;
	req->dp.owner = lg;
	req->dp.done = on_reply;
	lg->total_sent++;
	if (req->counted)
		lg->stats.sent++;
	if (lg->target.nserver_pods == 0) {
		/* No endpoints: refused at once, like a Service without pods. */
		lg->total_answered++;
		if (req->counted)
			lg->stats.failed++;
		request_release(lg, req);
		plan_next(c);
		return;
	}
	c->outstanding = req;
	req->timeout_event = sim_schedule(sim, lg->cfg.timeout, on_timeout, req, 0);
	req->dp.client_pod = c->client_pod;
	req->dp.server_pod = c->pod;
	req->dp.request_bytes = lg->target.request_bytes;
	req->dp.response_bytes = lg->target.response_bytes;
	req->dp.new_connection = !c->opened || lg->cfg.kind == LG_CONNECTION_PER_REQUEST;
	/* Only the timer's lateness: a connection catching up sends when its
	 * reply lets it, at the traffic's own pace. */
	req->dp.late_ns = c->timer_late;
	c->opened = true;
	dataplane_send(lg->target.dp, &req->dp);
}

void lg_connection_pods(const lg_target *t, int i, int *client_pod, int *server_pod)
{
	int nc = t->nclient_pods > 1 ? t->nclient_pods : 1;
	*client_pod = t->client_pod + i % nc;
	*server_pod = t->nserver_pods > 0 ? t->first_server_pod + (i / nc) % t->nserver_pods : -1;
}

int loadgen_init(loadgen *lg, sim_t *sim, const lg_config *cfg, const lg_target *target)
{
	memset(lg, 0, sizeof(*lg));
	if (cfg->connections < 1 || cfg->qps < 0 || cfg->timeout <= 0 || cfg->end < cfg->start)
		return -1;
	lg->sim = sim;
	lg->cfg = *cfg;
	lg->target = *target;
	bool paced = cfg->kind != LG_CLOSED_LOOP && cfg->qps > 0;
	lg->interval = paced ? (sim_time_t)llround(1e9 * cfg->connections / cfg->qps) : 0;
	if (hist_init(&lg->stats.latency, LATENCY_HIGHEST) != 0)
		return -1;
	lg->conns = calloc((size_t)cfg->connections, sizeof(*lg->conns));
	if (!lg->conns) {
		hist_free(&lg->stats.latency);
		return -1;
	}
	for (int i = 0; i < cfg->connections; i++) {
		lg_connection *c = &lg->conns[i];
		c->lg = lg;
		c->index = i;
		lg_connection_pods(target, i, &c->client_pod, &c->pod);
		sim_time_t offset = cfg->uniform ? lg->interval * i / cfg->connections : 0;
		c->next_turn = cfg->start + offset;
		if (c->next_turn < cfg->end)
			sim_schedule_at(sim, c->next_turn, SIM_CLASS_DEFAULT, on_turn, c, 0);
	}
	return 0;
}

void loadgen_finish(loadgen *lg)
{
	for (int i = 0; i < lg->cfg.connections; i++) {
		lg_request *req = lg->conns[i].outstanding;
		if (req && req->counted)
			lg->stats.in_flight++;
	}
}

void loadgen_free(loadgen *lg)
{
	for (size_t i = 0; i < lg->nslabs; i++)
		free(lg->slabs[i]);
	free(lg->slabs);
	free(lg->conns);
	hist_free(&lg->stats.latency);
	memset(lg, 0, sizeof(*lg));
}
