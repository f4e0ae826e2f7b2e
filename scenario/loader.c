/*
 * scenario/loader.c - strict loading of meshsim documents.
 *
 * 1. libyaml's event parser builds a small tree (ynode) that keeps every
 *    node's file, line and column; aliases are refused.
 * 2. --set overrides edit that tree (their nodes are named "--set PATH=VALUE").
 * 3. The tree is checked against the schema table (schema.c) and bound into
 *    the typed structs, collecting every error: unknown and duplicate keys,
 *    wrong types, units, ranges, enum values, names, then cross-field checks
 *    and references between names once the whole document is read.
 */
#include "scenario/scenario.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "scenario/schema.h"
#include "scenario/units.h"

#define MAX_DEPTH 64
#define MAX_FILE_BYTES (64u << 20)

/* ---------------------------------------------------------------- memory */

void *scn_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p) {
		fprintf(stderr, "meshsim: out of memory\n");
		abort();
	}
	return p;
}

char *scn_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(scn_xcalloc(1, n), s, n);
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = scn_xcalloc(1, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---------------------------------------------------------------- tree */

typedef enum { YN_SCALAR, YN_SEQ, YN_MAP } yn_kind;

typedef struct ynode {
	yn_kind kind;
	const char *src; /* file name or "--set PATH=VALUE"; owned by the load */
	int line, col;   /* 1-based; 0 = no position */
	char *str;       /* scalar text */
	bool plain;      /* scalar written without quotes */
	bool bad;        /* already reported (an alias): skip silently */
	int kline, kcol; /* a mapping value: position of its key (0 = none) */
	struct ynode **kids; /* sequence items; mapping keys and values interleaved */
	size_t n, cap;
} ynode;

typedef struct ydoc {
	ynode *root;
	int line;
} ydoc;

static ynode *ynode_new(yn_kind kind, const char *src, int line, int col)
{
	ynode *n = scn_xcalloc(1, sizeof *n);
	n->kind = kind;
	n->src = src;
	n->line = line;
	n->col = col;
	return n;
}

static void ynode_free(ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static void ynode_push(ynode *parent, ynode *kid)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 8;
		ynode **k = realloc(parent->kids, parent->cap * sizeof *k);
		if (!k) {
			fprintf(stderr, "meshsim: out of memory\n");
			abort();
		}
		parent->kids = k;
	}
	parent->kids[parent->n++] = kid;
}

