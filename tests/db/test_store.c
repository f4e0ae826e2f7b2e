/*
 * tests/db/test_store.c - the results store: a stored run reads back with
 * the same numbers, runs are all-or-nothing, and a locked, read-only, full
 * or foreign database fails cleanly with the documented exit status and
 * loses nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_cdf.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli/exit_codes.h"
#include "tests/db/fixture.h"

static const char *CONFIG = "{\"kind\":\"Scenario\",\"spec\":{\"qps\":100}}";

static ms_store *open_ok(const char *path)
{
	char err[512];
	int code = -1;
	ms_store *st = store_open(path, err, sizeof err, &code);
	if (!st)
		fail_msg("store_open(%s): %d %s", path, code, err);
	assert_int_equal(code, 0);
	return st;
}

static long long count_all_rows(const char *path)
{
	return fixture_int(path,
		"SELECT (SELECT count(*) FROM run) + (SELECT count(*) FROM run_param)"
		" + (SELECT count(*) FROM run_attr) + (SELECT count(*) FROM scalar)"
		" + (SELECT count(*) FROM stat) + (SELECT count(*) FROM series)"
		" + (SELECT count(*) FROM series_point) + (SELECT count(*) FROM cost)"
		" + (SELECT count(*) FROM verdict)");
}

static void assert_integrity(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* ---- round trip -------------------------------------------------------- */

