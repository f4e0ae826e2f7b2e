/*
 * cli/progress.h - progress on stderr: one live line on a terminal
 * (simulated time, events/s, ETA), plain lines every 10 s otherwise.
 */
#ifndef MESHSIM_CLI_PROGRESS_H
#define MESHSIM_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum progress_mode { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER } progress_mode;

typedef struct progress {
	bool enabled;
	bool live;            /* rewrite one line with \r */
	double started;       /* wall clock, s */
	double last_print;
	double interval;      /* s between updates */
	bool line_open;       /* a live line is on screen */
} progress;

/* Returns false if `name` is not auto, always or never. */
bool progress_mode_parse(const char *name, progress_mode *mode);
void progress_init(progress *p, progress_mode mode);
void progress_start_run(progress *p);
/* Called often; prints at most every interval. */
void progress_update(progress *p, unsigned run, unsigned runs, double sim_s, double sim_end_s,
                     uint64_t events);
/* Clears the live line before other output. */
void progress_clear(progress *p);
double progress_wall_now(void);

#endif
