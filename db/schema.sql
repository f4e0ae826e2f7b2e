-- meshsim results store, schema version 1.
--
-- One SQLite file per process; `meshsim merge` joins files. Every run is
-- written in one transaction. Units are SI (seconds, bytes, 1/s); the `unit`
-- columns say which. NaN is stored as NULL. Times of day are ISO 8601 UTC
-- text ('2026-11-27T13:36:44.123Z').
--
-- The C copy of this text is db/schema.c; tests/db/test_schema.c checks
-- that the two are identical. The application id is 'mesh' (0x6D657368).

PRAGMA application_id = 1835365224;
PRAGMA user_version = 1;

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- One row per run (one replication of one scenario point).
CREATE TABLE run (
	run_id        INTEGER PRIMARY KEY,
	run_uuid      TEXT NOT NULL UNIQUE,      -- globally unique: merge key
	scenario_name TEXT NOT NULL,
	experiment    TEXT,                      -- sweep or study name
	config_hash   TEXT NOT NULL,             -- SHA-256 (hex) of config_json
	config_json   TEXT NOT NULL,             -- canonical resolved config
	seed          INTEGER NOT NULL,          -- master seed (uint64 bits)
	replication   INTEGER NOT NULL CHECK (replication >= 0),
	seed_policy   TEXT,
	rng           TEXT,
	tool_version  TEXT NOT NULL,
	git_rev       TEXT,
	build_flags   TEXT,
	host          TEXT,
	started_at    TEXT NOT NULL,
	finished_at   TEXT,
	wall_s        REAL,
	events        INTEGER,
	sim_end_s     REAL,
	warmup_s      REAL,
	status        TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'interrupted')),
	error         TEXT
) STRICT;
CREATE INDEX run_config_hash ON run (config_hash);

-- Sweep factors (iteration variables) of a run.
CREATE TABLE run_param (
	run_id    INTEGER NOT NULL REFERENCES run ON DELETE CASCADE,
	name      TEXT NOT NULL,
	value     TEXT NOT NULL,
	value_num REAL,                          -- value as a number, if it is one
	PRIMARY KEY (run_id, name)
) STRICT;

-- Free labels of a run (scenario labels, mesh name, ...).
CREATE TABLE run_attr (
	run_id INTEGER NOT NULL REFERENCES run ON DELETE CASCADE,
	name   TEXT NOT NULL,
	value  TEXT NOT NULL,
	PRIMARY KEY (run_id, name)
) STRICT;

-- entity_kind: proxy|ztunnel|waypoint|istiod|node|service|client|...;
-- entity '' means the whole kind (or the whole run when entity_kind is '').
CREATE TABLE scalar (
	run_id      INTEGER NOT NULL REFERENCES run ON DELETE CASCADE,
	entity_kind TEXT NOT NULL,
	entity      TEXT NOT NULL,
	name        TEXT NOT NULL,
	value       REAL,
	unit        TEXT,
	PRIMARY KEY (run_id, entity_kind, entity, name)
) STRICT;

-- Distributions. Values are in `unit` (latencies in seconds); `hist` is the
-- sim/histogram.h blob of the raw values (nanoseconds for latencies) and
-- hist_scale converts a raw value into `unit` (1e-9 for ns -> s).
CREATE TABLE stat (
	stat_id     INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES run ON DELETE CASCADE,
	entity_kind TEXT NOT NULL,
	entity      TEXT NOT NULL,
	name        TEXT NOT NULL,
	unit        TEXT,
	count       INTEGER NOT NULL,
	clamped     INTEGER NOT NULL DEFAULT 0,  -- values above the histogram's range
	sum         REAL,
	sumsq       REAL,
	min         REAL,
	max         REAL,
	mean        REAL,
	stddev      REAL,
	p50         REAL,
	p90         REAL,
	p99         REAL,
	p999        REAL,
	hist_scale  REAL,
	hist        BLOB,
	UNIQUE (run_id, entity_kind, entity, name)
) STRICT;