static void test_round_trip(void **state)
{
	(void)state;
	tmpdir t;
	char path[512];
	tmpdir_make(&t);
	tmpdir_file(&t, "r.db", path, sizeof path);

	ms_store *st = open_ok(path);
	store_run_meta m = {
		.scenario_name = "default", .experiment = "exp1", .config_json = CONFIG,
		.seed = UINT64_C(0xfedcba9876543210), .replication = 3, .started_at = 1790000000.5,
		.sim_end_s = 65.0, .warmup_s = 5.0, .host = "h1",
	};
	ms_run *r = store_run_begin(st, &m);
	assert_non_null(r);
	assert_int_equal(strlen(store_run_uuid(r)), 36);
	char uuid[37];
	snprintf(uuid, sizeof uuid, "%s", store_run_uuid(r));

	histogram h;
	assert_int_equal(hist_init(&h, INT64_C(60000000000)), 0);
	for (int i = 1; i <= 10000; i++)
		hist_record(&h, (int64_t)i * 1234 + (i % 7) * 100000);
	tally tl;
	tally_init(&tl);
	tally_add(&tl, 1.0);
	tally_add(&tl, 2.0);
	tally_add(&tl, 4.0);
	double ts[4] = { 0, 10, 20, 30 }, vs[4] = { 0.5, 0.25, NAN, 1e-300 };

	assert_int_equal(store_add_param(r, "qps", "1000"), 0);
	assert_int_equal(store_add_param(r, "mesh", "ambient"), 0);
	assert_int_equal(store_add_attr(r, "label", "x"), 0);
	assert_int_equal(store_add_scalar(r, "client", NULL, "throughput", 998.75, "1/s"), 0);
	assert_int_equal(store_add_scalar(r, "proxy", "p1", "nan", NAN, NULL), 0);
	assert_int_equal(store_add_stat(r, "client", NULL, "latency", "s", 1e-9, &h), 0);
	assert_int_equal(store_add_tally(r, "istiod", "", "push_time", "s", &tl), 0);
	assert_int_equal(store_add_series(r, "node", "n1", "cpu", "1", 10.0, ts, vs, 4), 0);
	series win;
	assert_int_equal(series_init(&win, 2 * SIM_S, SIM_S / 2), 0);
	assert_int_equal(series_add(&win, 2 * SIM_S + 1, 3.0), 0);
	assert_int_equal(series_add(&win, 2 * SIM_S + 2, 5.0), 0);
	assert_int_equal(series_add(&win, 3 * SIM_S + 1, 1.0), 0); /* window 2; window 1 empty */
	assert_int_equal(store_add_windows(r, "client", "", "rps", "1/s", &win, STORE_WINDOW_RATE), 0);
	assert_int_equal(store_add_windows(r, "client", "", "avg", "s", &win, STORE_WINDOW_MEAN), 0);
	series_free(&win);
	assert_int_equal(store_add_cost(r, "ztunnel", 2.5, 0.5, 0.125, "sheet"), 0);
	assert_int_equal(store_add_verdict(r, "stability", 0, "unstable", 3.0, 1.0, "{}"), 0);
	assert_int_equal(store_run_commit(r, STORE_OK, NULL, 987654321, 12.5), 0);
	store_close(st);

	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	/* the run row */
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT run_uuid, scenario_name, experiment, config_json, config_hash, seed,"
		" replication, status, error, events, wall_s, started_at, sim_end_s, host,"
		" finished_at IS NOT NULL, tool_version IS NOT NULL FROM run", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), uuid);
	assert_string_equal(sqlite3_column_text(s, 1), "default");
	assert_string_equal(sqlite3_column_text(s, 2), "exp1");
	assert_string_equal(sqlite3_column_text(s, 3), CONFIG);
	assert_int_equal(strlen((const char *)sqlite3_column_text(s, 4)), 64);
	assert_true((uint64_t)sqlite3_column_int64(s, 5) == UINT64_C(0xfedcba9876543210));
	assert_int_equal(sqlite3_column_int(s, 6), 3);
	assert_string_equal(sqlite3_column_text(s, 7), "ok");
	assert_int_equal(sqlite3_column_type(s, 8), SQLITE_NULL);
	assert_int_equal(sqlite3_column_int64(s, 9), 987654321);
	assert_true(sqlite3_column_double(s, 10) == 12.5);
	assert_string_equal(sqlite3_column_text(s, 11), "2026-09-21T14:13:20.500Z");
	assert_true(sqlite3_column_double(s, 12) == 65.0);
	assert_string_equal(sqlite3_column_text(s, 13), "h1");
	assert_int_equal(sqlite3_column_int(s, 14), 1);
	assert_int_equal(sqlite3_column_int(s, 15), 1);
	sqlite3_finalize(s);

	/* the config hash is SHA-256 of the config: same text, same hash */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value_num, value FROM run_param"
		" ORDER BY name", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(s, 0), SQLITE_NULL);
	assert_string_equal(sqlite3_column_text(s, 1), "ambient");
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_true(sqlite3_column_double(s, 0) == 1000.0);
	sqlite3_finalize(s);

	/* scalars: exact, NaN as NULL, NULL entity as '' */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM scalar WHERE entity_kind ="
		" 'client' AND entity = '' AND name = 'throughput'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_true(sqlite3_column_double(s, 0) == 998.75);
	sqlite3_finalize(s);
	assert_int_equal(fixture_int(path, "SELECT value IS NULL FROM scalar WHERE name = 'nan'"), 1);

	/* the latency statistic: the histogram's own numbers, scaled to s */
	assert_int_equal(sqlite3_prepare_v2(db,
		"SELECT count, sum, min, max, mean, stddev, p50, p90, p99, p999, hist_scale, hist, unit"
		" FROM stat WHERE name = 'latency'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), 10000);
	assert_true(sqlite3_column_double(s, 1) == h.sum * 1e-9);
	assert_true(sqlite3_column_double(s, 2) == (double)h.min * 1e-9);
	assert_true(sqlite3_column_double(s, 3) == (double)h.max * 1e-9);
	assert_true(sqlite3_column_double(s, 4) == hist_mean(&h) * 1e-9);
	assert_true(sqlite3_column_double(s, 5) == hist_stddev(&h) * 1e-9);
	assert_true(sqlite3_column_double(s, 6) == (double)hist_quantile(&h, 0.5) * 1e-9);
	assert_true(sqlite3_column_double(s, 7) == (double)hist_quantile(&h, 0.9) * 1e-9);
	assert_true(sqlite3_column_double(s, 8) == (double)hist_quantile(&h, 0.99) * 1e-9);
	assert_true(sqlite3_column_double(s, 9) == (double)hist_quantile(&h, 0.999) * 1e-9);
	assert_true(sqlite3_column_double(s, 10) == 1e-9);
	assert_string_equal(sqlite3_column_text(s, 12), "s");
	histogram back;
	assert_int_equal(hist_decode(&back, sqlite3_column_blob(s, 11),
	                             (size_t)sqlite3_column_bytes(s, 11)), 0);
	assert_true(back.count == h.count);
	assert_true(back.min == h.min && back.max == h.max);
	for (double q = 0.0; q <= 1.0; q += 0.125)
		assert_true(hist_quantile(&back, q) == hist_quantile(&h, q));
	hist_free(&back);
	sqlite3_finalize(s);
	hist_free(&h);

	/* the tally */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count, mean, min, max, stddev, p50, hist"
		" FROM stat WHERE name = 'push_time'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 3);
	assert_true(fabs(sqlite3_column_double(s, 1) - 7.0 / 3.0) < 1e-12);
	assert_true(sqlite3_column_double(s, 2) == 1.0 && sqlite3_column_double(s, 3) == 4.0);
	assert_true(fabs(sqlite3_column_double(s, 4) - sqrt(7.0 / 3.0)) < 1e-12);
	assert_int_equal(sqlite3_column_type(s, 5), SQLITE_NULL);
	assert_int_equal(sqlite3_column_type(s, 6), SQLITE_NULL);
	sqlite3_finalize(s);

	/* windowed series: rates per second and means, empty windows NULL */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT x.name, x.window_s, group_concat(p.t_s || '='"
		" || coalesce(p.value, 'null'), ' ') FROM series_point p JOIN series x USING (series_id)"
		" WHERE x.entity_kind = 'client' GROUP BY x.name ORDER BY x.name", -1, &s, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), "avg");
	assert_true(sqlite3_column_double(s, 1) == 0.5);
	assert_string_equal(sqlite3_column_text(s, 2), "2.0=4.0 2.5=null 3.0=1.0");
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), "rps");
	assert_string_equal(sqlite3_column_text(s, 2), "2.0=16.0 2.5=0.0 3.0=2.0");
	sqlite3_finalize(s);

	/* the series, in order */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT p.t_s, p.value, x.window_s FROM"
		" series_point p JOIN series x USING (series_id) WHERE x.name = 'cpu' ORDER BY t_s",
		-1, &s, NULL), SQLITE_OK);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_true(sqlite3_column_double(s, 0) == ts[i]);
		if (isnan(vs[i]))
			assert_int_equal(sqlite3_column_type(s, 1), SQLITE_NULL);
		else
			assert_true(sqlite3_column_double(s, 1) == vs[i]);
		assert_true(sqlite3_column_double(s, 2) == 10.0);
	}
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);

	/* cost and verdict */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT c.vcpu_h, c.gib_h, c.usd, v.passed, v.outcome,"
		" v.value, v.threshold, v.evidence FROM cost c JOIN verdict v USING (run_id)", -1, &s,
		NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_true(sqlite3_column_double(s, 0) == 2.5 && sqlite3_column_double(s, 1) == 0.5);
	assert_true(sqlite3_column_double(s, 2) == 0.125);
	assert_int_equal(sqlite3_column_int(s, 3), 0);
	assert_string_equal(sqlite3_column_text(s, 4), "unstable");
	assert_true(sqlite3_column_double(s, 5) == 3.0 && sqlite3_column_double(s, 6) == 1.0);
	assert_string_equal(sqlite3_column_text(s, 7), "{}");
	sqlite3_finalize(s);

	/* the views see it */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT params, latency_p99_s, throughput_per_s,"
		" cost_usd, verdicts_failed FROM v_kpi", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(s, 0), "{\"mesh\":\"ambient\",\"qps\":1000.0}");
	assert_true(sqlite3_column_double(s, 2) == 998.75);
	assert_true(sqlite3_column_double(s, 3) == 0.125);
	assert_int_equal(sqlite3_column_int(s, 4), 1);
	sqlite3_finalize(s);
	sqlite3_close(db);

	assert_int_equal(fixture_int(path, "PRAGMA application_id"), STORE_APPLICATION_ID);
	assert_int_equal(fixture_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_integrity(path);

	/* the same uuid again is refused, and the first run is intact */
	st = open_ok(path);
	store_run_meta again = { .uuid = uuid, .scenario_name = "x", .config_json = "{}" };
	assert_null(store_run_begin(st, &again));
	assert_non_null(strstr(store_errmsg(st), "already stored"));
	store_close(st);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM run"), 1);
	tmpdir_remove(&t);
}

