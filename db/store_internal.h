/*
 * db/store_internal.h - shared between the files of db/ only.
 */
#ifndef MESHSIM_DB_STORE_INTERNAL_H
#define MESHSIM_DB_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* The text of db/schema.sql. */
extern const char store_schema_sql[];

/* Formats "path: what (sqlite detail)" for an SQLite result code into err
 * and returns the exit status it maps to (73, 74 or 70). */
int store_sqlite_error(sqlite3 *db, int rc, const char *path, char *err, size_t errlen);

/* Checks that db (already open) is a meshsim database this build can read.
 * Returns 0, or an exit status with a message: `bad` is the status to use
 * for a file that is not a meshsim database (73 for an output, 65 for an
 * input). An empty database is accepted only if empty_ok; *is_empty tells. */
int store_check_db(sqlite3 *db, const char *path, int bad, int empty_ok,
                   int *is_empty, char *err, size_t errlen);

/* Opens an existing meshsim database read-only (queries, merge inputs).
 * Returns NULL with the exit status (66 missing or unreadable, 65 not a
 * meshsim database) and a message. */
sqlite3 *store_open_input(const char *path, int *exit_code, char *err, size_t errlen);

/* Runs a statement that yields one integer (a pragma, a count) into *v.
 * Returns an SQLite result code (SQLITE_OK when *v was set). */
int store_query_int(sqlite3 *db, const char *sql, int64_t *v);

#endif
