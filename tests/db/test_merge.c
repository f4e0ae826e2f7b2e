/*
 * tests/db/test_merge.c - `meshsim merge`: merging two databases gives
 * the same rows as writing both sets of runs into one; merging again adds
 * nothing; bad inputs leave the output untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cli/exit_codes.h"
#include "tests/db/fixture.h"

#define UA1 "aaaaaaaa-0000-4000-8000-000000000001"
#define UA2 "aaaaaaaa-0000-4000-8000-000000000002"
#define UB1 "bbbbbbbb-0000-4000-8000-000000000001"
#define UB2 "bbbbbbbb-0000-4000-8000-000000000002"

static void write_a(ms_store *st)
{
	assert_int_equal(fixture_write_run(st, UA1, "istio", "{\"mesh\":\"istio\"}", 0, 1.0), 0);
	assert_int_equal(fixture_write_run(st, UA2, "istio", "{\"mesh\":\"istio\"}", 1, 1.0), 0);
}

static void write_b(ms_store *st)
{
	assert_int_equal(fixture_write_run(st, UB1, "cilium", "{\"mesh\":\"cilium\"}", 0, 2.0), 0);
	assert_int_equal(fixture_write_run(st, UB2, "cilium", "{\"mesh\":\"cilium\"}", 1, 2.5), 0);
}

static ms_store *open_ok(const char *path)
{
	char err[512];
	int code;
	ms_store *st = store_open(path, err, sizeof err, &code);
	if (!st)
		fail_msg("%s", err);
	return st;
}

static void test_merge_equals_one_database(void **state)
{
	(void)state;
	tmpdir t;
	char a[512], b[512], one[512], out[512], err[512];
	tmpdir_make(&t);
	tmpdir_file(&t, "a.db", a, sizeof a);
	tmpdir_file(&t, "b.db", b, sizeof b);
	tmpdir_file(&t, "one.db", one, sizeof one);
	tmpdir_file(&t, "out.db", out, sizeof out);

	ms_store *st = open_ok(a);
	write_a(st);
	store_close(st);
	st = open_ok(b);
	write_b(st);
	store_close(st);
	st = open_ok(one);
	write_a(st);
	write_b(st);
	store_close(st);

	const char *in[] = { a, b };
	size_t added = 99, skipped = 99;
	int code = store_merge(out, in, 2, &added, &skipped, err, sizeof err);
	if (code)
		fail_msg("merge: %d %s", code, err);
	assert_int_equal(added, 4);
	assert_int_equal(skipped, 0);

	char *want = fixture_dump(one), *got = fixture_dump(out);
	assert_non_null(want);
	assert_non_null(got);
	assert_true(strlen(want) > 2000);
	assert_string_equal(want, got);
	/* the confidence-interval view agrees too */
	assert_int_equal(fixture_int(out, "SELECT count(*) FROM v_point_ci"),
	                 fixture_int(one, "SELECT count(*) FROM v_point_ci"));
	assert_int_equal(fixture_int(out, "SELECT count(*) FROM v_point_ci WHERE n = 2"),
	                 fixture_int(one, "SELECT count(*) FROM v_point_ci WHERE n = 2"));
	assert_int_equal(fixture_int(out, "SELECT count(*) FROM pragma_integrity_check"
	                                  " WHERE integrity_check <> 'ok'"), 0);
	assert_int_equal(fixture_int(out, "SELECT count(*) FROM pragma_foreign_key_check"), 0);

	/* again, in another order and with an input twice: nothing added */
	const char *again[] = { b, a, b };
	code = store_merge(out, again, 3, &added, &skipped, err, sizeof err);
	assert_int_equal(code, 0);
	assert_int_equal(added, 0);
	assert_int_equal(skipped, 6);
	free(got);
	got = fixture_dump(out);
	assert_string_equal(want, got);

	/* into a database that already has runs of its own (ids collide) */
	const char *only_b[] = { b };
	code = store_merge(a, only_b, 1, &added, &skipped, err, sizeof err);
	assert_int_equal(code, 0);
	assert_int_equal(added, 2);
	free(got);
	got = fixture_dump(a);
	assert_string_equal(want, got);

	/* into itself: nothing changes */
	const char *self[] = { a };
	assert_int_equal(store_merge(a, self, 1, &added, &skipped, err, sizeof err), 0);
	free(got);
	got = fixture_dump(a);
	assert_string_equal(want, got);
	free(want);
	free(got);
	tmpdir_remove(&t);
}

static void test_merge_bad_inputs(void **state)
{
	(void)state;
	tmpdir t;
	char a[512], bad[512], out[512], missing[512], err[512];
	tmpdir_make(&t);
	tmpdir_file(&t, "a.db", a, sizeof a);
	tmpdir_file(&t, "bad.db", bad, sizeof bad);
	tmpdir_file(&t, "out.db", out, sizeof out);
	tmpdir_file(&t, "missing.db", missing, sizeof missing);

	ms_store *st = open_ok(a);
	write_a(st);
	store_close(st);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(bad, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE run (x INTEGER)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	const char *in1[] = { a, bad };
	assert_int_equal(store_merge(out, in1, 2, NULL, NULL, err, sizeof err), EXIT_DATAERR);
	assert_non_null(strstr(err, "not a meshsim database"));
	assert_int_equal(access(out, F_OK), -1); /* checked before creating the output */

	const char *in2[] = { a, missing };
	assert_int_equal(store_merge(out, in2, 2, NULL, NULL, err, sizeof err), EXIT_NOINPUT);
	assert_non_null(strstr(err, "No such file"));

	/* an output that is not a meshsim database is refused, untouched */
	const char *in3[] = { a };
	assert_int_equal(store_merge(bad, in3, 1, NULL, NULL, err, sizeof err), EXIT_CANTCREAT);
	assert_int_equal(fixture_int(bad, "SELECT count(*) FROM sqlite_schema"), 1);
	tmpdir_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_equals_one_database),
		cmocka_unit_test(test_merge_bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