/* ---- all or nothing ---------------------------------------------------- */

static void test_abort_leaves_nothing(void **state)
{
	(void)state;
	tmpdir t;
	char path[512];
	tmpdir_make(&t);
	tmpdir_file(&t, "a.db", path, sizeof path);

	ms_store *st = open_ok(path);
	store_run_meta m = { .scenario_name = "s", .config_json = CONFIG };
	ms_run *r = store_run_begin(st, &m);
	assert_non_null(r);
	store_add_param(r, "qps", "10");
	store_add_scalar(r, "client", "", "throughput", 1.0, "1/s");
	double t0 = 0, v0 = 1;
	store_add_series(r, "node", "n", "cpu", "1", 1, &t0, &v0, 1);
	store_run_abort(r);

	/* a failed add poisons the run: the commit reports it and keeps nothing */
	r = store_run_begin(st, &m);
	assert_non_null(r);
	assert_int_equal(store_add_scalar(r, "client", "", "x", 1.0, NULL), 0);
	assert_int_equal(store_add_scalar(r, "client", "", "x", 2.0, NULL), EXIT_SOFTWARE);
	assert_int_equal(store_add_cost(r, "c", 1, 1, 1, NULL), EXIT_SOFTWARE);
	assert_int_equal(store_run_commit(r, STORE_OK, NULL, 0, 0), EXIT_SOFTWARE);
	assert_non_null(strstr(store_errmsg(st), "UNIQUE"));
	store_close(st);
	assert_int_equal(count_all_rows(path), 0);

	/* a process that dies in the middle of a run leaves nothing either */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[256];
		int code;
		ms_store *cs = store_open(path, err, sizeof err, &code);
		if (!cs)
			_exit(3);
		ms_run *cr = store_run_begin(cs, &m);
		if (!cr)
			_exit(4);
		for (int i = 0; i < 200; i++) {
			char name[32];
			snprintf(name, sizeof name, "s%d", i);
			store_add_scalar(cr, "client", "", name, i, NULL);
		}
		_exit(0); /* killed: no commit, no close */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	st = open_ok(path);
	store_close(st);
	assert_int_equal(count_all_rows(path), 0);

	/* an interrupted run is stored as such, with what it had */
	st = open_ok(path);
	r = store_run_begin(st, &m);
	store_add_scalar(r, "client", "", "throughput", 5.0, "1/s");
	assert_int_equal(store_run_commit(r, STORE_INTERRUPTED, "interrupted by SIGINT", 10, -1), 0);
	store_close(st);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM run WHERE status = 'interrupted'"
	                                   " AND error = 'interrupted by SIGINT' AND wall_s >= 0"), 1);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM v_point_ci"), 0);
	assert_integrity(path);
	tmpdir_remove(&t);
}