-- Windowed time series: one point per window, t_s = window start.
CREATE TABLE series (
	series_id   INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES run ON DELETE CASCADE,
	entity_kind TEXT NOT NULL,
	entity      TEXT NOT NULL,
	name        TEXT NOT NULL,
	unit        TEXT,
	window_s    REAL,
	UNIQUE (run_id, entity_kind, entity, name)
) STRICT;

CREATE TABLE series_point (
	series_id INTEGER NOT NULL REFERENCES series ON DELETE CASCADE,
	t_s       REAL NOT NULL,
	value     REAL,
	PRIMARY KEY (series_id, t_s)
) STRICT, WITHOUT ROWID;

CREATE TABLE cost (
	run_id      INTEGER NOT NULL REFERENCES run ON DELETE CASCADE,
	component   TEXT NOT NULL,
	vcpu_h      REAL,
	gib_h       REAL,
	usd         REAL,
	price_sheet TEXT,
	PRIMARY KEY (run_id, component)
) STRICT;

-- SLO checks and stability verdicts; evidence is JSON text.
CREATE TABLE verdict (
	run_id    INTEGER NOT NULL REFERENCES run ON DELETE CASCADE,
	name      TEXT NOT NULL,
	passed    INTEGER NOT NULL CHECK (passed IN (0, 1)),
	outcome   TEXT,                          -- e.g. stable, unstable, met, missed
	value     REAL,
	threshold REAL,
	evidence  TEXT,
	PRIMARY KEY (run_id, name)
) STRICT;

-- Two-sided 95 % Student t quantiles t(0.975, df), df = 1..1000, filled by
-- the writer from GSL when the database is created (SQLite has no t
-- quantile function). Beyond df 1000 the views use a normal approximation.
CREATE TABLE t95 (
	df INTEGER PRIMARY KEY,
	t  REAL NOT NULL
) STRICT;

-- Runs with their sweep parameters and labels as JSON objects.
CREATE VIEW v_run AS
SELECT r.run_id, r.run_uuid, r.scenario_name, r.experiment, r.config_hash,
       r.seed, r.replication, r.status, r.error, r.started_at, r.finished_at,
       r.wall_s, r.events, r.sim_end_s, r.warmup_s, r.tool_version, r.git_rev,
       r.host,
       (SELECT json_group_object(p.name, coalesce(p.value_num, p.value))
          FROM (SELECT * FROM run_param WHERE run_id = r.run_id ORDER BY name) p) AS params,
       (SELECT json_group_object(a.name, a.value)
          FROM (SELECT * FROM run_attr WHERE run_id = r.run_id ORDER BY name) a) AS attrs
  FROM run r;

-- Distributions with the identity of their run (no blobs).
CREATE VIEW v_stat AS
SELECT r.run_id, r.run_uuid, r.scenario_name, r.config_hash, r.replication,
       r.status, s.entity_kind, s.entity, s.name, s.unit, s.count, s.clamped,
       s.mean, s.stddev, s.min, s.p50, s.p90, s.p99, s.p999, s.max
  FROM stat s JOIN run r USING (run_id);

-- Scalars with the identity of their run.
CREATE VIEW v_scalar AS
SELECT r.run_id, r.run_uuid, r.scenario_name, r.config_hash, r.replication,
       r.status, s.entity_kind, s.entity, s.name, s.value, s.unit
  FROM scalar s JOIN run r USING (run_id);

