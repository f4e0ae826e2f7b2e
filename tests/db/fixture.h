/*
 * tests/db/fixture.h - helpers shared by the tests of db/: temporary
 * directories, a standard run writer and a canonical dump of a database
 * (every row of every table, ids replaced by run UUIDs) for comparisons.
 */
#ifndef MESHSIM_TESTS_DB_FIXTURE_H
#define MESHSIM_TESTS_DB_FIXTURE_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db/store.h"

typedef struct tmpdir {
	char path[256];
} tmpdir;

static inline void tmpdir_make(tmpdir *t)
{
	snprintf(t->path, sizeof t->path, "/tmp/meshsim-db-test-XXXXXX");
	if (!mkdtemp(t->path)) {
		perror("mkdtemp");
		abort();
	}
}

static inline const char *tmpdir_file(const tmpdir *t, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", t->path, name);
	return buf;
}

static inline void tmpdir_remove(tmpdir *t)
{
	DIR *d = opendir(t->path);
	struct dirent *e;
	char p[512];
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", t->path, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(t->path);
}

/* Writes one complete run: params, attrs, scalars, a latency histogram
 * (values derived from `base`, in ns), a series, a cost and a verdict. */
static inline int fixture_write_run(ms_store *st, const char *uuid, const char *scenario,
                                    const char *config, uint32_t replication, double base)
{
	store_run_meta m = {
		.uuid = uuid, .scenario_name = scenario, .config_json = config,
		.seed = 42, .replication = replication, .started_at = 1.7e9 + replication,
		.host = "testhost", .git_rev = "abc123", .tool_version = "0.1.0",
		.build_flags = "-O2", .seed_policy = "common", .rng = "mt19937",
		.sim_end_s = 60.0, .warmup_s = 5.0,
	};
	ms_run *r = store_run_begin(st, &m);
	if (!r)
		return -1;
	char qps[32];
	snprintf(qps, sizeof qps, "%g", 100 * base);
	store_add_param(r, "qps", qps);
	store_add_param(r, "mesh", "istio-sidecar");
	store_add_attr(r, "team", "perf, \"core\"");
	store_add_scalar(r, "client", "", "throughput", 10.0 * base + replication, "1/s");
	store_add_scalar(r, "client", "", "errors", 0, NULL);
	store_add_scalar(r, "proxy", "pod-1", "cpu", NAN, "s");
	histogram h;
	if (hist_init(&h, 60000000000LL) != 0)
		return -1;
	for (int i = 1; i <= 1000; i++)
		hist_record(&h, (int64_t)(i * 1000 * base) + replication * 7919);
	store_add_stat(r, "client", "", "latency", "s", 1e-9, &h);
	hist_free(&h);
	double t[3] = { 0, 1, 2 }, v[3] = { base, 2 * base, NAN };
	store_add_series(r, "node", "node-1", "cpu_util", "1", 1.0, t, v, 3);
	store_add_cost(r, "istio-proxy", 1.5 * base, 0.25, 0.07 * base, "test-prices");
	store_add_verdict(r, "p99<=250ms", 1, "met", 0.181, 0.250, "{\"n\":1000}");
	return store_run_commit(r, STORE_OK, NULL, 123456 + replication, 1.25);
}

static inline void dump_append(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);
	char *b = realloc(*buf, *len + n + 1);
	if (!b)
		abort();
	memcpy(b + *len, s, n + 1);
	*buf = b;
	*len += n;
}

/* Every row of every table, ids replaced by UUIDs and natural keys, sorted;
 * finished_at (set at commit time) left out. Returns a malloc'd string or
 * NULL if the database cannot be read. */
static inline char *fixture_dump(const char *path)
{
	static const char *const q[] = {
		"SELECT run_uuid, scenario_name, experiment, config_hash, config_json, seed,"
		" replication, seed_policy, rng, tool_version, git_rev, build_flags, host,"
		" started_at, wall_s, events, sim_end_s, warmup_s, status, error FROM run",
		"SELECT r.run_uuid, x.name, x.value, x.value_num FROM run_param x JOIN run r USING (run_id)",
		"SELECT r.run_uuid, x.name, x.value FROM run_attr x JOIN run r USING (run_id)",
		"SELECT r.run_uuid, x.entity_kind, x.entity, x.name, x.value, x.unit"
		" FROM scalar x JOIN run r USING (run_id)",
		"SELECT r.run_uuid, x.entity_kind, x.entity, x.name, x.unit, x.count, x.clamped, x.sum,"
		" x.sumsq, x.min, x.max, x.mean, x.stddev, x.p50, x.p90, x.p99, x.p999, x.hist_scale,"
		" x.hist FROM stat x JOIN run r USING (run_id)",
		"SELECT r.run_uuid, x.entity_kind, x.entity, x.name, x.unit, x.window_s"
		" FROM series x JOIN run r USING (run_id)",
		"SELECT r.run_uuid, x.entity_kind, x.entity, x.name, p.t_s, p.value"
		" FROM series_point p JOIN series x USING (series_id) JOIN run r USING (run_id)",
		"SELECT r.run_uuid, x.component, x.vcpu_h, x.gib_h, x.usd, x.price_sheet"
		" FROM cost x JOIN run r USING (run_id)",
		"SELECT r.run_uuid, x.name, x.passed, x.outcome, x.value, x.threshold, x.evidence"
		" FROM verdict x JOIN run r USING (run_id)",
	};
	sqlite3 *db;
	char *out = NULL;
	size_t len = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	dump_append(&out, &len, "");
	for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
		char sql[1024], cell[128];
		sqlite3_stmt *s;
		int nc = 0;
		if (sqlite3_prepare_v2(db, q[k], -1, &s, NULL) == SQLITE_OK)
			nc = sqlite3_column_count(s);
		sqlite3_finalize(s);
		int off = snprintf(sql, sizeof sql, "SELECT * FROM (%s) ORDER BY 1", q[k]);
		for (int i = 2; i <= nc; i++)
			off += snprintf(sql + off, sizeof sql - (size_t)off, ", %d", i);
		if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
			fprintf(stderr, "dump: %s\n", sqlite3_errmsg(db));
			free(out);
			sqlite3_close(db);
			return NULL;
		}
		snprintf(cell, sizeof cell, "table %zu\n", k);
		dump_append(&out, &len, cell);
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(s); i++) {
				switch (sqlite3_column_type(s, i)) {
				case SQLITE_NULL:
					snprintf(cell, sizeof cell, "NULL|");
					break;
				case SQLITE_INTEGER:
					snprintf(cell, sizeof cell, "%lld|", (long long)sqlite3_column_int64(s, i));
					break;
				case SQLITE_FLOAT:
					snprintf(cell, sizeof cell, "%.17g|", sqlite3_column_double(s, i));
					break;
				case SQLITE_BLOB: {
					const unsigned char *b = sqlite3_column_blob(s, i);
					int n = sqlite3_column_bytes(s, i);
					for (int j = 0; j < n; j++) {
						snprintf(cell, sizeof cell, "%02x", b[j]);
						dump_append(&out, &len, cell);
					}
					snprintf(cell, sizeof cell, "|");
					break;
				}
				default:
					dump_append(&out, &len, (const char *)sqlite3_column_text(s, i));
					snprintf(cell, sizeof cell, "|");
					break;
				}
				dump_append(&out, &len, cell);
			}
			dump_append(&out, &len, "\n");
		}
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return out;
}

/* One integer from a query on the database at path (-1 on error). */
static inline long long fixture_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

#endif