static bool ynode_is_null(const ynode *n)
{
	if (n->kind != YN_SCALAR || !n->plain)
		return false;
	const char *s = n->str;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static const char *ynode_what(const ynode *n)
{
	if (n->kind == YN_MAP)
		return "a mapping";
	if (n->kind == YN_SEQ)
		return "a list";
	if (ynode_is_null(n))
		return "null";
	return n->plain ? "a scalar" : "a string";
}

/* First value of key in a mapping, or NULL. */
static ynode *map_get(const ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == YN_SCALAR && strcmp(map->kids[i]->str, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

/* ---------------------------------------------------------------- load state */

typedef struct name_def {
	schema_ref ref;
	char *name;
	const char *src;
	int line, col;
} name_def;

typedef struct ref_use {
	schema_ref ref;
	char *name;
	char *path;
	const char *src;
	int line, col;
} ref_use;

typedef struct lctx {
	diag_list *errs;
	bool canonical;
	name_def *defs;
	size_t ndefs, capdefs;
	ref_use *uses;
	size_t nuses, capuses;
	char **srcs; /* owned source names of --set values */
	size_t nsrcs;
	bool poisoned[REF__COUNT]; /* the list defining these names was unreadable */
} lctx;

struct check_ctx {
	lctx *L;
	ynode *map; /* the object's mapping; NULL when it was not written */
	ynode *where;
	const char *path;
};

static void err_at(lctx *L, const ynode *n, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void err_at(lctx *L, const ynode *n, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag_add(L->errs, n ? n->src : "", n ? n->line : 0, n ? n->col : 0, path, "%s", msg);
}

/* Field paths longer than a buffer are cut (they are only shown). */
static void join_key(char *buf, size_t size, const char *path, const char *key)
{
	int n = path[0] ? snprintf(buf, size, "%s.%s", path, key) : snprintf(buf, size, "%s", key);
	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = '\0';
}

static void join_index(char *buf, size_t size, const char *path, size_t i)
{
	int n = snprintf(buf, size, "%s[%zu]", path, i);
	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = '\0';
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = (a[i - 1] | 32) == (b[j - 1] | 32) ? 0 : 1;
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = up;
		}
	}
	return row[lb];
}

/* " (did you mean "x"?)" for the closest candidate, or "". */
static void suggest(char *buf, size_t size, const char *got, const char *const *cands, size_t n)
{
	buf[0] = '\0';
	size_t best = 99, limit = strlen(got) / 3 + 1;
	const char *pick = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(got, cands[i]);
		if (d < best) {
			best = d;
			pick = cands[i];
		}
	}
	if (pick && best <= (limit < 3 ? limit : 3))
		snprintf(buf, size, " (did you mean \"%s\"?)", pick);
}

void schema_suggest(char *buf, size_t size, const char *got, const char *const *cands, size_t n)
{
	suggest(buf, size, got, cands, n);
}

/* ---------------------------------------------------------------- YAML -> tree */

static void yaml_problem(lctx *L, const char *src, const yaml_parser_t *p, int nomarks)
{
	const char *what = p->problem ? p->problem : "cannot parse";
	char ctx[256] = "";
	if (p->context)
		snprintf(ctx, sizeof ctx, " (%s at line %zu)", p->context, p->context_mark.line + 1);
	diag_add(L->errs, src, nomarks ? 0 : (int)p->problem_mark.line + 1,
		 nomarks ? 0 : (int)p->problem_mark.column + 1, "", "YAML syntax error: %s%s", what,
		 ctx);
}

/*
 * Parses every document of text into trees. Returns 0, or -1 after
 * reporting a syntax error (nothing is returned then).
 */
static int build_docs(lctx *L, const char *src, const char *text, size_t len, bool nomarks,
		      ydoc **out, size_t *nout)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		diag_add(L->errs, src, 0, 0, "", "cannot initialise the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);

	ydoc *docs = NULL;
	size_t ndocs = 0;
	ynode *stack[MAX_DEPTH];
	size_t depth = 0;
	ynode *root = NULL;
	int doc_line = 0;
	int rc = 0;
	bool done = false;

	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			yaml_problem(L, src, &p, nomarks);
			rc = -1;
			break;
		}
		int line = nomarks ? 0 : (int)ev.start_mark.line + 1;
		int col = nomarks ? 0 : (int)ev.start_mark.column + 1;
		ynode *node = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			root = NULL;
			doc_line = line;
			break;
		case YAML_DOCUMENT_END_EVENT: {
			ydoc *d = realloc(docs, (ndocs + 1) * sizeof *d);
			if (!d)
				abort();
			docs = d;
			docs[ndocs].root = root;
			docs[ndocs].line = doc_line;
			ndocs++;
			root = NULL;
			break;
		}
		case YAML_SCALAR_EVENT:
			node = ynode_new(YN_SCALAR, src, line, col);
			node->str = xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
			node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			if (ev.data.scalar.tag &&
			    !strcmp((const char *)ev.data.scalar.tag, YAML_STR_TAG))
				node->plain = false;
			break;
		case YAML_ALIAS_EVENT:
			diag_add(L->errs, src, line, col, "",
				 "YAML aliases (*%s) are not supported: write the value out",
				 (const char *)ev.data.alias.anchor);
			node = ynode_new(YN_SCALAR, src, line, col);
			node->str = scn_xstrdup("");
			node->bad = true;
			break;
		case YAML_SEQUENCE_START_EVENT:
			node = ynode_new(YN_SEQ, src, line, col);
			break;
		case YAML_MAPPING_START_EVENT:
			node = ynode_new(YN_MAP, src, line, col);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (node) {
			if (depth == 0) {
				root = node;
			} else {
				ynode *parent = stack[depth - 1];
				if (parent->kind == YN_MAP && parent->n % 2 == 1) {
					node->kline = parent->kids[parent->n - 1]->line;
					node->kcol = parent->kids[parent->n - 1]->col;
				}
				ynode_push(parent, node);
			}
			if (node->kind != YN_SCALAR) {
				if (depth == MAX_DEPTH) {
					diag_add(L->errs, src, line, col, "",
						 "nesting deeper than %d levels", MAX_DEPTH);
					yaml_event_delete(&ev);
					rc = -1;
					break;
				}
				stack[depth++] = node;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (rc != 0) {
		/* root owns every node of the unfinished document */
		ynode_free(root);
		for (size_t i = 0; i < ndocs; i++)
			ynode_free(docs[i].root);
		free(docs);
		return -1;
	}
	*out = docs;
	*nout = ndocs;
	return 0;
}

static void free_docs(ydoc *docs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ynode_free(docs[i].root);
	free(docs);
}

/* ---------------------------------------------------------------- --set */

typedef struct seg {
	char key[128]; /* "" for an index */
	long index;
} seg;

static int parse_set_path(const char *p, seg *segs, size_t max, size_t *n)
{
	*n = 0;
	while (*p) {
		if (*n == max)
			return -1;
		seg *s = &segs[(*n)++];
		s->key[0] = '\0';
		s->index = -1;
		if (*p == '[') {
			char *end;
			errno = 0;
			long v = strtol(p + 1, &end, 10);
			if (end == p + 1 || *end != ']' || v < 0 || errno)
				return -1;
			s->index = v;
			p = end + 1;
		} else {
			size_t k = strcspn(p, ".[");
			if (k == 0 || k >= sizeof s->key)
				return -1;
			memcpy(s->key, p, k);
			s->key[k] = '\0';
			p += k;
		}
		if (*p == '.') {
			p++;
			if (!*p || *p == '.' || *p == '[')
				return -1;
		} else if (*p && *p != '[') {
			return -1;
		}
	}
	return *n > 0 && segs[0].key[0] ? 0 : -1;
}

/* Applies one "PATH=VALUE" to the document tree. */
static void apply_override(lctx *L, ydoc *doc, const char *ov)
{
	char *src = scn_xcalloc(1, strlen(ov) + 8);
	sprintf(src, "--set %s", ov);
	char **srcs = realloc(L->srcs, (L->nsrcs + 1) * sizeof *srcs);
	if (!srcs)
		abort();
	L->srcs = srcs;
	L->srcs[L->nsrcs++] = src;

	const char *eq = strchr(ov, '=');
	if (!eq || eq == ov) {
		diag_add(L->errs, src, 0, 0, "", "expected PATH=VALUE, e.g. spec.workloads[0].qps=2000");
		return;
	}
	char path[512];
	snprintf(path, sizeof path, "%.*s", (int)(eq - ov), ov);
	seg segs[32];
	size_t nsegs;
	if (parse_set_path(path, segs, 32, &nsegs) != 0) {
		diag_add(L->errs, src, 0, 0, "",
			 "bad field path \"%s\" (write it like spec.workloads[0].qps)", path);
		return;
	}
	const char *vtext = eq + 1;
	ydoc *vdocs = NULL;
	size_t nv = 0;
	if (build_docs(L, src, vtext, strlen(vtext), true, &vdocs, &nv) != 0)
		return;
	ynode *value = nv > 0 ? vdocs[0].root : NULL;
	for (size_t i = 1; i < nv; i++)
		ynode_free(vdocs[i].root);
	free(vdocs);
	if (!value) {
		value = ynode_new(YN_SCALAR, src, 0, 0);
		value->str = scn_xstrdup("");
		value->plain = true;
	}

	if (!doc->root)
		doc->root = ynode_new(YN_MAP, src, 0, 0);
	ynode *cur = doc->root;
	char where[512] = "";
	for (size_t i = 0; i < nsegs; i++) {
		bool last = i + 1 == nsegs;
		ynode **slot = NULL;
		if (segs[i].key[0]) {
			if (cur->kind != YN_MAP) {
				diag_add(L->errs, src, 0, 0, where, "is %s, not a mapping: cannot set %s",
					 ynode_what(cur), segs[i].key);
				ynode_free(value);
				return;
			}
			for (size_t k = 0; k + 1 < cur->n; k += 2)
				if (cur->kids[k]->kind == YN_SCALAR &&
				    !strcmp(cur->kids[k]->str, segs[i].key))
					slot = &cur->kids[k + 1];
			if (!slot) {
				ynode *key = ynode_new(YN_SCALAR, src, 0, 0);
				key->str = scn_xstrdup(segs[i].key);
				key->plain = true;
				ynode_push(cur, key);
				ynode_push(cur, last ? NULL : ynode_new(segs[i + 1].key[0] ? YN_MAP : YN_SEQ,
									  src, 0, 0));
				slot = &cur->kids[cur->n - 1];
			}
			char tmp[512];
			join_key(tmp, sizeof tmp, where, segs[i].key);
			memcpy(where, tmp, sizeof where);
		} else {
			if (cur->kind != YN_SEQ) {
				diag_add(L->errs, src, 0, 0, where, "is %s, not a list: cannot index it [%ld]",
					 ynode_what(cur), segs[i].index);
				ynode_free(value);
				return;
			}
			if ((size_t)segs[i].index > cur->n) {
				diag_add(L->errs, src, 0, 0, where,
					 "index %ld is out of range (the list has %zu item(s); "
					 "[%zu] appends one)", segs[i].index, cur->n, cur->n);
				ynode_free(value);
				return;
			}
			if ((size_t)segs[i].index == cur->n)
				ynode_push(cur, last ? NULL : ynode_new(segs[i + 1].key[0] ? YN_MAP : YN_SEQ,
									  src, 0, 0));
			slot = &cur->kids[segs[i].index];
			char tmp[512];
			join_index(tmp, sizeof tmp, where, (size_t)segs[i].index);
			memcpy(where, tmp, sizeof where);
		}
		if (last) {
			ynode_free(*slot);
			*slot = value;
			return;
		}
		cur = *slot;
	}
}

/* ---------------------------------------------------------------- names and references */

static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
		if (!ok)
			return false;
	}
	return s[0] != '-' && s[n - 1] != '-';
}

