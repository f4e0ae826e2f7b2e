/* scenario/diag.c - a list of diagnostics (see diag.h). */
#include "scenario/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_list_init(diag_list *l)
{
	l->items = NULL;
	l->n = 0;
	l->cap = 0;
}

void diag_list_free(diag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].file);
		free(l->items[i].path);
		free(l->items[i].msg);
	}
	free(l->items);
	diag_list_init(l);
}

static char *dup_or_empty(const char *s)
{
	if (!s)
		s = "";
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	return p ? memcpy(p, s, n) : NULL;
}

void diag_add(diag_list *l, const char *file, int line, int col, const char *path,
	      const char *fmt, ...)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		diag *items = realloc(l->items, cap * sizeof *items);
		if (!items)
			return; /* out of memory: the diagnostic is lost, not the process */
		l->items = items;
		l->cap = cap;
	}
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	diag *d = &l->items[l->n];
	d->file = dup_or_empty(file);
	d->path = dup_or_empty(path);
	d->msg = dup_or_empty(msg);
	d->line = line;
	d->col = col;
	if (!d->file || !d->path || !d->msg) {
		free(d->file);
		free(d->path);
		free(d->msg);
		return;
	}
	l->n++;
}

void diag_format(const diag *d, char *buf, size_t size)
{
	char where[64] = "";
	if (d->line > 0)
		snprintf(where, sizeof where, ":%d:%d", d->line, d->col);
	if (d->path[0])
		snprintf(buf, size, "%s%s: error: %s: %s", d->file, where, d->path, d->msg);
	else
		snprintf(buf, size, "%s%s: error: %s", d->file, where, d->msg);
}

void diag_print(const diag_list *l, FILE *out)
{
	char buf[2048];
	for (size_t i = 0; i < l->n; i++) {
		diag_format(&l->items[i], buf, sizeof buf);
		fprintf(out, "%s\n", buf);
	}
}
