/* cli/progress.c - progress reporting. See progress.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/progress.h"

double progress_wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool progress_mode_parse(const char *name, progress_mode *mode)
{
	if (!strcmp(name, "auto"))
		*mode = PROGRESS_AUTO;
	else if (!strcmp(name, "always"))
		*mode = PROGRESS_ALWAYS;
	else if (!strcmp(name, "never"))
		*mode = PROGRESS_NEVER;
	else
		return false;
	return true;
}

void progress_init(progress *p, progress_mode mode)
{
	memset(p, 0, sizeof(*p));
	bool tty = isatty(STDERR_FILENO);
	p->enabled = mode != PROGRESS_NEVER;
	p->live = mode == PROGRESS_ALWAYS || tty;
	p->interval = p->live ? 0.2 : 10.0;
}

void progress_start_run(progress *p)
{
	p->started = p->last_print = progress_wall_now();
}

static void clock_text(char *buf, size_t len, double s)
{
	long t = (long)(s + 0.5);
	snprintf(buf, len, "%02ld:%02ld", t / 60, t % 60);
}

void progress_update(progress *p, unsigned run, unsigned runs, double sim_s, double sim_end_s,
                     uint64_t events)
{
	if (!p->enabled)
		return;
	double now = progress_wall_now();
	if (now - p->last_print < p->interval)
		return;
	p->last_print = now;
	double wall = now - p->started;
	double frac = sim_end_s > 0 ? sim_s / sim_end_s : 0;
	char elapsed[48], eta[48];
	clock_text(elapsed, sizeof elapsed, wall);
	if (frac > 0)
		clock_text(eta, sizeof eta, wall * (1 - frac) / frac);
	else
		snprintf(eta, sizeof eta, "--:--");
	fprintf(stderr, "%s[run %u/%u] t=%.1f/%.1fs %3.0f%% | %.2fM ev/s | wall %s ETA %s%s",
	        p->live ? "\r" : "", run, runs, sim_s, sim_end_s, 100 * frac,
	        wall > 0 ? (double)events / wall / 1e6 : 0.0, elapsed, eta, p->live ? "\033[K" : "\n");
	fflush(stderr);
	p->line_open = p->live;
}

void progress_clear(progress *p)
{
	if (p->line_open) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		p->line_open = false;
	}
}