static void define_name(lctx *L, schema_ref ref, const char *name, const ynode *n,
			const char *path)
{
	for (size_t i = 0; i < L->ndefs; i++) {
		const name_def *d = &L->defs[i];
		if (d->ref == ref && !strcmp(d->name, name)) {
			if (d->line > 0)
				err_at(L, n, path, "duplicate %s name \"%s\" (first defined at %d:%d)",
				       schema_ref_name(ref), name, d->line, d->col);
			else
				err_at(L, n, path, "duplicate %s name \"%s\"", schema_ref_name(ref), name);
			return;
		}
	}
	if (L->ndefs == L->capdefs) {
		L->capdefs = L->capdefs ? L->capdefs * 2 : 16;
		name_def *d = realloc(L->defs, L->capdefs * sizeof *d);
		if (!d)
			abort();
		L->defs = d;
	}
	L->defs[L->ndefs++] = (name_def){ref, scn_xstrdup(name), n->src, n->line, n->col};
}

static void use_name(lctx *L, schema_ref ref, const char *name, const ynode *n, const char *path)
{
	if (L->nuses == L->capuses) {
		L->capuses = L->capuses ? L->capuses * 2 : 16;
		ref_use *u = realloc(L->uses, L->capuses * sizeof *u);
		if (!u)
			abort();
		L->uses = u;
	}
	L->uses[L->nuses++] = (ref_use){ref, scn_xstrdup(name), scn_xstrdup(path), n ? n->src : "",
					n ? n->line : 0, n ? n->col : 0};
}

static void resolve_refs(lctx *L)
{
	for (size_t i = 0; i < L->nuses; i++) {
		const ref_use *u = &L->uses[i];
		if (L->poisoned[u->ref])
			continue; /* already reported where the names are defined */
		const char *cands[64];
		size_t nc = 0;
		bool found = false;
		char known[512] = "";
		for (size_t k = 0; k < L->ndefs; k++) {
			if (L->defs[k].ref != u->ref)
				continue;
			if (!strcmp(L->defs[k].name, u->name))
				found = true;
			if (nc < 64)
				cands[nc++] = L->defs[k].name;
			size_t l = strlen(known);
			if (l < sizeof known - 80)
				snprintf(known + l, sizeof known - l, "%s%s", l ? ", " : "",
					 L->defs[k].name);
		}
		if (found)
			continue;
		char hint[160];
		suggest(hint, sizeof hint, u->name, cands, nc);
		diag_add(L->errs, u->src, u->line, u->col, u->path, "unknown %s \"%s\"%s; %s%s",
			 schema_ref_name(u->ref), u->name, hint,
			 nc ? "defined: " : "none is defined", known);
	}
}

static void reset_names(lctx *L)
{
	for (size_t i = 0; i < L->ndefs; i++)
		free(L->defs[i].name);
	for (size_t i = 0; i < L->nuses; i++) {
		free(L->uses[i].name);
		free(L->uses[i].path);
	}
	L->ndefs = 0;
	L->nuses = 0;
	memset(L->poisoned, 0, sizeof L->poisoned);
}

/* ---------------------------------------------------------------- scalars */

typedef struct value {
	int64_t i; /* INT, DURATION, BYTES, ENUM index */
	double d;  /* NUMBER, CPU, RATE */
	bool b;
} value;

static bool is_integral_type(schema_type t)
{
	return t == ST_INT || t == ST_DURATION || t == ST_BYTES;
}

