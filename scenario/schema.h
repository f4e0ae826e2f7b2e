/*
 * scenario/schema.h - the one description of every document kind and field.
 *
 * The loader (scenario/loader.c) validates and binds YAML with these tables,
 * `meshsim explain` prints them, and the canonical JSON (canonical.c) walks
 * them over the bound structs: a field exists, has a type, a unit, a default,
 * a range and a documentation string in exactly one place (schema.c).
 */
#ifndef MESHSIM_SCENARIO_SCHEMA_H
#define MESHSIM_SCENARIO_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/diag.h"

typedef enum schema_type {
	ST_STRING,   /* char *                                   */
	ST_ENUM,     /* int (an index into enum_values)          */
	ST_BOOL,     /* bool                                     */
	ST_INT,      /* int64_t                                  */
	ST_NUMBER,   /* double, dimensionless                    */
	ST_DURATION, /* int64_t nanoseconds                      */
	ST_CPU,      /* double cores                             */
	ST_BYTES,    /* int64_t bytes                            */
	ST_RATE,     /* double per second                        */
	ST_LABELS,   /* map string->string: scn_label *, size_t  */
	ST_STRINGS,  /* list of scalars: char **, size_t         */
	ST_OBJECT,   /* embedded struct described by child       */
	ST_LIST,     /* list of child structs: T *, size_t       */
	ST_BITRATE   /* double bits per second                   */
} schema_type;

/* Names in a document that other fields refer to. */
typedef enum schema_ref {
	REF_NONE = 0,
	REF_NODE_TYPE,
	REF_NODE_POOL,
	REF_NAMESPACE,
	REF_SERVICE,
	REF_WORKLOAD,
	REF_CHURN,
	REF_MESH_COMPONENT,
	REF__COUNT
} schema_ref;

enum {
	SF_REQUIRED = 1u << 0, /* must be present */
	SF_NAME = 1u << 1      /* defines a name of kind `ref` (unique in the document) */
};

typedef struct schema_object schema_object;
typedef struct check_ctx check_ctx;

typedef struct schema_field {
	const char *name;     /* YAML key (camelCase) */
	schema_type type;
	unsigned flags;       /* SF_* */
	const char *def;      /* default as the user would write it; NULL = none (zero/""/empty) */
	const char *min;      /* inclusive lower bound in the field's notation; NULL = none */
	const char *max;      /* inclusive upper bound; NULL = none */
	const char *const *enum_values; /* ST_ENUM / ST_STRING choices, NULL-terminated */
	schema_ref ref;       /* SF_NAME: the name defined; otherwise a reference to check */
	const schema_object *child; /* ST_OBJECT / ST_LIST */
	size_t offset;        /* offset of the value (or of the pointer for lists) in the struct */
	size_t count_offset;  /* lists, labels: offset of the size_t count */
	const char *doc;      /* one or more sentences */
} schema_field;

struct schema_object {
	const char *name;     /* type name shown by explain, e.g. "Workload" */
	const schema_field *fields;
	size_t nfields;
	size_t size;          /* sizeof the struct (list elements); 0 = validate only, no storage */
	const char *doc;
	/* Cross-field checks after the fields are bound (obj is the struct). Runs
 * when the object and its own fields had no error; errors deeper down do
 * not stop it (guard reads of nested values with check_valid). */
	void (*check)(check_ctx *c, const void *obj);
};

typedef struct schema_kind {
	const char *kind;     /* "Scenario" ... */
	const schema_object *root; /* the whole document: apiVersion, kind, metadata, spec */
	size_t size;          /* sizeof the root struct; 0 = validate only */
	const char *doc;
} schema_kind;

/* The kinds, NULL-terminated by a zero entry (kind == NULL). */
extern const schema_kind schema_kinds[];

const schema_kind *schema_find_kind(const char *kind);
const schema_field *schema_find_field(const schema_object *obj, const char *name);

/* A name for a type as `explain` shows it: "duration", "[]Workload", ... */
const char *schema_type_name(const schema_field *f);
/* The base unit of a type ("ns", "bytes", ...), for documentation; "" if none. */
const char *schema_type_unit(schema_type t);
const char *schema_ref_name(schema_ref r);

/* " (did you mean "x"?)" for the candidate closest to got, or "" (loader.c). */
void schema_suggest(char *buf, size_t size, const char *got, const char *const *cands, size_t n);

/* ---- loading other kinds (loader.c; used by meshprofile.c) ---- */

/*
 * Loads every document of text and returns the bound root struct of the one
 * document of `kind` (named doc_name, if not NULL) in *out; free it with
 * scn_kind_free. Flags and return codes as scenario_load_string.
 */
/* A flag of scn_load_kind_string: read only the documents of `kind` (the
 * others, e.g. a Scenario that needs its --set overrides, are skipped). */
#define SCN_LOAD_ONLY_KIND 0x100u
int scn_load_kind_string(const char *name, const char *text, size_t len, unsigned flags,
			 const char *kind, const char *doc_name, void **out, diag_list *errors);
void scn_kind_free(const char *kind, void *obj);
/* Reads a whole file (NUL-terminated); SCN_OK, SCN_ENOINPUT or SCN_EDATA. */
int scn_read_file(const char *path, char **text, size_t *len, diag_list *errors);
/* Canonical JSON and SHA-256 of any bound object (canonical.c). */
int scn_object_canonical_json(const schema_object *root, const void *base, char **json,
			      char hash_hex[65]);

/* ---- cross-field checks (called from schema.c, implemented in loader.c) ---- */

/* Reports an error about the field at relative path `rel` of the object
 * being checked ("mtls", "services[2].placement.nodeIndex"), at the field's
 * position when it was written, at its nearest written ancestor's otherwise. */
void check_error(check_ctx *c, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Whether no error was reported at or under the field at relative path rel
 * (checks reading nested values guard with it: a failed value holds its default). */
bool check_valid(check_ctx *c, const char *rel);
/* Whether the field at relative path `rel` was written (not defaulted). */
bool check_present(check_ctx *c, const char *rel);
/* Requires `value` (the value of field `rel`) to be a defined name of kind r;
 * checked once the whole document is read. "" is accepted (no reference). */
void check_ref(check_ctx *c, const char *rel, const char *value, schema_ref r);

/* Zeroed allocation and string copy for the loaders; out of memory aborts
 * with a message (a half-loaded document is of no use). (loader.c) */
void *scn_xcalloc(size_t n, size_t size);
char *scn_xstrdup(const char *s);

#endif