/* ---- refusing bad databases -------------------------------------------- */

static void expect_open_fails(const char *path, int want, const char *msg)
{
	char err[512] = "";
	int code = 0;
	ms_store *st = store_open(path, err, sizeof err, &code);
	if (st)
		store_close(st);
	assert_null(st);
	if (code != want || !strstr(err, msg))
		fail_msg("store_open(%s): want %d '%s', got %d '%s'", path, want, msg, code, err);
}

static void test_foreign_files_refused(void **state)
{
	(void)state;
	tmpdir t;
	char path[512];
	tmpdir_make(&t);

	/* a text file */
	tmpdir_file(&t, "text.db", path, sizeof path);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is not a database, it is a note to self that is long enough to matter\n", f);
	fclose(f);
	expect_open_fails(path, EXIT_CANTCREAT, "not a meshsim database (not an SQLite file)");

	/* another application's SQLite database: refused and left as it was */
	tmpdir_file(&t, "other.db", path, sizeof path);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE notes (x TEXT); INSERT INTO notes"
	                                  " VALUES ('keep me')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	expect_open_fails(path, EXIT_CANTCREAT, "not a meshsim database");
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM notes"), 1);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM sqlite_schema"), 1);
	char wal[600];
	snprintf(wal, sizeof wal, "%s-wal", path);
	assert_int_equal(access(wal, F_OK), -1); /* journal mode untouched */

	/* one with a foreign application id, and a newer meshsim schema */
	tmpdir_file(&t, "appid.db", path, sizeof path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA application_id = 1234", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	expect_open_fails(path, EXIT_CANTCREAT, "application_id 0x000004d2");

	tmpdir_file(&t, "newer.db", path, sizeof path);
	store_close(open_ok(path));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	expect_open_fails(path, EXIT_CANTCREAT, "newer meshsim");

	/* a directory that does not exist */
	expect_open_fails("/nonexistent-meshsim-dir/x.db", EXIT_CANTCREAT,
	                  "cannot create the database: directory /nonexistent-meshsim-dir");
	tmpdir_remove(&t);
}