-- One wide row per run: the client's request latency (stat 'client', '',
-- 'latency'), throughput and error scalars, total cost and failed verdicts.
CREATE VIEW v_kpi AS
SELECT v.run_id, v.run_uuid, v.scenario_name, v.config_hash, v.replication,
       v.status, v.params,
       l.count AS requests, l.mean AS latency_mean_s, l.p50 AS latency_p50_s,
       l.p90 AS latency_p90_s, l.p99 AS latency_p99_s, l.p999 AS latency_p999_s,
       l.max AS latency_max_s,
       (SELECT value FROM scalar WHERE run_id = v.run_id AND entity_kind = 'client'
           AND entity = '' AND name = 'throughput') AS throughput_per_s,
       (SELECT value FROM scalar WHERE run_id = v.run_id AND entity_kind = 'client'
           AND entity = '' AND name = 'errors') AS errors,
       (SELECT sum(usd) FROM cost WHERE run_id = v.run_id) AS cost_usd,
       (SELECT count(*) FROM verdict WHERE run_id = v.run_id AND passed = 0) AS verdicts_failed
  FROM v_run v
  LEFT JOIN stat l ON l.run_id = v.run_id AND l.entity_kind = 'client'
       AND l.entity = '' AND l.name = 'latency';

-- Every per-run metric value in one tall shape: scalars, and the mean,
-- percentiles and max of each distribution.
CREATE VIEW v_metric AS
SELECT run_id, 'scalar' AS source, entity_kind, entity, name, 'value' AS field, unit, value
  FROM scalar
UNION ALL SELECT run_id, 'stat', entity_kind, entity, name, 'mean', unit, mean FROM stat
UNION ALL SELECT run_id, 'stat', entity_kind, entity, name, 'p50',  unit, p50  FROM stat
UNION ALL SELECT run_id, 'stat', entity_kind, entity, name, 'p90',  unit, p90  FROM stat
UNION ALL SELECT run_id, 'stat', entity_kind, entity, name, 'p99',  unit, p99  FROM stat
UNION ALL SELECT run_id, 'stat', entity_kind, entity, name, 'p999', unit, p999 FROM stat
UNION ALL SELECT run_id, 'stat', entity_kind, entity, name, 'max',  unit, max  FROM stat;

-- The runs that count for confidence intervals: status ok, and one run per
-- (config_hash, seed, replication), the latest, so a re-run of the same
-- replication is not counted twice.
CREATE VIEW v_point_run AS
SELECT run_id, config_hash, scenario_name FROM (
	SELECT run_id, config_hash, scenario_name,
	       row_number() OVER (PARTITION BY config_hash, seed, replication
	                          ORDER BY finished_at DESC, run_uuid) AS k
	  FROM run WHERE status = 'ok')
 WHERE k = 1;

-- Per scenario point (config_hash) and metric: the mean across
-- replications, n, the sample standard deviation and the 95 % Student t
-- interval (half_width, lo, hi). half_width is NULL when n < 2.
CREATE VIEW v_point_ci AS
WITH m AS (
	SELECT p.config_hash, p.scenario_name, x.source, x.entity_kind, x.entity,
	       x.name, x.field, x.unit, x.value
	  FROM v_point_run p JOIN v_metric x USING (run_id)
	 WHERE x.value IS NOT NULL),
a AS (
	SELECT config_hash, source, entity_kind, entity, name, field,
	       max(scenario_name) AS scenario_name, max(unit) AS unit,
	       count(*) AS n, avg(value) AS mean
	  FROM m GROUP BY config_hash, source, entity_kind, entity, name, field),
d AS (
	SELECT a.*, sum((m.value - a.mean) * (m.value - a.mean)) AS ss
	  FROM a JOIN m USING (config_hash, source, entity_kind, entity, name, field)
	 GROUP BY a.config_hash, a.source, a.entity_kind, a.entity, a.name, a.field),
s AS (
	SELECT d.*, CASE WHEN n > 1 THEN sqrt(ss / (n - 1)) END AS stddev,
	       CASE WHEN n > 1 THEN coalesce(
	           (SELECT t FROM t95 WHERE df = n - 1),
	           1.959963984540054 + 2.3722715 / (n - 1)) END AS t
	  FROM d)
SELECT config_hash, scenario_name, source, entity_kind, entity, name, field,
       unit, n, mean, stddev,
       t * stddev / sqrt(n) AS half_width,
       mean - t * stddev / sqrt(n) AS lo,
       mean + t * stddev / sqrt(n) AS hi
  FROM s;
