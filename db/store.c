/*
 * db/store.c - opening, creating and validating a results database, and
 * writing one run per transaction. See db/store.h.
 */
#include "db/store.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "cli/exit_codes.h"
#include "common/build_info.h"
#include "db/store_internal.h"

#define T95_MAX_DF 1000

enum {
	STMT_PARAM, STMT_ATTR, STMT_SCALAR, STMT_STAT, STMT_SERIES, STMT_POINT,
	STMT_COST, STMT_VERDICT, STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_PARAM] = "INSERT INTO run_param (run_id, name, value, value_num) VALUES (?,?,?,?)",
	[STMT_ATTR] = "INSERT INTO run_attr (run_id, name, value) VALUES (?,?,?)",
	[STMT_SCALAR] = "INSERT INTO scalar (run_id, entity_kind, entity, name, value, unit)"
	                " VALUES (?,?,?,?,?,?)",
	[STMT_STAT] = "INSERT INTO stat (run_id, entity_kind, entity, name, unit, count, clamped,"
	              " sum, sumsq, min, max, mean, stddev, p50, p90, p99, p999, hist_scale, hist)"
	              " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[STMT_SERIES] = "INSERT INTO series (run_id, entity_kind, entity, name, unit, window_s)"
	                " VALUES (?,?,?,?,?,?)",
	[STMT_POINT] = "INSERT INTO series_point (series_id, t_s, value) VALUES (?,?,?)",
	[STMT_COST] = "INSERT INTO cost (run_id, component, vcpu_h, gib_h, usd, price_sheet)"
	              " VALUES (?,?,?,?,?,?)",
	[STMT_VERDICT] = "INSERT INTO verdict (run_id, name, passed, outcome, value, threshold,"
	                 " evidence) VALUES (?,?,?,?,?,?,?)",
};

struct ms_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[STMT_COUNT];
	ms_run *cur;
	int busy_ms;
	char err[512];
};

struct ms_run {
	ms_store *st;
	int64_t run_id;
	double started_at;
	int failed;         /* first exit status of a failed add, 0 if none */
	char uuid[37];
};

/* ---- errors ------------------------------------------------------------ */

int store_sqlite_error(sqlite3 *db, int rc, const char *path, char *err, size_t errlen)
{
	const char *what;
	int code;
	int ext = db ? sqlite3_extended_errcode(db) : rc;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		what = "database is locked by another process";
		code = EXIT_IOERR;
		break;
	case SQLITE_FULL:
		what = "disk or database is full; the run was rolled back";
		code = EXIT_IOERR;
		break;
	case SQLITE_READONLY:
		what = (ext == SQLITE_READONLY_DIRECTORY) ? "the directory is read-only"
		                                          : "database is read-only";
		code = EXIT_CANTCREAT;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		what = "cannot open the database for writing";
		code = EXIT_CANTCREAT;
		break;
	case SQLITE_NOTADB:
		what = "not a meshsim database (not an SQLite file)";
		code = EXIT_CANTCREAT;
		break;
	case SQLITE_IOERR:
	case SQLITE_CORRUPT:
		what = "I/O error or corrupt database";
		code = EXIT_IOERR;
		break;
	default:
		what = "internal database error";
		code = EXIT_SOFTWARE;
		break;
	}
	if (err && errlen) {
		const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
		int sys = db ? sqlite3_system_errno(db) : 0;
		if (sys && (rc & 0xff) != SQLITE_BUSY)
			snprintf(err, errlen, "%s: %s (%s: %s)", path, what, detail, strerror(sys));
		else
			snprintf(err, errlen, "%s: %s (%s)", path, what, detail);
	}
	return code;
}

static int set_err(ms_store *st, int rc)
{
	return store_sqlite_error(st->db, rc, st->path, st->err, sizeof st->err);
}

/* ---- small helpers ----------------------------------------------------- */

static double now_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void iso_time(double t, char buf[32])
{
	time_t s = (time_t)floor(t);
	int ms = (int)((t - (double)s) * 1000.0);
	struct tm tm;
	if (ms > 999)
		ms = 999;
	gmtime_r(&s, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03dZ", ms);
}

static int new_uuid(char out[37])
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
	         b[12], b[13], b[14], b[15]);
	return 0;
}

static int sha256_hex(const char *s, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) || n != 32)
		return -1;
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* NaN and infinities are stored as NULL (SQLite would turn NaN into NULL
 * anyway, and a STRICT REAL column refuses nothing else). */