/* Runs fn(path) in a child process without write permission to anything
 * it does not own: as root, by becoming nobody. Returns the child's exit
 * status. */
static int as_unprivileged(void (*fn)(const char *), const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (geteuid() == 0) {
			struct passwd *pw = getpwnam("nobody");
			uid_t uid = pw ? pw->pw_uid : 65534;
			gid_t gid = pw ? pw->pw_gid : 65534;
			if (setgid(gid) != 0 || setuid(uid) != 0)
				_exit(99);
		}
		fn(path);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 98;
}

static void child_open_readonly_file(const char *path)
{
	char err[512];
	int code = 0;
	ms_store *st = store_open(path, err, sizeof err, &code);
	if (st)
		_exit(10);
	if (code != EXIT_CANTCREAT)
		_exit(11);
	if (!strstr(err, "read-only"))
		_exit(12);
}

static void child_open_in_readonly_dir(const char *path)
{
	char err[512];
	int code = 0;
	ms_store *st = store_open(path, err, sizeof err, &code);
	if (st)
		_exit(20);
	if (code != EXIT_CANTCREAT)
		_exit(21);
	if (!strstr(err, "directory"))
		_exit(22);
}

static void test_read_only(void **state)
{
	(void)state;
	tmpdir t;
	char path[1024], sub[512];
	tmpdir_make(&t);
	assert_int_equal(chmod(t.path, 0755), 0);

	/* a database file the process may not write */
	tmpdir_file(&t, "ro.db", path, sizeof path);
	ms_store *st = open_ok(path);
	assert_int_equal(fixture_write_run(st, NULL, "s", CONFIG, 0, 1.0), 0);
	store_close(st);
	char *before = fixture_dump(path);
	assert_non_null(before);
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(as_unprivileged(child_open_readonly_file, path), 0);

	/* a new database in a directory the process may not write */
	tmpdir_file(&t, "locked-dir", sub, sizeof sub);
	assert_int_equal(mkdir(sub, 0555), 0);
	snprintf(path, sizeof path, "%s/new.db", sub);
	assert_int_equal(as_unprivileged(child_open_in_readonly_dir, path), 0);
	assert_int_equal(access(path, F_OK), -1);

	/* an existing database the process owns, in a directory it may not
	 * write (SQLite needs its -wal and -shm files beside it) */
	assert_int_equal(chmod(sub, 0755), 0);
	st = open_ok(path);
	assert_int_equal(fixture_write_run(st, NULL, "s", CONFIG, 0, 1.0), 0);
	store_close(st);
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		assert_int_equal(chown(path, pw ? pw->pw_uid : 65534, pw ? pw->pw_gid : 65534), 0);
	}
	assert_int_equal(chmod(sub, 0555), 0);
	assert_int_equal(as_unprivileged(child_open_in_readonly_dir, path), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	unlink(path);
	rmdir(sub);

	tmpdir_file(&t, "ro.db", path, sizeof path);
	char *after = fixture_dump(path);
	assert_non_null(after);
	assert_string_equal(before, after);
	free(before);
	free(after);
	chmod(path, 0644);
	tmpdir_remove(&t);
}