/* Parses text as a value of f's type; 0, or -1 with a reason in err. */
static int parse_scalar(const schema_field *f, const char *text, bool plain, bool canonical,
			value *v, char *err, size_t errlen)
{
	switch (f->type) {
	case ST_BOOL:
		if (plain && !strcmp(text, "true"))
			v->b = true;
		else if (plain && !strcmp(text, "false"))
			v->b = false;
		else {
			const char *hint = "";
			if (!strcasecmp(text, "yes") || !strcasecmp(text, "no") ||
			    !strcasecmp(text, "on") || !strcasecmp(text, "off") ||
			    !strcasecmp(text, "true") || !strcasecmp(text, "false"))
				hint = plain ? " (write true or false in lower case)"
					     : " (write true or false without quotes)";
			snprintf(err, errlen, "expected true or false, got \"%s\"%s", text, hint);
			return -1;
		}
		return 0;
	case ST_INT:
		if (!plain) {
			snprintf(err, errlen, "expected an integer, got the string \"%s\" (remove the "
				 "quotes)", text);
			return -1;
		}
		return units_parse_int(text, &v->i, err, errlen);
	case ST_NUMBER:
		if (!plain) {
			snprintf(err, errlen, "expected a number, got the string \"%s\" (remove the "
				 "quotes)", text);
			return -1;
		}
		return units_parse_number(text, &v->d, err, errlen);
	case ST_DURATION:
		if (canonical)
			return units_parse_int(text, &v->i, err, errlen);
		return units_parse_duration(text, &v->i, err, errlen);
	case ST_BYTES:
		if (canonical)
			return units_parse_int(text, &v->i, err, errlen);
		return units_parse_bytes(text, &v->i, err, errlen);
	case ST_CPU:
		if (canonical)
			return units_parse_number(text, &v->d, err, errlen);
		return units_parse_cpu(text, &v->d, err, errlen);
	case ST_RATE:
		if (canonical)
			return units_parse_number(text, &v->d, err, errlen);
		return units_parse_rate(text, &v->d, err, errlen);
	case ST_BITRATE:
		if (canonical)
			return units_parse_number(text, &v->d, err, errlen);
		return units_parse_bitrate(text, &v->d, err, errlen);
	case ST_ENUM:
		for (int i = 0; f->enum_values[i]; i++)
			if (!strcmp(f->enum_values[i], text)) {
				v->i = i;
				return 0;
			}
		{
			char list[256] = "", hint[160];
			size_t n = 0;
			for (; f->enum_values[n]; n++) {
				size_t l = strlen(list);
				snprintf(list + l, sizeof list - l, "%s%s", n ? ", " : "",
					 f->enum_values[n]);
			}
			suggest(hint, sizeof hint, text, f->enum_values, n);
			snprintf(err, errlen, "must be one of %s (got \"%s\")%s", list, text, hint);
		}
		return -1;
	default:
		snprintf(err, errlen, "internal error: not a scalar type");
		return -1;
	}
}

static void store_scalar(const schema_field *f, void *p, const value *v)
{
	if (!p)
		return;
	switch (f->type) {
	case ST_BOOL: *(bool *)p = v->b; break;
	case ST_ENUM: *(int *)p = (int)v->i; break;
	case ST_INT:
	case ST_DURATION:
	case ST_BYTES: *(int64_t *)p = v->i; break;
	case ST_NUMBER:
	case ST_CPU:
	case ST_RATE:
	case ST_BITRATE: *(double *)p = v->d; break;
	default: break;
	}
}