static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static int exec(ms_store *st, const char *sql)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : set_err(st, rc);
}

int store_query_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* ---- validation -------------------------------------------------------- */

int store_check_db(sqlite3 *db, const char *path, int bad, int empty_ok,
                   int *is_empty, char *err, size_t errlen)
{
	int64_t app = 0, ver = 0, objects = 0;
	int rc = store_query_int(db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = store_query_int(db, "PRAGMA user_version", &ver);
	if (rc == SQLITE_OK)
		rc = store_query_int(db, "SELECT count(*) FROM sqlite_schema", &objects);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB) {
			snprintf(err, errlen, "%s: not a meshsim database (not an SQLite file)", path);
			return bad;
		}
		return store_sqlite_error(db, rc, path, err, errlen);
	}
	if (is_empty)
		*is_empty = (app == 0 && ver == 0 && objects == 0);
	if (app == 0 && ver == 0 && objects == 0) {
		if (empty_ok)
			return 0;
		snprintf(err, errlen, "%s: not a meshsim database (empty)", path);
		return bad;
	}
	if (app != STORE_APPLICATION_ID) {
		snprintf(err, errlen,
		         "%s: not a meshsim database (SQLite application_id 0x%08llx, expected 0x%08x);"
		         " refusing to touch it",
		         path, (unsigned long long)(uint32_t)app, STORE_APPLICATION_ID);
		return bad;
	}
	if (ver > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
		         "%s: written by a newer meshsim (schema version %lld, this build knows %d)",
		         path, (long long)ver, STORE_SCHEMA_VERSION);
		return bad;
	}
	if (ver < STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %lld is too old (this build knows %d)",
		         path, (long long)ver, STORE_SCHEMA_VERSION);
		return bad;
	}
	return 0;
}

sqlite3 *store_open_input(const char *path, int *exit_code, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	struct stat sb;

	if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		*exit_code = EXIT_NOINPUT;
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		*exit_code = EXIT_NOINPUT;
		return NULL;
	}
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open (%s)", path,
		         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		*exit_code = EXIT_NOINPUT;
		return NULL;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
	int code = store_check_db(db, path, EXIT_DATAERR, 0, NULL, err, errlen);
	if (code) {
		sqlite3_close(db);
		*exit_code = code;
		return NULL;
	}
	*exit_code = 0;
	return db;
}

/* ---- open / create ----------------------------------------------------- */

static int create_schema(ms_store *st)
{
	int code = exec(st, store_schema_sql);
	if (code)
		return code;

	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "INSERT INTO t95 (df, t) VALUES (?, ?)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return set_err(st, rc);
	for (int df = 1; df <= T95_MAX_DF && rc == SQLITE_OK; df++) {
		sqlite3_bind_int(s, 1, df);
		sqlite3_bind_double(s, 2, gsl_cdf_tdist_Pinv(0.975, df));
		rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(st->db);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK)
		return set_err(st, rc);

	char now[32];
	iso_time(now_unix(), now);
	char *q = sqlite3_mprintf(
		"INSERT INTO meta (key, value) VALUES ('schema_version', '%d'),"
		" ('created_by', 'meshsim ' || %Q || ' (' || %Q || ')'), ('created_at', %Q)",
		STORE_SCHEMA_VERSION, MESHSIM_VERSION, build_git_rev(), now);
	if (!q) {
		snprintf(st->err, sizeof st->err, "%s: out of memory", st->path);
		return EXIT_SOFTWARE;
	}
	code = exec(st, q);
	sqlite3_free(q);
	return code;
}

/* Replaces SQLite's vague "unable to open database file" with the reason
 * when the file system tells it. */
static void explain_cantopen(const char *path, char *err, size_t errlen)
{
	if (access(path, F_OK) == 0) {
		if (access(path, R_OK | W_OK) != 0)
			snprintf(err, errlen, "%s: cannot open the database for writing: %s", path,
			         strerror(errno));
		return;
	}
	char *dir = strdup(path);
	if (!dir)
		return;
	char *slash = strrchr(dir, '/');
	const char *d = dir;
	if (!slash)
		d = ".";
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(d, W_OK | X_OK) != 0)
		snprintf(err, errlen, "%s: cannot create the database: directory %s: %s", path, d,
		         strerror(errno));
	free(dir);
}