/* ---- locked ------------------------------------------------------------ */

static void test_locked(void **state)
{
	(void)state;
	tmpdir t;
	char path[512], err[512];
	int code = 0;
	tmpdir_make(&t);
	tmpdir_file(&t, "l.db", path, sizeof path);

	ms_store *st = open_ok(path);
	assert_int_equal(fixture_write_run(st, NULL, "s", CONFIG, 0, 1.0), 0);
	store_set_busy_timeout(st, 100);

	/* another connection holds the write lock */
	sqlite3 *other;
	assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE; INSERT INTO meta VALUES ('x', 'y')",
	                              NULL, NULL, NULL), SQLITE_OK);

	/* a new store cannot open it for writing ... */
	ms_store *st2 = store_open(path, err, sizeof err, &code);
	assert_null(st2);
	assert_int_equal(code, EXIT_IOERR);
	assert_non_null(strstr(err, "locked by another process"));

	/* ... and an open one cannot begin a run */
	store_run_meta m = { .scenario_name = "s", .config_json = CONFIG, .replication = 1 };
	assert_null(store_run_begin(st, &m));
	assert_non_null(strstr(store_errmsg(st), "locked by another process"));

	/* once the lock is gone, the same store writes */
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	ms_run *r = store_run_begin(st, &m);
	assert_non_null(r);
	assert_int_equal(store_run_commit(r, STORE_OK, NULL, 1, 1), 0);
	store_close(st);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM run"), 2);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM meta WHERE key = 'x'"), 0);
	assert_integrity(path);
	tmpdir_remove(&t);
}

/* ---- full -------------------------------------------------------------- */

static void test_full(void **state)
{
	(void)state;
	tmpdir t;
	char path[512];
	tmpdir_make(&t);
	tmpdir_file(&t, "f.db", path, sizeof path);

	ms_store *st = open_ok(path);
	assert_int_equal(fixture_write_run(st, "00000000-0000-4000-8000-000000000001", "s", CONFIG,
	                                   0, 1.0), 0);
	char *before = fixture_dump(path);

	/* the file may not grow: the next big run fails as "full" */
	sqlite3 *db = store_sqlite(st);
	long long pages = -1;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	pages = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages + 2);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);

	enum { N = 20000 };
	double *tt = malloc(N * sizeof *tt), *vv = malloc(N * sizeof *vv);
	assert_non_null(tt);
	assert_non_null(vv);
	for (int i = 0; i < N; i++) {
		tt[i] = i;
		vv[i] = i * 0.5;
	}
	store_run_meta m = { .scenario_name = "s", .config_json = CONFIG, .replication = 1 };
	ms_run *r = store_run_begin(st, &m);
	assert_non_null(r);
	store_add_series(r, "node", "n", "cpu", "1", 1.0, tt, vv, N);
	int code = store_run_commit(r, STORE_OK, NULL, 1, 1);
	assert_int_equal(code, EXIT_IOERR);
	assert_non_null(strstr(store_errmsg(st), "full"));

	/* nothing of it remains, the earlier run is intact, and with room
	 * the same store writes again */
	char *after = fixture_dump(path);
	assert_string_equal(before, after);
	assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
	                 SQLITE_OK);
	r = store_run_begin(st, &m);
	assert_non_null(r);
	store_add_series(r, "node", "n", "cpu", "1", 1.0, tt, vv, N);
	assert_int_equal(store_run_commit(r, STORE_OK, NULL, 1, 1), 0);
	store_close(st);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM series_point"), N + 3);
	assert_integrity(path);
	free(before);
	free(after);
	free(tt);
	free(vv);
	tmpdir_remove(&t);
}

/* ---- confidence intervals across replications -------------------------- */

