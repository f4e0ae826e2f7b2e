/*
 * db/query.h - read-only queries of a results database, printed as an
 * aligned table, CSV (RFC 4180) or JSON (an array of objects).
 */
#ifndef MESHSIM_DB_QUERY_H
#define MESHSIM_DB_QUERY_H

#include <stddef.h>
#include <stdio.h>

typedef enum query_format { QUERY_TABLE, QUERY_CSV, QUERY_JSON } query_format;

/* Parses "table", "csv" or "json". Returns 0, or -1 if unknown. */
int query_format_parse(const char *s, query_format *f);

/* The SQL of a named query (runs, stats, scalars, compare, kpi), or NULL. */
const char *query_named_sql(const char *name);
/* The names, space-separated, for help texts. */
const char *query_names(void);

/* Runs one read-only SQL statement (a named query's or the user's) on the
 * database at path, opened read-only, and prints the result on out.
 * Returns 0 or an exit status with a message in err: 66 missing or
 * unreadable database, 65 not a meshsim database, 2 a bad or writing
 * statement, 74 output or read error. */
int store_query(const char *path, const char *sql, query_format fmt, FILE *out,
                char *err, size_t errlen);

#endif