static int busy_from_env(void)
{
	const char *e = getenv("MESHSIM_DB_BUSY_TIMEOUT_MS");
	if (e && *e) {
		char *end;
		long v = strtol(e, &end, 10);
		if (*end == '\0' && v >= 0 && v <= 3600000)
			return (int)v;
	}
	return STORE_BUSY_TIMEOUT_MS;
}

ms_store *store_open(const char *path, char *err, size_t errlen, int *exit_code)
{
	ms_store *st = calloc(1, sizeof *st);
	int code = 0, fresh = 0;

	if (!st || !(st->path = strdup(path))) {
		free(st);
		snprintf(err, errlen, "%s: out of memory", path);
		*exit_code = EXIT_SOFTWARE;
		return NULL;
	}
	int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		code = set_err(st, rc);
		explain_cantopen(path, st->err, sizeof st->err);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		snprintf(st->err, sizeof st->err, "%s: database is read-only (no write permission)", path);
		code = EXIT_CANTCREAT;
		goto fail;
	}
	store_set_busy_timeout(st, busy_from_env());

	/* Look before touching: a foreign database keeps its journal mode. */
	code = store_check_db(st->db, path, EXIT_CANTCREAT, 1, &fresh, st->err, sizeof st->err);
	if (code)
		goto fail;
	if ((code = exec(st, "PRAGMA foreign_keys = ON")) ||
	    (code = exec(st, "PRAGMA journal_mode = WAL")) ||
	    (code = exec(st, "PRAGMA synchronous = NORMAL")))
		goto fail;

	/* Take the write lock: this fails early (before a long simulation)
	 * on a locked database or a read-only directory, and makes creation
	 * race-free between processes. */
	if ((code = exec(st, "BEGIN IMMEDIATE")))
		goto fail;
	code = store_check_db(st->db, path, EXIT_CANTCREAT, 1, &fresh, st->err, sizeof st->err);
	if (!code && fresh)
		code = create_schema(st);
	if (!code)
		code = exec(st, "COMMIT");
	if (code) {
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	*exit_code = 0;
	return st;
fail:
	snprintf(err, errlen, "%s", st->err);
	*exit_code = code;
	store_close(st);
	return NULL;
}

void store_close(ms_store *st)
{
	if (!st)
		return;
	if (st->cur)
		store_run_abort(st->cur);
	for (int i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

const char *store_errmsg(const ms_store *st)
{
	return st ? st->err : "no store";
}

void store_set_busy_timeout(ms_store *st, int ms)
{
	st->busy_ms = ms;
	sqlite3_busy_timeout(st->db, ms);
}

struct sqlite3 *store_sqlite(ms_store *st)
{
	return st->db;
}

/* ---- runs -------------------------------------------------------------- */

static sqlite3_stmt *stmt(ms_run *r, int which)
{
	ms_store *st = r->st;
	if (!st->stmt[which]) {
		int rc = sqlite3_prepare_v3(st->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
		                            &st->stmt[which], NULL);
		if (rc != SQLITE_OK) {
			r->failed = set_err(st, rc);
			return NULL;
		}
	}
	sqlite3_reset(st->stmt[which]);
	sqlite3_clear_bindings(st->stmt[which]);
	return st->stmt[which];
}

/* Steps an INSERT; records the first failure in the run. */
static int step(ms_run *r, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (!r->failed)
		r->failed = set_err(r->st, rc);
	return r->failed;
}

static int usable(ms_run *r)
{
	return r && !r->failed;
}

ms_run *store_run_begin(ms_store *st, const store_run_meta *m)
{
	char hash[65], started[32];
	char host[256] = "";

	if (st->cur) {
		snprintf(st->err, sizeof st->err, "%s: a run is already being written", st->path);
		return NULL;
	}
	if (!m->scenario_name || !m->config_json) {
		snprintf(st->err, sizeof st->err, "%s: run without scenario name or config", st->path);
		return NULL;
	}
	ms_run *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(st->err, sizeof st->err, "%s: out of memory", st->path);
		return NULL;
	}
	r->st = st;
	r->started_at = m->started_at > 0 ? m->started_at : now_unix();
	if (m->uuid)
		snprintf(r->uuid, sizeof r->uuid, "%s", m->uuid);
	else if (new_uuid(r->uuid) != 0) {
		snprintf(st->err, sizeof st->err, "cannot make a run UUID: %s", strerror(errno));
		free(r);
		return NULL;
	}
	if (!m->config_hash && sha256_hex(m->config_json, hash) != 0) {
		snprintf(st->err, sizeof st->err, "cannot hash the run's config");
		free(r);
		return NULL;
	}
	if (!m->host && gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	iso_time(r->started_at, started);

	if (exec(st, "BEGIN IMMEDIATE")) {
		free(r);
		return NULL;
	}
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db,
		"INSERT INTO run (run_uuid, scenario_name, experiment, config_hash, config_json,"
		" seed, replication, seed_policy, rng, tool_version, git_rev, build_flags, host,"
		" started_at, sim_end_s, warmup_s, status)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'interrupted')", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		bind_text(s, 1, r->uuid);
		bind_text(s, 2, m->scenario_name);
		bind_text(s, 3, m->experiment);
		bind_text(s, 4, m->config_hash ? m->config_hash : hash);
		bind_text(s, 5, m->config_json);
		sqlite3_bind_int64(s, 6, (int64_t)m->seed);
		sqlite3_bind_int64(s, 7, m->replication);
		bind_text(s, 8, m->seed_policy);
		bind_text(s, 9, m->rng);
		bind_text(s, 10, m->tool_version ? m->tool_version : MESHSIM_VERSION);
		bind_text(s, 11, m->git_rev ? m->git_rev : build_git_rev());
		bind_text(s, 12, m->build_flags ? m->build_flags : build_flags());
		bind_text(s, 13, m->host ? m->host : host);
		bind_text(s, 14, started);
		bind_real(s, 15, m->sim_end_s);
		bind_real(s, 16, m->warmup_s);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_CONSTRAINT && sqlite3_extended_errcode(st->db) ==
		    SQLITE_CONSTRAINT_UNIQUE)
			snprintf(st->err, sizeof st->err, "%s: run %s is already stored", st->path, r->uuid);
		else
			set_err(st, rc);
		sqlite3_finalize(s);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		free(r);
		return NULL;
	}
	sqlite3_finalize(s);
	r->run_id = sqlite3_last_insert_rowid(st->db);
	st->cur = r;
	return r;
}

