/*
 * db/query.c - `meshsim query`: named and free read-only queries.
 */
#include "db/query.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cli/exit_codes.h"
#include "db/store_internal.h"

static const struct {
	const char *name;
	const char *sql;
} named[] = {
	{ "runs",
	  "SELECT run_id, run_uuid, scenario_name AS scenario, replication, seed, status,"
	  " started_at, wall_s, events, substr(config_hash, 1, 12) AS config, params"
	  " FROM v_run ORDER BY run_id" },
	{ "stats",
	  "SELECT run_id, scenario_name AS scenario, replication, entity_kind, entity, name,"
	  " unit, count, mean, p50, p90, p99, p999, max"
	  " FROM v_stat ORDER BY run_id, entity_kind, entity, name" },
	{ "scalars",
	  "SELECT run_id, scenario_name AS scenario, replication, entity_kind, entity, name,"
	  " value, unit FROM v_scalar ORDER BY run_id, entity_kind, entity, name" },
	{ "compare",
	  "SELECT entity_kind, entity, name, field, unit, scenario_name AS scenario,"
	  " substr(config_hash, 1, 12) AS config,"
	  " (SELECT params FROM v_run r WHERE r.config_hash = c.config_hash LIMIT 1) AS params,"
	  " n, mean, half_width AS ci95, lo, hi"
	  " FROM v_point_ci c ORDER BY entity_kind, entity, name,"
	  " CASE field WHEN 'value' THEN 0 WHEN 'mean' THEN 1 WHEN 'p50' THEN 2 WHEN 'p90'"
	  " THEN 3 WHEN 'p99' THEN 4 WHEN 'p999' THEN 5 ELSE 6 END, scenario, config" },
	{ "kpi", "SELECT * FROM v_kpi ORDER BY run_id" },
};

const char *query_named_sql(const char *name)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(named[i].name, name) == 0)
			return named[i].sql;
	return NULL;
}

const char *query_names(void)
{
	return "runs stats scalars compare kpi";
}

int query_format_parse(const char *s, query_format *f)
{
	if (strcmp(s, "table") == 0)
		*f = QUERY_TABLE;
	else if (strcmp(s, "csv") == 0)
		*f = QUERY_CSV;
	else if (strcmp(s, "json") == 0)
		*f = QUERY_JSON;
	else
		return -1;
	return 0;
}

/* ---- cell text --------------------------------------------------------- */

/* Text of a cell: full precision for csv, 6 significant digits for tables.
 * Blobs print as hex (csv) or as their size (table). Returns malloc'd. */
static char *cell_text(sqlite3_stmt *s, int i, int precise)
{
	char buf[64];
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		return strdup("");
	case SQLITE_INTEGER:
		snprintf(buf, sizeof buf, "%lld", (long long)sqlite3_column_int64(s, i));
		return strdup(buf);
	case SQLITE_FLOAT:
		snprintf(buf, sizeof buf, precise ? "%.17g" : "%.6g", sqlite3_column_double(s, i));
		return strdup(buf);
	case SQLITE_BLOB: {
		int n = sqlite3_column_bytes(s, i);
		const unsigned char *b = sqlite3_column_blob(s, i);
		if (!precise) {
			snprintf(buf, sizeof buf, "<%d bytes>", n);
			return strdup(buf);
		}
		char *h = malloc(2 * (size_t)n + 1);
		if (!h)
			return NULL;
		for (int k = 0; k < n; k++)
			snprintf(h + 2 * k, 3, "%02x", b[k]);
		h[2 * n] = '\0';
		return h;
	}
	default:
		return strdup((const char *)sqlite3_column_text(s, i));
	}
}

/* ---- formats ----------------------------------------------------------- */

static void csv_field(FILE *out, const char *v)
{
	if (strpbrk(v, ",\"\r\n") == NULL) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static int print_csv(sqlite3_stmt *s, FILE *out)
{
	int nc = sqlite3_column_count(s), rc;
	for (int i = 0; i < nc; i++) {
		if (i)
			fputc(',', out);
		csv_field(out, sqlite3_column_name(s, i));
	}
	fputs("\r\n", out);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < nc; i++) {
			char *v = cell_text(s, i, 1);
			if (!v)
				return SQLITE_NOMEM;
			if (i)
				fputc(',', out);
			csv_field(out, v);
			free(v);
		}
		fputs("\r\n", out);
	}
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static json_t *cell_json(sqlite3_stmt *s, int i)
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer((json_int_t)sqlite3_column_int64(s, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(s, i));
	case SQLITE_BLOB: {
		char *h = cell_text(s, i, 1);
		json_t *j = h ? json_string(h) : NULL;
		free(h);
		return j;
	}
	default: {
		const char *t = (const char *)sqlite3_column_text(s, i);
		json_t *j = json_string(t);
		return j ? j : json_stringn_nocheck(t, (size_t)sqlite3_column_bytes(s, i));
	}
	}
}

