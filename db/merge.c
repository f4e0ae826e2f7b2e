/*
 * db/merge.c - `meshsim merge`: copies the runs of other meshsim databases
 * into one, remapping row ids and skipping runs whose UUID is already there.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "cli/exit_codes.h"
#include "db/store.h"
#include "db/store_internal.h"

/* Run by run: ids are remapped through temp.map (old run_id -> new) and
 * temp.smap (old series_id -> new). Column lists are explicit so that a
 * column order difference can never shift values. */
static const char *const merge_sql[] = {
	"DELETE FROM temp.map",
	"DELETE FROM temp.smap",
	"INSERT INTO main.run (run_uuid, scenario_name, experiment, config_hash, config_json,"
	" seed, replication, seed_policy, rng, tool_version, git_rev, build_flags, host,"
	" started_at, finished_at, wall_s, events, sim_end_s, warmup_s, status, error)"
	" SELECT run_uuid, scenario_name, experiment, config_hash, config_json,"
	" seed, replication, seed_policy, rng, tool_version, git_rev, build_flags, host,"
	" started_at, finished_at, wall_s, events, sim_end_s, warmup_s, status, error"
	" FROM src.run WHERE run_uuid NOT IN (SELECT run_uuid FROM main.run) ORDER BY run_id",
	"INSERT INTO temp.map (old, new) SELECT s.run_id, m.run_id"
	" FROM src.run s JOIN main.run m ON m.run_uuid = s.run_uuid WHERE m.run_id > ?1",
	"INSERT INTO main.run_param (run_id, name, value, value_num)"
	" SELECT map.new, x.name, x.value, x.value_num"
	" FROM src.run_param x JOIN temp.map ON x.run_id = map.old",
	"INSERT INTO main.run_attr (run_id, name, value) SELECT map.new, x.name, x.value"
	" FROM src.run_attr x JOIN temp.map ON x.run_id = map.old",
	"INSERT INTO main.scalar (run_id, entity_kind, entity, name, value, unit)"
	" SELECT map.new, x.entity_kind, x.entity, x.name, x.value, x.unit"
	" FROM src.scalar x JOIN temp.map ON x.run_id = map.old",
	"INSERT INTO main.stat (run_id, entity_kind, entity, name, unit, count, clamped, sum,"
	" sumsq, min, max, mean, stddev, p50, p90, p99, p999, hist_scale, hist)"
	" SELECT map.new, x.entity_kind, x.entity, x.name, x.unit, x.count, x.clamped, x.sum,"
	" x.sumsq, x.min, x.max, x.mean, x.stddev, x.p50, x.p90, x.p99, x.p999, x.hist_scale,"
	" x.hist FROM src.stat x JOIN temp.map ON x.run_id = map.old ORDER BY x.stat_id",
	"INSERT INTO main.series (run_id, entity_kind, entity, name, unit, window_s)"
	" SELECT map.new, x.entity_kind, x.entity, x.name, x.unit, x.window_s"
	" FROM src.series x JOIN temp.map ON x.run_id = map.old ORDER BY x.series_id",
	"INSERT INTO temp.smap (old, new) SELECT x.series_id, n.series_id"
	" FROM src.series x JOIN temp.map ON x.run_id = map.old"
	" JOIN main.series n ON n.run_id = map.new AND n.entity_kind = x.entity_kind"
	" AND n.entity = x.entity AND n.name = x.name",
	"INSERT INTO main.series_point (series_id, t_s, value) SELECT smap.new, x.t_s, x.value"
	" FROM src.series_point x JOIN temp.smap ON x.series_id = smap.old",
	"INSERT INTO main.cost (run_id, component, vcpu_h, gib_h, usd, price_sheet)"
	" SELECT map.new, x.component, x.vcpu_h, x.gib_h, x.usd, x.price_sheet"
	" FROM src.cost x JOIN temp.map ON x.run_id = map.old",
	"INSERT INTO main.verdict (run_id, name, passed, outcome, value, threshold, evidence)"
	" SELECT map.new, x.name, x.passed, x.outcome, x.value, x.threshold, x.evidence"
	" FROM src.verdict x JOIN temp.map ON x.run_id = map.old",
};

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* Merges the attached `src` into main in one transaction. */
static int merge_one(sqlite3 *db, size_t *added, size_t *skipped)
{
	int64_t max_before = 0, in_src = 0;
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = store_query_int(db, "SELECT coalesce(max(run_id), 0) FROM main.run", &max_before);
	if (rc == SQLITE_OK)
		rc = store_query_int(db, "SELECT count(*) FROM src.run", &in_src);
	int64_t new_runs = 0;
	for (size_t i = 0; rc == SQLITE_OK && i < sizeof merge_sql / sizeof merge_sql[0]; i++) {
		sqlite3_stmt *s;
		rc = sqlite3_prepare_v2(db, merge_sql[i], -1, &s, NULL);
		if (rc != SQLITE_OK)
			break;
		if (sqlite3_bind_parameter_count(s) > 0)
			sqlite3_bind_int64(s, 1, max_before);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
		if (i == 2)
			new_runs = sqlite3_changes64(db);
		sqlite3_finalize(s);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		int keep = rc;
		if (!sqlite3_get_autocommit(db))
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return keep;
	}
	*added += (size_t)new_runs;
	*skipped += (size_t)(in_src - new_runs);
	return SQLITE_OK;
}

int store_merge(const char *out_path, const char *const *in_paths, size_t n,
                size_t *added, size_t *skipped, char *err, size_t errlen)
{
	size_t add = 0, skip = 0;
	int code;

	/* Check every input first: a bad one leaves the output untouched. */
	for (size_t i = 0; i < n; i++) {
		sqlite3 *in = store_open_input(in_paths[i], &code, err, errlen);
		if (!in)
			return code;
		sqlite3_close(in);
	}
	ms_store *st = store_open(out_path, err, errlen, &code);
	if (!st)
		return code;
	sqlite3 *db = store_sqlite(st);

	int rc = sqlite3_exec(db,
		"CREATE TEMP TABLE map (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);"
		"CREATE TEMP TABLE smap (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);",
		NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		code = store_sqlite_error(db, rc, out_path, err, errlen);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (same_file(in_paths[i], out_path))
			continue; /* its runs are all there already */
		sqlite3_stmt *s;
		rc = sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS src", -1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(s, 1, in_paths[i], -1, SQLITE_STATIC);
			rc = sqlite3_step(s);
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
			sqlite3_finalize(s);
		}
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "%s: cannot attach (%s)", in_paths[i], sqlite3_errmsg(db));
			code = EXIT_NOINPUT;
			goto out;
		}
		rc = merge_one(db, &add, &skip);
		if (rc != SQLITE_OK) {
			char why[400];
			code = store_sqlite_error(db, rc, out_path, why, sizeof why);
			snprintf(err, errlen, "merging %s: %s", in_paths[i], why);
		}
		sqlite3_exec(db, "DETACH DATABASE src", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto out;
	}
	code = 0;
out:
	store_close(st);
	if (added)
		*added = add;
	if (skipped)
		*skipped = skip;
	return code;
}