/* Checks v against f's min and max; 0 or -1 with the message in err. */
static int check_range(const schema_field *f, const value *v, const char *got, char *err,
		       size_t errlen)
{
	const char *bounds[2] = {f->min, f->max};
	for (int k = 0; k < 2; k++) {
		if (!bounds[k])
			continue;
		value b = {0};
		char e[64];
		if (parse_scalar(f, bounds[k], true, false, &b, e, sizeof e) != 0)
			continue; /* a schema bug; test_schema catches it */
		bool bad = is_integral_type(f->type) ? (k == 0 ? v->i < b.i : v->i > b.i)
						     : (k == 0 ? v->d < b.d : v->d > b.d);
		if (bad) {
			snprintf(err, errlen, "must be %s %s (got %s)", k == 0 ? ">=" : "<=",
				 bounds[k], got);
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- binding */

static void bind_object(lctx *L, const schema_object *o, ynode *map, void *base,
			const char *path, const ynode *where, bool quiet);

static void set_default(lctx *L, const schema_field *f, void *p, const char *path,
			const ynode *where)
{
	switch (f->type) {
	case ST_STRING:
		if (p)
			*(char **)p = scn_xstrdup(f->def ? f->def : "");
		return;
	case ST_OBJECT:
		bind_object(L, f->child, NULL, p, path, where, true);
		return;
	case ST_LIST:
	case ST_LABELS:
	case ST_STRINGS:
		return; /* zeroed: an empty list */
	default: {
		value v = {0};
		char err[256];
		if (f->def && parse_scalar(f, f->def, true, false, &v, err, sizeof err) != 0)
			err_at(L, where, path, "internal error: bad default \"%s\": %s", f->def, err);
		store_scalar(f, p, &v);
		return;
	}
	}
}

static int label_cmp(const void *a, const void *b)
{
	return strcmp(((const scn_label *)a)->key, ((const scn_label *)b)->key);
}

static void bind_labels(lctx *L, const schema_field *f, ynode *n, void *base, const char *path)
{
	if (n->kind != YN_MAP) {
		err_at(L, n, path, "expected a mapping of strings to strings, got %s", ynode_what(n));
		return;
	}
	size_t count = n->n / 2, used = 0;
	scn_label *labels = base ? scn_xcalloc(1, count * sizeof *labels) : NULL;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		ynode *k = n->kids[i], *v = n->kids[i + 1];
		if (k->kind != YN_SCALAR || ynode_is_null(k)) {
			err_at(L, k, path, "label keys must be strings, got %s", ynode_what(k));
			continue;
		}
		char sub[512];
		join_key(sub, sizeof sub, path, k->str);
		bool dup = false;
		for (size_t j = 0; j < i; j += 2)
			if (n->kids[j]->kind == YN_SCALAR && !strcmp(n->kids[j]->str, k->str)) {
				err_at(L, k, sub, "duplicate key (first at %d:%d)", n->kids[j]->line,
				       n->kids[j]->col);
				dup = true;
				break;
			}
		if (dup)
			continue;
		if (v->kind != YN_SCALAR || ynode_is_null(v)) {
			if (!v->bad)
				err_at(L, v, sub, "expected a string, got %s", ynode_what(v));
			continue;
		}
		if (labels) {
			labels[used].key = scn_xstrdup(k->str);
			labels[used].value = scn_xstrdup(v->str);
			used++;
		}
	}
	if (!base)
		return;
	qsort(labels, used, sizeof *labels, label_cmp);
	*(scn_label **)((char *)base + f->offset) = labels;
	*(size_t *)((char *)base + f->count_offset) = used;
}

static void bind_strings(lctx *L, const schema_field *f, ynode *n, void *base, const char *path)
{
	if (n->kind != YN_SEQ) {
		err_at(L, n, path, "expected a list of values, got %s", ynode_what(n));
		return;
	}
	if (f->min && n->n < (size_t)atol(f->min))
		err_at(L, n, path, "needs at least %s item(s)", f->min);
	char **items = base ? scn_xcalloc(1, n->n * sizeof *items) : NULL;
	for (size_t i = 0; i < n->n; i++) {
		ynode *v = n->kids[i];
		char sub[512];
		join_index(sub, sizeof sub, path, i);
		if (v->kind != YN_SCALAR || ynode_is_null(v)) {
			if (!v->bad)
				err_at(L, v, sub, "expected a scalar value, got %s", ynode_what(v));
		}
		if (items)
			items[i] = scn_xstrdup(v->kind == YN_SCALAR ? v->str : "");
	}
	if (!base)
		return;
	*(char ***)((char *)base + f->offset) = items;
	*(size_t *)((char *)base + f->count_offset) = n->n;
}

static void bind_list(lctx *L, const schema_field *f, ynode *n, void *base, const char *path)
{
	if (n->kind != YN_SEQ) {
		err_at(L, n, path, "expected a list of %s, got %s", f->child->name, ynode_what(n));
		for (size_t i = 0; i < f->child->nfields; i++)
			if (f->child->fields[i].flags & SF_NAME)
				L->poisoned[f->child->fields[i].ref] = true;
		return;
	}
	if (f->min && n->n < (size_t)atol(f->min))
		err_at(L, n, path, "needs at least %s item(s)", f->min);
	size_t esize = f->child->size;
	char *items = base && esize ? scn_xcalloc(1, n->n * esize) : NULL;
	if (base) {
		/* owned by the struct from now on, so every error path frees it */
		*(void **)((char *)base + f->offset) = items;
		*(size_t *)((char *)base + f->count_offset) = items ? n->n : 0;
	}
	for (size_t i = 0; i < n->n; i++) {
		char sub[512];
		join_index(sub, sizeof sub, path, i);
		bind_object(L, f->child, n->kids[i], items ? items + i * esize : NULL, sub,
			    n->kids[i], false);
	}
}

static void bind_field(lctx *L, const schema_field *f, ynode *n, void *base, const char *path)
{
	void *p = base ? (char *)base + f->offset : NULL;
	if (n->bad) {
		set_default(L, f, p, path, n);
		return;
	}
	switch (f->type) {
	case ST_OBJECT:
		bind_object(L, f->child, n, p, path, n, false);
		return;
	case ST_LIST:
		bind_list(L, f, n, base, path);
		return;
	case ST_LABELS:
		bind_labels(L, f, n, base, path);
		return;
	case ST_STRINGS:
		bind_strings(L, f, n, base, path);
		return;
	default:
		break;
	}

	/* a scalar field */
	static const char *const expect[] = {
		[ST_STRING] = "a string", [ST_ENUM] = "a string", [ST_BOOL] = "true or false",
		[ST_INT] = "an integer", [ST_NUMBER] = "a number",
		[ST_DURATION] = "a duration (250ms, 1.5s, 1m30s)",
		[ST_CPU] = "a CPU quantity (500m, 2)", [ST_BYTES] = "a size (128Mi, 1G, 4096)",
		[ST_RATE] = "a rate (1000/s, 60/m)",
		[ST_BITRATE] = "a bit rate (10G, 100M)"};
	if (n->kind != YN_SCALAR || ynode_is_null(n)) {
		err_at(L, n, path, "expected %s, got %s", expect[f->type], ynode_what(n));
		set_default(L, f, p, path, n);
		return;
	}
	if (f->type == ST_STRING) {
		bool bad = false;
		if (f->enum_values) {
			value v;
			char err[512];
			if (parse_scalar(&(schema_field){.type = ST_ENUM, .enum_values = f->enum_values},
					 n->str, n->plain, L->canonical, &v, err, sizeof err) != 0) {
				err_at(L, n, path, "%s", err);
				bad = true;
			}
		}
		if (!bad && (f->flags & SF_NAME) && !valid_name(n->str)) {
			err_at(L, n, path, "\"%s\" is not a valid name (lowercase letters, digits and "
			       "'-', starting and ending with a letter or digit, at most 63 characters)",
			       n->str);
			bad = true;
		}
		if ((f->flags & SF_NAME) && f->ref != REF_NONE) /* even if badly formed */
			define_name(L, f->ref, n->str, n, path);
		else if (!bad && f->ref != REF_NONE && n->str[0])
			use_name(L, f->ref, n->str, n, path);
		if ((f->flags & SF_REQUIRED) && !n->str[0] && !bad)
			err_at(L, n, path, "must not be empty");
		if (p)
			*(char **)p = scn_xstrdup(n->str);
		return;
	}
	value v = {0};
	char err[512];
	if (parse_scalar(f, n->str, n->plain, L->canonical, &v, err, sizeof err) != 0 ||
	    check_range(f, &v, n->str, err, sizeof err) != 0) {
		err_at(L, n, path, "%s", err);
		set_default(L, f, p, path, n);
		return;
	}
	store_scalar(f, p, &v);
}

/*
 * Whether an error since `from` is about the object at path itself or one of
 * its own fields (path.field, not deeper). Cross-field checks run only
 * without such errors, so a value that failed (and holds its default) is not
 * blamed twice; errors deeper down do not stop them (all errors at once).
 */
static bool direct_errors(const lctx *L, size_t from, const char *path)
{
	size_t pl = strlen(path);
	for (size_t i = from; i < L->errs->n; i++) {
		const char *e = L->errs->items[i].path;
		if (strncmp(e, path, pl) != 0)
			continue;
		const char *rest = e + pl;
		if (*rest == '\0')
			return true;
		if (pl > 0 && *rest != '.')
			continue; /* a sibling with a longer name, or an index */
		if (pl > 0)
			rest++;
		if (rest[strcspn(rest, ".[")] == '\0')
			return true;
	}
	return false;
}

static void bind_object(lctx *L, const schema_object *o, ynode *map, void *base,
			const char *path, const ynode *where, bool quiet)
{
	size_t errs_before = L->errs->n;
	if (map && map->kind != YN_MAP) {
		if (!map->bad)
			err_at(L, map, path, "expected a mapping (%s), got %s", o->name,
			       ynode_what(map));
		map = NULL;
		quiet = true;
	}
	/* keys: unknown and duplicate */
	for (size_t i = 0; map && i + 1 < map->n; i += 2) {
		ynode *k = map->kids[i];
		if (k->kind != YN_SCALAR || ynode_is_null(k)) {
			err_at(L, k, path, "keys must be strings, got %s", ynode_what(k));
			continue;
		}
		char sub[512];
		join_key(sub, sizeof sub, path, k->str);
		if (!schema_find_field(o, k->str)) {
			const char *names[64];
			size_t nn = 0;
			for (size_t j = 0; j < o->nfields && nn < 64; j++)
				names[nn++] = o->fields[j].name;
			char hint[160];
			suggest(hint, sizeof hint, k->str, names, nn);
			err_at(L, k, sub, "unknown field \"%s\"%s", k->str, hint);
			continue;
		}
		for (size_t j = 0; j < i; j += 2)
			if (map->kids[j]->kind == YN_SCALAR && !strcmp(map->kids[j]->str, k->str)) {
				err_at(L, k, sub, "duplicate field \"%s\" (first at %d:%d)", k->str,
				       map->kids[j]->line, map->kids[j]->col);
				break;
			}
	}
	/* fields, in table order */
	for (size_t i = 0; i < o->nfields; i++) {
		const schema_field *f = &o->fields[i];
		char sub[512];
		join_key(sub, sizeof sub, path, f->name);
		ynode *v = map_get(map, f->name);
		void *p = base ? (char *)base + f->offset : NULL;
		if (v) {
			bind_field(L, f, v, base, sub);
			continue;
		}
		if ((f->flags & SF_REQUIRED) && !quiet) {
			/* at the key that opens the mapping ("spec:"), else at the mapping */
			const ynode *at = map ? map : where;
			if (at && at->kline > 0 && at->kind == YN_MAP)
				diag_add(L->errs, at->src, at->kline, at->kcol, sub,
					 "required field is missing");
			else
				err_at(L, at, sub, "required field is missing");
		}
		set_default(L, f, p, sub, map ? map : where);
	}
	if (o->check && base && !quiet && !direct_errors(L, errs_before, path)) {
		check_ctx c = {L, map, map ? map : (ynode *)where, path};
		o->check(&c, base);
	}
}

/* ---------------------------------------------------------------- check_ctx API */

/* The node at relative path rel (a.b[2].c) under map; the deepest written
 * ancestor when it is absent (*exact false). */
static ynode *locate(ynode *map, const char *rel, bool *exact)
{
	seg segs[16];
	size_t n;
	*exact = false;
	if (!map || parse_set_path(rel, segs, 16, &n) != 0)
		return map;
	ynode *cur = map;
	for (size_t i = 0; i < n; i++) {
		ynode *next = NULL;
		if (segs[i].key[0])
			next = map_get(cur, segs[i].key);
		else if (cur->kind == YN_SEQ && (size_t)segs[i].index < cur->n)
			next = cur->kids[segs[i].index];
		if (!next)
			return cur;
		cur = next;
	}
	*exact = true;
	return cur;
}

void check_error(check_ctx *c, const char *rel, const char *fmt, ...)
{
	char msg[1024], path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	bool exact;
	ynode *n = locate(c->map, rel, &exact);
	if (!n)
		n = c->where;
	if (rel[0] == '[')
		snprintf(path, sizeof path, "%s%s", c->path, rel);
	else
		join_key(path, sizeof path, c->path, rel);
	err_at(c->L, n, path, "%s", msg);
}

bool check_valid(check_ctx *c, const char *rel)
{
	char path[512];
	join_key(path, sizeof path, c->path, rel);
	size_t pl = strlen(path);
	for (size_t i = 0; i < c->L->errs->n; i++) {
		const char *e = c->L->errs->items[i].path;
		if (!strncmp(e, path, pl) && (e[pl] == '\0' || e[pl] == '.' || e[pl] == '['))
			return false;
	}
	return true;
}

bool check_present(check_ctx *c, const char *rel)
{
	bool exact;
	if (c->L->canonical)
		return false; /* canonical JSON writes every field */
	locate(c->map, rel, &exact);
	return exact;
}

void check_ref(check_ctx *c, const char *rel, const char *value_, schema_ref r)
{
	if (!value_ || !value_[0])
		return;
	bool exact;
	ynode *n = locate(c->map, rel, &exact);
	char path[512];
	join_key(path, sizeof path, c->path, rel);
	use_name(c->L, r, value_, n ? n : c->where, path);
}

/* ---------------------------------------------------------------- free */

static void free_object(const schema_object *o, void *base)
{
	if (!base)
		return;
	for (size_t i = 0; i < o->nfields; i++) {
		const schema_field *f = &o->fields[i];
		char *p = (char *)base + f->offset;
		switch (f->type) {
		case ST_STRING:
			free(*(char **)p);
			break;
		case ST_OBJECT:
			free_object(f->child, p);
			break;
		case ST_LIST: {
			char *items = *(char **)p;
			size_t n = *(size_t *)((char *)base + f->count_offset);
			for (size_t k = 0; items && k < n; k++)
				free_object(f->child, items + k * f->child->size);
			free(items);
			break;
		}
		case ST_LABELS: {
			scn_label *l = *(scn_label **)p;
			size_t n = *(size_t *)((char *)base + f->count_offset);
			for (size_t k = 0; l && k < n; k++) {
				free(l[k].key);
				free(l[k].value);
			}
			free(l);
			break;
		}
		case ST_STRINGS: {
			char **s = *(char ***)p;
			size_t n = *(size_t *)((char *)base + f->count_offset);
			for (size_t k = 0; s && k < n; k++)
				free(s[k]);
			free(s);
			break;
		}
		default:
			break;
		}
	}
}

void scenario_free(scenario *s)
{
	if (!s)
		return;
	free_object(schema_find_kind("Scenario")->root, s);
	free(s);
}

/* ---------------------------------------------------------------- documents */

/* Validates one document; returns its bound struct (Scenario only) or NULL. */
static void *load_doc(lctx *L, ydoc *doc, const char *src, const char *const *overrides,
		      size_t noverrides, scn_doc_info *info)
{
	size_t errs_before = L->errs->n;
	memset(info, 0, sizeof *info);
	info->line = doc->line;
	ynode *root = doc->root;
	if (!root || ynode_is_null(root)) {
		diag_add(L->errs, src, doc->line, 1, "", "empty document");
		return NULL;
	}
	if (root->kind != YN_MAP) {
		err_at(L, root, "", "a document must be a mapping with apiVersion, kind, metadata "
		       "and spec, got %s", ynode_what(root));
		return NULL;
	}
	ynode *kind = map_get(root, "kind");
	if (!kind) {
		err_at(L, root, "kind", "required field is missing (Scenario, Sweep, MeshProfile "
		       "or PriceSheet)");
		return NULL;
	}
	const schema_kind *k = kind->kind == YN_SCALAR ? schema_find_kind(kind->str) : NULL;
	if (!k) {
		const char *names[8];
		size_t n = 0;
		for (const schema_kind *s = schema_kinds; s->kind && n < 8; s++)
			names[n++] = s->kind;
		char hint[160] = "";
		if (kind->kind == YN_SCALAR)
			suggest(hint, sizeof hint, kind->str, names, n);
		err_at(L, kind, "kind", "unknown kind \"%s\"%s; expected Scenario, Sweep, "
		       "MeshProfile or PriceSheet", kind->kind == YN_SCALAR ? kind->str : "?", hint);
		return NULL;
	}
	snprintf(info->kind, sizeof info->kind, "%s", k->kind);
	ynode *meta = map_get(root, "metadata");
	ynode *name = map_get(meta, "name");
	if (name && name->kind == YN_SCALAR)
		snprintf(info->name, sizeof info->name, "%s", name->str);

	if (!strcmp(k->kind, "Scenario")) /* overrides apply to Scenario documents */
		for (size_t i = 0; i < noverrides; i++)
			apply_override(L, doc, overrides[i]);

	void *base = k->size ? scn_xcalloc(1, k->size) : NULL;
	bind_object(L, k->root, doc->root, base, "", doc->root, false);
	resolve_refs(L);
	reset_names(L);
	if (L->errs->n != errs_before) {
		free_object(k->root, base);
		free(base);
		return NULL;
	}
	return base;
}

static void lctx_free(lctx *L)
{
	reset_names(L);
	free(L->defs);
	free(L->uses);
	for (size_t i = 0; i < L->nsrcs; i++)
		free(L->srcs[i]);
	free(L->srcs);
}

/* Stable order by position, so errors read top to bottom; errors without a
 * position (the file, --set) come first. */
static void sort_diags(diag_list *l, size_t from)
{
	for (size_t i = from + 1; i < l->n; i++) {
		diag d = l->items[i];
		size_t j = i;
		while (j > from && (l->items[j - 1].line > d.line ||
				    (l->items[j - 1].line == d.line && l->items[j - 1].col > d.col))) {
			l->items[j] = l->items[j - 1];
			j--;
		}
		l->items[j] = d;
	}
}

static void free_kind(const char *kind, void *obj)
{
	const schema_kind *k = obj ? schema_find_kind(kind) : NULL;
	if (!k)
		return;
	free_object(k->root, obj);
	free(obj);
}

void scn_kind_free(const char *kind, void *obj)
{
	free_kind(kind, obj);
}

/* The core of every entry point. want_kind: exactly one document of that
 * kind (named want_name, if not NULL) is required and returned in *out. */
static int load_text(const char *name, const char *text, size_t len, unsigned flags,
		     const char *const *overrides, size_t noverrides, const char *want_kind,
		     const char *want_name, void **out, scn_doc_info *docs_info, size_t max,
		     size_t *ndocs_out, diag_list *errors)
{
	lctx L = {.errs = errors, .canonical = (flags & SCN_LOAD_CANONICAL) != 0};
	size_t errs_before = errors->n;
	ydoc *docs = NULL;
	size_t ndocs = 0;
	void *found = NULL;
	size_t nwanted = 0, nunknown = 0;
	if (out)
		*out = NULL;
	if (ndocs_out)
		*ndocs_out = 0;

	if (build_docs(&L, name, text, len, false, &docs, &ndocs) == 0) {
		if (ndocs == 0)
			diag_add(errors, name, 0, 0, "", "no YAML document in the file");
		for (size_t i = 0; i < ndocs; i++) {
			scn_doc_info info;
			if ((flags & SCN_LOAD_ONLY_KIND) && want_kind) {
				/* only the documents of the wanted kind are read */
				ynode *k = map_get(docs[i].root, "kind");
				if (!k || k->kind != YN_SCALAR || strcmp(k->str, want_kind))
					continue;
			}
			void *obj = load_doc(&L, &docs[i], name, overrides, noverrides, &info);
			bool wanted = want_kind && !strcmp(info.kind, want_kind) &&
				      (!want_name || !strcmp(info.name, want_name));
			if (wanted)
				nwanted++;
			if (!info.kind[0])
				nunknown++; /* already reported: no cascade below */
			if (obj) { /* Scenario, MeshProfile: the hash of the canonical JSON */
				char *json = NULL;
				if (scn_object_canonical_json(schema_find_kind(info.kind)->root, obj,
							      &json, info.hash_hex) != SCN_OK)
					diag_add(errors, name, info.line, 1, "",
						 "internal error: cannot make the canonical JSON");
				free(json);
			}
			if (obj) {
				if (wanted && !found)
					found = obj;
				else
					free_kind(info.kind, obj);
			}
			if (docs_info && i < max)
				docs_info[i] = info;
		}
		if (want_kind && nwanted == 0 && ndocs > 0 && nunknown == 0) {
			if (want_name)
				diag_add(errors, name, 0, 0, "", "no %s document named \"%s\" in the "
					 "file", want_kind, want_name);
			else
				diag_add(errors, name, 0, 0, "", "no %s document in the file (kind: "
					 "%s)", want_kind, want_kind);
		}
		if (want_kind && nwanted > 1)
			diag_add(errors, name, 0, 0, "",
				 "%zu %s documents%s in the file; expected one", nwanted, want_kind,
				 want_name ? " of that name" : "");
	}
	if (ndocs_out)
		*ndocs_out = ndocs;
	free_docs(docs, ndocs);
	lctx_free(&L);
	if (errors->n != errs_before) {
		sort_diags(errors, errs_before);
		if (found)
			free_kind(want_kind, found);
		return SCN_EDATA;
	}
	if (out)
		*out = found;
	else if (found)
		free_kind(want_kind, found);
	return SCN_OK;
}

static int read_file(const char *path, char **text, size_t *len, diag_list *errors)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_add(errors, path, 0, 0, "", "cannot open: %s", strerror(errno));
		return SCN_ENOINPUT;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = scn_xcalloc(1, cap + 1);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			if (cap >= MAX_FILE_BYTES) {
				diag_add(errors, path, 0, 0, "", "file larger than %u MiB",
					 MAX_FILE_BYTES >> 20);
				free(buf);
				fclose(f);
				return SCN_EDATA;
			}
			cap *= 2;
			char *b = realloc(buf, cap + 1);
			if (!b)
				abort();
			buf = b;
		}
	}
	if (ferror(f)) {
		diag_add(errors, path, 0, 0, "", "cannot read: %s", strerror(errno));
		free(buf);
		fclose(f);
		return SCN_ENOINPUT;
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return SCN_OK;
}