static int print_json(sqlite3_stmt *s, FILE *out)
{
	int nc = sqlite3_column_count(s), rc;
	json_t *rows = json_array();
	if (!rows)
		return SQLITE_NOMEM;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *o = json_object();
		if (!o || json_array_append_new(rows, o) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		for (int i = 0; i < nc; i++)
			json_object_set_new(o, sqlite3_column_name(s, i), cell_json(s, i));
	}
	if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
		if (json_dumpf(rows, out, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0)
			rc = SQLITE_IOERR;
		fputc('\n', out);
	}
	json_decref(rows);
	return rc;
}

/* Aligned columns, numbers right-aligned; needs all rows first. */
static int print_table(sqlite3_stmt *s, FILE *out)
{
	int nc = sqlite3_column_count(s), rc;
	size_t nrows = 0, cap = 0;
	char **cells = NULL;
	unsigned char *numeric = calloc((size_t)nc, 1);
	size_t *width = calloc((size_t)nc, sizeof *width);
	if (!numeric || !width) {
		rc = SQLITE_NOMEM;
		goto done;
	}
	for (int i = 0; i < nc; i++)
		width[i] = strlen(sqlite3_column_name(s, i));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nrows == cap) {
			cap = cap ? 2 * cap : 64;
			char **c = realloc(cells, cap * (size_t)nc * sizeof *c);
			if (!c) {
				rc = SQLITE_NOMEM;
				goto done;
			}
			cells = c;
		}
		for (int i = 0; i < nc; i++) {
			char *v = cell_text(s, i, 0);
			int t = sqlite3_column_type(s, i);
			cells[nrows * (size_t)nc + (size_t)i] = v;
			if (!v) {
				for (int k = i + 1; k < nc; k++)
					cells[nrows * (size_t)nc + (size_t)k] = NULL;
				nrows++;
				rc = SQLITE_NOMEM;
				goto done;
			}
			if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
				numeric[i] = 1;
			size_t w = strlen(v);
			if (w > width[i])
				width[i] = w;
		}
		nrows++;
	}
	if (rc != SQLITE_DONE)
		goto done;
	rc = SQLITE_OK;
	for (int i = 0; i < nc; i++) {
		const char *name = sqlite3_column_name(s, i);
		fputs(i ? "  " : "", out);
		if (numeric[i])
			fprintf(out, "%*s", (int)width[i], name);
		else
			fprintf(out, "%-*s", i == nc - 1 ? 0 : (int)width[i], name);
	}
	fputc('\n', out);
	for (int i = 0; i < nc; i++) {
		fputs(i ? "  " : "", out);
		for (size_t k = 0; k < width[i]; k++)
			fputc('-', out);
	}
	fputc('\n', out);
	for (size_t r = 0; r < nrows; r++) {
		for (int i = 0; i < nc; i++) {
			const char *v = cells[r * (size_t)nc + (size_t)i];
			int w = (int)width[i];
			if (i)
				fputs("  ", out);
			if (numeric[i])
				fprintf(out, "%*s", w, v);
			else
				fprintf(out, "%-*s", i == nc - 1 ? 0 : w, v);
		}
		fputc('\n', out);
	}
done:
	for (size_t k = 0; k < nrows * (size_t)nc; k++)
		free(cells[k]);
	free(cells);
	free(numeric);
	free(width);
	return rc;
}

/* ---- entry ------------------------------------------------------------- */

static int only_blank(const char *p)
{
	for (; *p; p++)
		if (!isspace((unsigned char)*p) && *p != ';')
			return 0;
	return 1;
}

int store_query(const char *path, const char *sql, query_format fmt, FILE *out,
                char *err, size_t errlen)
{
	int code;
	sqlite3 *db = store_open_input(path, &code, err, errlen);
	if (!db)
		return code;

	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, &tail);
	if (rc != SQLITE_OK || !s) {
		snprintf(err, errlen, "bad SQL: %s", rc != SQLITE_OK ? sqlite3_errmsg(db) : "empty");
		code = EXIT_USAGE;
		goto out;
	}
	if (tail && !only_blank(tail)) {
		snprintf(err, errlen, "--sql takes one statement; remove what follows '%.40s'", tail);
		code = EXIT_USAGE;
		goto out;
	}
	if (!sqlite3_stmt_readonly(s)) {
		snprintf(err, errlen, "--sql must not write: the database is opened read-only");
		code = EXIT_USAGE;
		goto out;
	}
	switch (fmt) {
	case QUERY_CSV:
		rc = print_csv(s, out);
		break;
	case QUERY_JSON:
		rc = print_json(s, out);
		break;
	default:
		rc = print_table(s, out);
		break;
	}
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_IOERR) {
			snprintf(err, errlen, "cannot write the output");
			code = EXIT_IOERR;
		} else if ((rc & 0xff) == SQLITE_ERROR) {
			snprintf(err, errlen, "SQL error: %s", sqlite3_errmsg(db));
			code = EXIT_USAGE;
		} else {
			code = store_sqlite_error(db, rc, path, err, errlen);
		}
		goto out;
	}
	if (fflush(out) != 0 || ferror(out)) {
		snprintf(err, errlen, "cannot write the output");
		code = EXIT_IOERR;
		goto out;
	}
	code = 0;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return code;
}