static void test_point_ci(void **state)
{
	(void)state;
	tmpdir t;
	char path[512];
	tmpdir_make(&t);
	tmpdir_file(&t, "ci.db", path, sizeof path);

	ms_store *st = open_ok(path);
	const double x[] = { 10.0, 12.0, 14.0, 11.0 };
	for (uint32_t i = 0; i < 4; i++) {
		store_run_meta m = { .scenario_name = "p", .config_json = CONFIG, .replication = i,
		                     .seed = 7 };
		ms_run *r = store_run_begin(st, &m);
		assert_non_null(r);
		store_add_scalar(r, "client", "", "throughput", x[i], "1/s");
		assert_int_equal(store_run_commit(r, STORE_OK, NULL, 0, 0), 0);
	}
	assert_int_equal(store_has_run(st, NULL, CONFIG, 7, 3), 1);
	assert_int_equal(store_has_run(st, NULL, CONFIG, 7, 4), 0);
	assert_int_equal(store_has_run(st, NULL, CONFIG, 8, 3), 0);
	assert_int_equal(store_has_run(st, NULL, "{}", 7, 0), 0);
	/* a re-run of replication 0 counts once; failed and interrupted runs
	 * and other configurations do not count */
	store_run_meta again = { .scenario_name = "p", .config_json = CONFIG, .replication = 0,
	                         .seed = 7 };
	ms_run *r = store_run_begin(st, &again);
	store_add_scalar(r, "client", "", "throughput", 10.0, "1/s");
	assert_int_equal(store_run_commit(r, STORE_OK, NULL, 0, 0), 0);
	r = store_run_begin(st, &(store_run_meta){ .scenario_name = "p", .config_json = CONFIG,
	                                           .replication = 9, .seed = 7 });
	store_add_scalar(r, "client", "", "throughput", 1000.0, "1/s");
	assert_int_equal(store_run_commit(r, STORE_FAILED, "boom", 0, 0), 0);
	r = store_run_begin(st, &(store_run_meta){ .scenario_name = "q", .config_json = "{}",
	                                           .replication = 0, .seed = 7 });
	store_add_scalar(r, "client", "", "throughput", 1.0, "1/s");
	assert_int_equal(store_run_commit(r, STORE_OK, NULL, 0, 0), 0);
	store_close(st);

	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT n, mean, stddev, half_width, lo, hi, unit"
		" FROM v_point_ci WHERE scenario_name = 'p' AND name = 'throughput'", -1, &s, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	double mean = 11.75, sd = sqrt(((10 - mean) * (10 - mean) + (12 - mean) * (12 - mean) +
	                               (14 - mean) * (14 - mean) + (11 - mean) * (11 - mean)) / 3);
	double hw = gsl_cdf_tdist_Pinv(0.975, 3) * sd / 2.0;
	assert_int_equal(sqlite3_column_int(s, 0), 4);
	assert_true(fabs(sqlite3_column_double(s, 1) - mean) < 1e-12);
	assert_true(fabs(sqlite3_column_double(s, 2) - sd) < 1e-12);
	assert_true(fabs(sqlite3_column_double(s, 3) - hw) < 1e-9);
	assert_true(fabs(sqlite3_column_double(s, 4) - (mean - hw)) < 1e-9);
	assert_true(fabs(sqlite3_column_double(s, 5) - (mean + hw)) < 1e-9);
	assert_string_equal(sqlite3_column_text(s, 6), "1/s");
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);

	/* n = 1: a mean and no interval */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT n, mean, half_width FROM v_point_ci"
		" WHERE scenario_name = 'q'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1);
	assert_true(sqlite3_column_double(s, 1) == 1.0);
	assert_int_equal(sqlite3_column_type(s, 2), SQLITE_NULL);
	sqlite3_finalize(s);

	/* the stored t quantiles are GSL's */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT df, t FROM t95 WHERE df IN (1, 10, 1000)"
		" ORDER BY df", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		assert_true(sqlite3_column_double(s, 1) ==
		            gsl_cdf_tdist_Pinv(0.975, sqlite3_column_int(s, 0)));
	sqlite3_finalize(s);
	sqlite3_close(db);
	tmpdir_remove(&t);
}

int main(void)
{
	setenv("MESHSIM_DB_BUSY_TIMEOUT_MS", "200", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_abort_leaves_nothing),
		cmocka_unit_test(test_foreign_files_refused),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_locked),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_point_ci),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