int scenario_load_string(const char *name, const char *text, size_t len, unsigned flags,
			 const char *const *overrides, size_t noverrides, scenario **out,
			 diag_list *errors)
{
	void *obj = NULL;
	int rc = load_text(name, text, len, flags, overrides, noverrides, "Scenario", NULL, &obj,
			   NULL, 0, NULL, errors);
	*out = obj;
	return rc;
}

int scenario_load(const char *path, const char *const *overrides, size_t noverrides,
		  scenario **out, diag_list *errors)
{
	char *text;
	size_t len;
	*out = NULL;
	int rc = read_file(path, &text, &len, errors);
	if (rc != SCN_OK)
		return rc;
	void *obj = NULL;
	rc = load_text(path, text, len, 0, overrides, noverrides, "Scenario", NULL, &obj, NULL, 0,
		       NULL, errors);
	*out = obj;
	free(text);
	return rc;
}

int scenario_validate_file(const char *path, const char *const *overrides, size_t noverrides,
			   scn_doc_info *docs, size_t max, size_t *ndocs, diag_list *errors)
{
	char *text;
	size_t len;
	*ndocs = 0;
	int rc = read_file(path, &text, &len, errors);
	if (rc != SCN_OK)
		return rc;
	rc = load_text(path, text, len, 0, overrides, noverrides, NULL, NULL, NULL, docs, max, ndocs,
		       errors);
	free(text);
	return rc;
}

