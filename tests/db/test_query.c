/*
 * tests/db/test_query.c - `meshsim query`: named queries in the three
 * formats give back the stored numbers; --sql is read-only and one
 * statement; missing and foreign databases give the documented status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>

#include "cli/exit_codes.h"
#include "db/query.h"
#include "tests/db/fixture.h"

#define U0 "cccccccc-0000-4000-8000-000000000000"
#define U1 "cccccccc-0000-4000-8000-000000000001"

static tmpdir dir;
static char dbpath[512];

static int setup(void **state)
{
	(void)state;
	char err[512];
	int code;
	tmpdir_make(&dir);
	tmpdir_file(&dir, "q.db", dbpath, sizeof dbpath);
	ms_store *st = store_open(dbpath, err, sizeof err, &code);
	if (!st)
		return -1;
	int rc = fixture_write_run(st, U0, "istio", "{\"mesh\":\"istio\"}", 0, 1.0) ||
	         fixture_write_run(st, U1, "istio", "{\"mesh\":\"istio\"}", 1, 1.0);
	store_close(st);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	tmpdir_remove(&dir);
	return 0;
}

/* Runs a query into a string; returns the exit status. */
static int run_query(const char *sql, query_format fmt, char **text, char *err, size_t errlen)
{
	size_t len;
	FILE *f = open_memstream(text, &len);
	assert_non_null(f);
	int code = store_query(dbpath, sql, fmt, f, err, errlen);
	fclose(f);
	return code;
}

static void test_json_gives_stored_numbers(void **state)
{
	(void)state;
	char *text, err[512];
	assert_int_equal(run_query(query_named_sql("stats"), QUERY_JSON, &text, err, sizeof err), 0);
	json_error_t je;
	json_t *rows = json_loads(text, 0, &je);
	if (!rows)
		fail_msg("bad json: %s\n%s", je.text, text);
	assert_int_equal(json_array_size(rows), 2);

	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count, mean, p50, p90, p99, p999, max"
		" FROM stat ORDER BY run_id", -1, &s, NULL), SQLITE_OK);
	static const char *const cols[] = { "count", "mean", "p50", "p90", "p99", "p999", "max" };
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		json_t *o = json_array_get(rows, i);
		assert_string_equal(json_string_value(json_object_get(o, "name")), "latency");
		assert_string_equal(json_string_value(json_object_get(o, "unit")), "s");
		assert_int_equal(json_integer_value(json_object_get(o, "count")), 1000);
		for (int c = 1; c < 7; c++) {
			json_t *v = json_object_get(o, cols[c]);
			assert_true(json_is_real(v));
			assert_true(json_real_value(v) == sqlite3_column_double(s, c)); /* bit-exact */
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	json_decref(rows);
	free(text);

	/* runs: uuids, statuses and the params object */
	assert_int_equal(run_query(query_named_sql("runs"), QUERY_JSON, &text, err, sizeof err), 0);
	rows = json_loads(text, 0, &je);
	assert_non_null(rows);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "run_uuid")), U1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "status")), "ok");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "events")), 123456);
	json_decref(rows);
	free(text);

	/* compare: mean and interval over the two replications */
	assert_int_equal(run_query("SELECT n, mean, ci95 FROM (" "SELECT * FROM v_point_ci) WHERE 0",
	                           QUERY_JSON, &text, err, sizeof err), EXIT_USAGE); /* unknown column */
	free(text);
	assert_int_equal(run_query(query_named_sql("compare"), QUERY_JSON, &text, err, sizeof err), 0);
	rows = json_loads(text, 0, &je);
	assert_non_null(rows);
	json_t *o = NULL;
	size_t i;
	json_array_foreach(rows, i, o) {
		if (strcmp(json_string_value(json_object_get(o, "name")), "throughput") == 0)
			break;
	}
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 2);
	assert_true(fabs(json_real_value(json_object_get(o, "mean")) - 10.5) < 1e-12);
	/* values 10 and 11: s = 0.7071, t(0.975, 1) = 12.706 -> 6.353 */
	assert_true(fabs(json_real_value(json_object_get(o, "ci95")) - 6.35310236) < 1e-6);
	json_decref(rows);
	free(text);
}

static void test_csv_and_table(void **state)
{
	(void)state;
	char *text, err[512];
	assert_int_equal(run_query("SELECT r.run_uuid, a.value FROM run_attr a JOIN run r USING"
	                           " (run_id) ORDER BY 1", QUERY_CSV, &text, err, sizeof err), 0);
	assert_string_equal(text, "run_uuid,value\r\n"
	                          U0 ",\"perf, \"\"core\"\"\"\r\n"
	                          U1 ",\"perf, \"\"core\"\"\"\r\n");
	free(text);

	assert_int_equal(run_query("SELECT 1.5 AS x, NULL AS y, 'abc' AS z, x'0a0b' AS w",
	                           QUERY_CSV, &text, err, sizeof err), 0);
	assert_string_equal(text, "x,y,z,w\r\n1.5,,abc,0a0b\r\n");
	free(text);

	assert_int_equal(run_query("SELECT 1.5 AS x, 'abc' AS longname UNION ALL SELECT 100, 'd'",
	                           QUERY_TABLE, &text, err, sizeof err), 0);
	assert_string_equal(text, "  x  longname\n"
	                          "---  --------\n"
	                          "1.5  abc\n"
	                          "100  d\n");
	free(text);

	for (const char *const *n = (const char *const[]){ "runs", "stats", "scalars", "compare",
	                                                    "kpi", NULL }; *n; n++) {
		for (int f = QUERY_TABLE; f <= QUERY_JSON; f++) {
			assert_int_equal(run_query(query_named_sql(*n), (query_format)f, &text, err,
			                           sizeof err), 0);
			assert_true(strlen(text) > 20);
			free(text);
		}
	}
	assert_null(query_named_sql("nope"));
}

static void test_sql_is_read_only(void **state)
{
	(void)state;
	char *text, err[512];
	char *before = fixture_dump(dbpath);
	assert_int_equal(run_query("DELETE FROM run", QUERY_TABLE, &text, err, sizeof err), EXIT_USAGE);
	assert_non_null(strstr(err, "must not write"));
	free(text);
	assert_int_equal(run_query("SELECT 1; DELETE FROM run", QUERY_TABLE, &text, err, sizeof err),
	                 EXIT_USAGE);
	assert_non_null(strstr(err, "one statement"));
	free(text);
	assert_int_equal(run_query("SELEKT 1", QUERY_TABLE, &text, err, sizeof err), EXIT_USAGE);
	free(text);
	assert_int_equal(run_query("SELECT 1;  ", QUERY_CSV, &text, err, sizeof err), 0);
	free(text);
	char *after = fixture_dump(dbpath);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_bad_databases(void **state)
{
	(void)state;
	char err[512], other[512];
	assert_int_equal(store_query("/nonexistent/x.db", "SELECT 1", QUERY_CSV, stdout, err,
	                             sizeof err), EXIT_NOINPUT);
	assert_non_null(strstr(err, "No such file"));
	tmpdir_file(&dir, "other.db", other, sizeof other);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_query(other, "SELECT 1", QUERY_CSV, stdout, err, sizeof err),
	                 EXIT_DATAERR);
	assert_non_null(strstr(err, "not a meshsim database"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_gives_stored_numbers),
		cmocka_unit_test(test_csv_and_table),
		cmocka_unit_test(test_sql_is_read_only),
		cmocka_unit_test(test_bad_databases),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