int store_has_run(ms_store *st, const char *config_hash, const char *config_json,
                  uint64_t seed, uint32_t replication)
{
	char hash[65];
	if (!config_hash) {
		if (!config_json || sha256_hex(config_json, hash) != 0)
			return -1;
		config_hash = hash;
	}
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db,
		"SELECT EXISTS (SELECT 1 FROM run WHERE config_hash = ? AND seed = ?"
		" AND replication = ? AND status = 'ok')", -1, &s, NULL);
	if (rc != SQLITE_OK) {
		set_err(st, rc);
		return -1;
	}
	bind_text(s, 1, config_hash);
	sqlite3_bind_int64(s, 2, (int64_t)seed);
	sqlite3_bind_int64(s, 3, replication);
	int found = -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		found = sqlite3_column_int(s, 0);
	else
		set_err(st, rc);
	sqlite3_finalize(s);
	return found;
}

int64_t store_run_id(const ms_run *r)
{
	return r->run_id;
}

const char *store_run_uuid(const ms_run *r)
{
	return r->uuid;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

int store_add_param(ms_run *r, const char *name, const char *value)
{
	sqlite3_stmt *s;
	if (!usable(r) || !(s = stmt(r, STMT_PARAM)))
		return r ? r->failed : EXIT_SOFTWARE;
	char *end;
	errno = 0;
	double num = strtod(value, &end);
	sqlite3_bind_int64(s, 1, r->run_id);
	bind_text(s, 2, name);
	bind_text(s, 3, value);
	if (end != value && *end == '\0' && errno == 0)
		bind_real(s, 4, num);
	return step(r, s);
}

int store_add_attr(ms_run *r, const char *name, const char *value)
{
	sqlite3_stmt *s;
	if (!usable(r) || !(s = stmt(r, STMT_ATTR)))
		return r ? r->failed : EXIT_SOFTWARE;
	sqlite3_bind_int64(s, 1, r->run_id);
	bind_text(s, 2, name);
	bind_text(s, 3, value);
	return step(r, s);
}

/* A prepared row of a per-entity table (scalar, stat, series), its key
 * bound: ?1 run, ?2 entity kind, ?3 entity, ?4 name. NULL when the run
 * cannot take rows (then *rc says why). */
static sqlite3_stmt *entity_row(ms_run *r, int which, const char *entity_kind,
                                const char *entity, const char *name, int *rc)
{
	sqlite3_stmt *s;
	if (!usable(r) || !(s = stmt(r, which))) {
		*rc = r ? r->failed : EXIT_SOFTWARE;
		return NULL;
	}
	sqlite3_bind_int64(s, 1, r->run_id);
	bind_text(s, 2, or_empty(entity_kind));
	bind_text(s, 3, or_empty(entity));
	bind_text(s, 4, name);
	return s;
}

int store_add_scalar(ms_run *r, const char *entity_kind, const char *entity,
                     const char *name, double value, const char *unit)
{
	int rc;
	sqlite3_stmt *s = entity_row(r, STMT_SCALAR, entity_kind, entity, name, &rc);
	if (!s)
		return rc;
	bind_real(s, 5, value);
	bind_text(s, 6, unit);
	return step(r, s);
}

typedef struct stat_row {
	uint64_t count, clamped;
	double sum, sumsq, min, max, mean, stddev, p50, p90, p99, p999, scale;
	const uint8_t *blob;
	size_t bloblen;
} stat_row;

static int add_stat_row(ms_run *r, const char *entity_kind, const char *entity,
                        const char *name, const char *unit, const stat_row *v)
{
	int rc;
	sqlite3_stmt *s = entity_row(r, STMT_STAT, entity_kind, entity, name, &rc);
	if (!s)
		return rc;
	bind_text(s, 5, unit);
	sqlite3_bind_int64(s, 6, (int64_t)v->count);
	sqlite3_bind_int64(s, 7, (int64_t)v->clamped);
	bind_real(s, 8, v->sum);
	bind_real(s, 9, v->sumsq);
	double q[] = { v->min, v->max, v->mean, v->stddev, v->p50, v->p90, v->p99, v->p999 };
	for (int i = 0; i < 8; i++)
		bind_real(s, 10 + i, v->count ? q[i] : NAN);
	bind_real(s, 18, v->scale);
	if (v->blob)
		sqlite3_bind_blob(s, 19, v->blob, (int)v->bloblen, SQLITE_TRANSIENT);
	return step(r, s);
}

int store_add_stat(ms_run *r, const char *entity_kind, const char *entity,
                   const char *name, const char *unit, double scale, const histogram *h)
{
	if (!usable(r))
		return r ? r->failed : EXIT_SOFTWARE;
	uint8_t *blob = NULL;
	size_t len = hist_encode(h, &blob);
	if (len == 0) {
		snprintf(r->st->err, sizeof r->st->err, "cannot encode histogram %s", name);
		return r->failed = EXIT_SOFTWARE;
	}
	stat_row v = {
		.count = h->count, .clamped = h->clamped,
		.sum = h->sum * scale, .sumsq = h->sumsq * scale * scale,
		.min = (double)h->min * scale, .max = (double)h->max * scale,
		.mean = hist_mean(h) * scale, .stddev = hist_stddev(h) * scale,
		.p50 = (double)hist_quantile(h, 0.50) * scale,
		.p90 = (double)hist_quantile(h, 0.90) * scale,
		.p99 = (double)hist_quantile(h, 0.99) * scale,
		.p999 = (double)hist_quantile(h, 0.999) * scale,
		.scale = scale, .blob = blob, .bloblen = len,
	};
	int code = add_stat_row(r, entity_kind, entity, name, unit, &v);
	free(blob);
	return code;
}

int store_add_tally(ms_run *r, const char *entity_kind, const char *entity,
                    const char *name, const char *unit, const tally *t)
{
	double n = (double)t->n;
	stat_row v = {
		.count = t->n, .sum = t->mean * n, .sumsq = t->m2 + n * t->mean * t->mean,
		.min = t->min, .max = t->max, .mean = t->mean, .stddev = tally_stddev(t),
		.p50 = NAN, .p90 = NAN, .p99 = NAN, .p999 = NAN, .scale = NAN,
	};
	return add_stat_row(r, entity_kind, entity, name, unit, &v);
}

int store_add_series(ms_run *r, const char *entity_kind, const char *entity,
                     const char *name, const char *unit, double window_s,
                     const double *t_s, const double *value, size_t n)
{
	int rc;
	sqlite3_stmt *s = entity_row(r, STMT_SERIES, entity_kind, entity, name, &rc);
	if (!s)
		return rc;
	bind_text(s, 5, unit);
	bind_real(s, 6, window_s);
	if (step(r, s))
		return r->failed;
	int64_t series_id = sqlite3_last_insert_rowid(r->st->db);
	for (size_t i = 0; i < n; i++) {
		if (!(s = stmt(r, STMT_POINT)))
			return r->failed;
		sqlite3_bind_int64(s, 1, series_id);
		sqlite3_bind_double(s, 2, t_s[i]);
		bind_real(s, 3, value[i]);
		if (step(r, s))
			return r->failed;
	}
	return 0;
}

int store_add_windows(ms_run *r, const char *entity_kind, const char *entity,
                      const char *name, const char *unit, const series *ser,
                      store_window_value how)
{
	if (!usable(r))
		return r ? r->failed : EXIT_SOFTWARE;
	size_t n = ser->nwindows;
	double width_s = (double)ser->width * 1e-9;
	double *t = malloc((n ? n : 1) * sizeof *t), *v = malloc((n ? n : 1) * sizeof *v);
	if (!t || !v) {
		free(t);
		free(v);
		snprintf(r->st->err, sizeof r->st->err, "out of memory");
		return r->failed = EXIT_SOFTWARE;
	}
	for (size_t i = 0; i < n; i++) {
		t[i] = (double)(ser->start + (sim_time_t)i * ser->width) * 1e-9;
		switch (how) {
		case STORE_WINDOW_RATE:
			v[i] = ser->sum[i] / width_s;
			break;
		case STORE_WINDOW_MEAN:
			v[i] = ser->count[i] ? ser->sum[i] / (double)ser->count[i] : NAN;
			break;
		default:
			v[i] = ser->sum[i];
			break;
		}
	}
	int code = store_add_series(r, entity_kind, entity, name, unit, width_s, t, v, n);
	free(t);
	free(v);
	return code;
}

int store_add_cost(ms_run *r, const char *component, double vcpu_h, double gib_h,
                   double usd, const char *price_sheet)
{
	sqlite3_stmt *s;
	if (!usable(r) || !(s = stmt(r, STMT_COST)))
		return r ? r->failed : EXIT_SOFTWARE;
	sqlite3_bind_int64(s, 1, r->run_id);
	bind_text(s, 2, component);
	bind_real(s, 3, vcpu_h);
	bind_real(s, 4, gib_h);
	bind_real(s, 5, usd);
	bind_text(s, 6, price_sheet);
	return step(r, s);
}

int store_add_verdict(ms_run *r, const char *name, int passed, const char *outcome,
                      double value, double threshold, const char *evidence)
{
	sqlite3_stmt *s;
	if (!usable(r) || !(s = stmt(r, STMT_VERDICT)))
		return r ? r->failed : EXIT_SOFTWARE;
	sqlite3_bind_int64(s, 1, r->run_id);
	bind_text(s, 2, name);
	sqlite3_bind_int(s, 3, passed ? 1 : 0);
	bind_text(s, 4, outcome);
	bind_real(s, 5, value);
	bind_real(s, 6, threshold);
	bind_text(s, 7, evidence);
	return step(r, s);
}

static void end_run(ms_run *r)
{
	ms_store *st = r->st;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->cur = NULL;
	free(r);
}

int store_run_commit(ms_run *r, store_status status, const char *error,
                     int64_t events, double wall_s)
{
	static const char *const names[] = { "ok", "failed", "interrupted" };
	if (!r)
		return EXIT_SOFTWARE;
	ms_store *st = r->st;
	int code = r->failed;
	if (!code && (status < STORE_OK || status > STORE_INTERRUPTED)) {
		snprintf(st->err, sizeof st->err, "bad run status %d", (int)status);
		code = EXIT_SOFTWARE;
	}
	if (!code) {
		char finished[32];
		double now = now_unix();
		iso_time(now, finished);
		sqlite3_stmt *s;
		int rc = sqlite3_prepare_v2(st->db,
			"UPDATE run SET status = ?, error = ?, events = ?, wall_s = ?, finished_at = ?"
			" WHERE run_id = ?", -1, &s, NULL);
		if (rc == SQLITE_OK) {
			bind_text(s, 1, names[status]);
			bind_text(s, 2, error);
			sqlite3_bind_int64(s, 3, events);
			bind_real(s, 4, wall_s >= 0 ? wall_s : now - r->started_at);
			bind_text(s, 5, finished);
			sqlite3_bind_int64(s, 6, r->run_id);
			rc = sqlite3_step(s);
			if (rc == SQLITE_DONE)
				rc = SQLITE_OK;
		}
		sqlite3_finalize(s);
		code = rc == SQLITE_OK ? exec(st, "COMMIT") : set_err(st, rc);
	}
	end_run(r);
	return code;
}

void store_run_abort(ms_run *r)
{
	if (r)
		end_run(r);
}