int scn_load_kind_string(const char *name, const char *text, size_t len, unsigned flags,
			 const char *kind, const char *doc_name, void **out, diag_list *errors)
{
	return load_text(name, text, len, flags, NULL, 0, kind, doc_name, out, NULL, 0, NULL,
			 errors);
}

int scenario_field_position(const char *path, const char *const *overrides, size_t noverrides,
			    const char *field, const char **src, int *line, int *col)
{
	*src = path;
	*line = *col = 0;
	/* The last override of the field, or of an object or list holding it
	 * ("spec.mesh={...}"), wins, as in scenario_load. */
	for (size_t i = noverrides; i-- > 0;) {
		size_t plen = strcspn(overrides[i], "=");
		if (overrides[i][plen] == '=' && !strncmp(overrides[i], field, plen) &&
		    (field[plen] == '\0' || field[plen] == '.' || field[plen] == '[')) {
			*src = overrides[i];
			return 0;
		}
	}
	seg segs[32];
	size_t nseg;
	if (parse_set_path(field, segs, sizeof segs / sizeof segs[0], &nseg) != 0)
		return -1;
	diag_list quiet;
	diag_list_init(&quiet);
	char *text = NULL;
	size_t len = 0;
	int rc = -1;
	if (read_file(path, &text, &len, &quiet) == SCN_OK) {
		lctx L = {.errs = &quiet};
		ydoc *docs = NULL;
		size_t ndocs = 0;
		if (build_docs(&L, path, text, len, false, &docs, &ndocs) == 0) {
			for (size_t d = 0; d < ndocs && rc != 0; d++) {
				ynode *k = map_get(docs[d].root, "kind");
				if (!k || k->kind != YN_SCALAR || strcmp(k->str, "Scenario"))
					continue;
				const ynode *n = docs[d].root;
				for (size_t j = 0; j < nseg && n; j++) {
					if (segs[j].key[0])
						n = map_get(n, segs[j].key);
					else
						n = n->kind == YN_SEQ && (size_t)segs[j].index < n->n
							    ? n->kids[segs[j].index]
							    : NULL;
				}
				if (n) {
					*line = n->line;
					*col = n->col;
					rc = 0;
				}
			}
		}
		free_docs(docs, ndocs);
		lctx_free(&L);
	}
	free(text);
	diag_list_free(&quiet);
	return rc;
}

int scn_read_file(const char *path, char **text, size_t *len, diag_list *errors)
{
	return read_file(path, text, len, errors);
}
