/* models/kernels/cost.c - the O(1) cost API over a calibration profile. */
#include "models/kernels/cost.h"

#include <math.h>
#include <string.h>

static const char *const op_names[COST_OP_COUNT] = {
#define COST_NAME_(e, key, model, unit) key,
	COST_OPS(COST_NAME_)
#undef COST_NAME_
};

static const char *const op_units[COST_OP_COUNT] = {
#define COST_UNIT_(e, key, model, unit) unit,
	COST_OPS(COST_UNIT_)
#undef COST_UNIT_
};

static const enum cost_model op_models[COST_OP_COUNT] = {
#define COST_MODEL_(e, key, model, unit) model,
	COST_OPS(COST_MODEL_)
#undef COST_MODEL_
};

const char *cost_op_name(cost_op op)
{
	return ((unsigned)op < COST_OP_COUNT) ? op_names[op] : NULL;
}

const char *cost_op_unit(cost_op op)
{
	return ((unsigned)op < COST_OP_COUNT) ? op_units[op] : NULL;
}

enum cost_model cost_op_model(cost_op op)
{
	return ((unsigned)op < COST_OP_COUNT) ? op_models[op] : COST_CONST;
}

int cost_op_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < COST_OP_COUNT; i++)
		if (strcmp(op_names[i], name) == 0)
			return i;
	return -1;
}

int cost_op_is_crossing(cost_op op)
{
	switch (op) {
	case COST_SYSCALL:
	case COST_SOCKETPAIR_WRITE_READ:
	case COST_TCP_LOOPBACK_WRITE_READ:
	case COST_EPOLL_WAIT:
	case COST_CONTEXT_SWITCH:
	case COST_IPTABLES_REDIRECT_CONN:
	case COST_IPTABLES_REDIRECT_RTT:
	case COST_PROXY_HOP:
		return 1;
	default:
		return 0;
	}
}

int cost_table_init_split(cost_table *t, const cost_profile *p, double speed,
			  double crossing_speed)
{
	if (!(speed > 0.0) || !isfinite(speed) || !(crossing_speed > 0.0) ||
	    !isfinite(crossing_speed))
		return -1;
	memset(t, 0, sizeof *t);
	t->speed = speed;
	t->crossing_speed = crossing_speed;
	for (int i = 0; i < COST_OP_COUNT; i++) {
		cost_entry e = p->op[i];
		double s = cost_op_is_crossing((cost_op)i) ? crossing_speed : speed;
		e.fixed_ns /= s;
		e.per_unit_ns /= s;
		e.tail_per_unit_ns /= s;
		for (int k = 0; k < e.npoints && k < COST_MAX_POINTS; k++)
			e.py[k] /= s;
		t->op[i] = e;
	}
	return 0;
}

int cost_table_init(cost_table *t, const cost_profile *p, double speed)
{
	return cost_table_init_split(t, p, speed, speed);
}

/* Piecewise-linear interpolation; bytes and rules are linear in size, and
 * above the last point go on at the linear fit's slope (a fixed cost, such
 * as a packet's set-up, is not paid again per byte) or, without one,
 * proportionally; table entries are linear in log2(size) and clamp at both
 * ends. */
static double interp(const cost_entry *e, double x, int bytes)
{
	int n = e->npoints;
	if (n <= 0)
		return 0.0;
	if (n == 1 || x <= e->px[0])
		return e->py[0];
	if (x >= e->px[n - 1]) {
		if (bytes && e->tail_per_unit_ns > 0.0)
			return e->py[n - 1] + e->tail_per_unit_ns * (x - e->px[n - 1]);
		if (bytes && e->px[n - 1] > 0.0)
			return e->py[n - 1] * (x / e->px[n - 1]);
		return e->py[n - 1];
	}
	int k = 1;
	while (k < n - 1 && x > e->px[k])
		k++;
	double x0 = e->px[k - 1], x1 = e->px[k];
	double y0 = e->py[k - 1], y1 = e->py[k];
	double f;
	if (bytes)
		f = (x - x0) / (x1 - x0);
	else
		f = (log2(x) - log2(x0)) / (log2(x1) - log2(x0));
	return y0 + f * (y1 - y0);
}

double cost_of_exact(const cost_table *t, cost_op op, uint64_t size, double *user_ns,
		     double *kernel_ns)
{
	double total = 0.0;
	if ((unsigned)op < COST_OP_COUNT && t->op[op].available) {
		const cost_entry *e = &t->op[op];
		switch (e->model) {
		case COST_CONST:
			total = e->fixed_ns;
			break;
		case COST_LINEAR:
			total = e->fixed_ns + e->per_unit_ns * (double)size;
			break;
		case COST_INTERP:
			total = interp(e, (double)size, op_units[op][0] != 'e');
			break;
		}
		if (total < 0.0)
			total = 0.0;
	}
	double k = ((unsigned)op < COST_OP_COUNT) ? total * t->op[op].kernel_frac : 0.0;
	if (kernel_ns)
		*kernel_ns = k;
	if (user_ns)
		*user_ns = total - k;
	return total;
}

int64_t cost_of(const cost_table *t, cost_op op, uint64_t size, int64_t *user_ns,
		int64_t *kernel_ns)
{
	double u, k;
	cost_of_exact(t, op, size, &u, &k);
	int64_t ki = (int64_t)llround(k);
	int64_t total = (int64_t)llround(u + k);
	if (kernel_ns)
		*kernel_ns = ki;
	if (user_ns)
		*user_ns = total - ki;
	return total;
}

int64_t cost_list(const cost_table *t, const cost_item *items, size_t n, int64_t *user_ns,
		  int64_t *kernel_ns)
{
	double su = 0.0, sk = 0.0;
	for (size_t i = 0; i < n; i++) {
		double u, k;
		cost_of_exact(t, items[i].op, items[i].size, &u, &k);
		su += u;
		sk += k;
	}
	int64_t ki = (int64_t)llround(sk);
	int64_t total = (int64_t)llround(su + sk);
	if (kernel_ns)
		*kernel_ns = ki;
	if (user_ns)
		*user_ns = total - ki;
	return total;
}

int cost_available(const cost_table *t, cost_op op)
{
	return (unsigned)op < COST_OP_COUNT && t->op[op].available;
}
