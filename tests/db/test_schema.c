/*
 * tests/db/test_schema.c - the schema compiled into the binary is
 * db/schema.sql, every table is STRICT, and a new database carries the
 * application id and schema version the code checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "db/store_internal.h"
#include "tests/db/fixture.h"

/* db/schema.sql, found from this file's path (tests/db/test_schema.c). */
static char *read_schema_sql(void)
{
	char path[1024];
	const char *me = __FILE__;
	const char *cut = strstr(me, "tests/db/test_schema.c");
	snprintf(path, sizeof path, "%.*sdb/schema.sql", cut ? (int)(cut - me) : 0, me);
	FILE *f = fopen(path, "rb");
	if (!f)
		f = fopen("db/schema.sql", "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static void test_embedded_schema_is_schema_sql(void **state)
{
	(void)state;
	char *text = read_schema_sql();
	if (strcmp(text, store_schema_sql) != 0) {
		size_t i = 0;
		while (text[i] && text[i] == store_schema_sql[i])
			i++;
		fail_msg("db/schema.c differs from db/schema.sql at byte %zu: '%.40s' vs '%.40s'", i,
		         text + i, store_schema_sql + i);
	}
	free(text);
}

static void test_new_database(void **state)
{
	(void)state;
	tmpdir t;
	char path[512], err[256];
	int code;
	tmpdir_make(&t);
	tmpdir_file(&t, "n.db", path, sizeof path);
	ms_store *st = store_open(path, err, sizeof err, &code);
	assert_non_null(st);
	store_close(st);

	assert_int_equal(fixture_int(path, "PRAGMA application_id"), STORE_APPLICATION_ID);
	assert_int_equal(fixture_int(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(fixture_int(path, "SELECT value FROM meta WHERE key = 'schema_version'"),
	                 STORE_SCHEMA_VERSION);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM pragma_table_list"
	                                   " WHERE schema = 'main' AND type = 'table'"
	                                   " AND name NOT LIKE 'sqlite_%' AND strict = 0"), 0);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM pragma_table_list"
	                                   " WHERE schema = 'main' AND type = 'table'"
	                                   " AND name NOT LIKE 'sqlite_%'"), 11);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'"
	                                   " AND name IN ('v_run', 'v_stat', 'v_scalar', 'v_kpi',"
	                                   " 'v_metric', 'v_point_run', 'v_point_ci')"), 7);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM t95"), 1000);
	/* opening again changes nothing */
	char *before = fixture_dump(path);
	st = store_open(path, err, sizeof err, &code);
	assert_non_null(st);
	store_close(st);
	char *after = fixture_dump(path);
	assert_string_equal(before, after);
	assert_int_equal(fixture_int(path, "SELECT count(*) FROM t95"), 1000);
	assert_int_equal(fixture_int(path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	free(before);
	free(after);
	tmpdir_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_schema_is_schema_sql),
		cmocka_unit_test(test_new_database),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
