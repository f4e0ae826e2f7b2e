/*
 * scenario/diag.h - a list of diagnostics (configuration errors).
 *
 * A loader collects every error of a file before it gives up, so the user
 * fixes them all in one round. Each diagnostic names where it comes from:
 *
 *   FILE:LINE:COL: error: PATH: MESSAGE
 *   scenario.yaml:14:10: error: spec.workloads[0].qps: must be >= 0 (got "-5")
 *
 * LINE and COL are 1-based (libyaml marks + 1); line 0 means "no position"
 * (an error about the file as a whole, or a value given with --set, where
 * FILE is the text "--set PATH=VALUE"). PATH is the field path in the
 * document (empty when the error is about the document or the file).
 */
#ifndef MESHSIM_SCENARIO_DIAG_H
#define MESHSIM_SCENARIO_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct diag {
	char *file; /* file name, or "--set PATH=VALUE" */
	int line;   /* 1-based; 0 = no position */
	int col;    /* 1-based; 0 = no position */
	char *path; /* field path, e.g. "spec.workloads[0].qps"; may be "" */
	char *msg;  /* the message, no trailing newline */
} diag;

typedef struct diag_list {
	diag *items;
	size_t n;
	size_t cap;
} diag_list;

/* An empty list; a zero-initialised diag_list is also valid. */
void diag_list_init(diag_list *l);
/* Frees every diagnostic and resets the list to empty. */
void diag_list_free(diag_list *l);

/* Appends one diagnostic (printf-style message). file and path may be NULL. */
void diag_add(diag_list *l, const char *file, int line, int col, const char *path,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Writes one line per diagnostic in the format above (no summary line). */
void diag_print(const diag_list *l, FILE *out);

/* Formats one diagnostic into buf like diag_print does (no newline). */
void diag_format(const diag *d, char *buf, size_t size);

#endif
