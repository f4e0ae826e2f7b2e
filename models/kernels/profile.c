/* models/kernels/profile.c - calibration profile: fit, write, read (Jansson). */
#include "common/build_info.h"
#include "common/datadir.h"
#include "models/kernels/calib.h"
#include "models/kernels/fit.h"

#include <errno.h>
#include <gnu/libc-version.h>
#include <gsl/gsl_version.h>
#include <http_parser.h>
#include <limits.h>
#include <math.h>
#include <nghttp2/nghttp2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static const char *model_name(enum cost_model m)
{
	return m == COST_LINEAR ? "linear" : m == COST_INTERP ? "interp" : "const";
}

static int model_from_name(const char *s, enum cost_model *m)
{
	if (!s)
		return -1;
	if (!strcmp(s, "const"))
		*m = COST_CONST;
	else if (!strcmp(s, "linear"))
		*m = COST_LINEAR;
	else if (!strcmp(s, "interp"))
		*m = COST_INTERP;
	else
		return -1;
	return 0;
}

/* A JSON number, or null for NaN/inf. */
static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static void cpuinfo(char *model, size_t ml, char **flags)
{
	snprintf(model, ml, "unknown");
	*flags = NULL;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	int have_model = 0;
	while (getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		char *val = colon + 1;
		while (*val == ' ')
			val++;
		val[strcspn(val, "\n")] = '\0';
		if (!have_model && !strncmp(line, "model name", 10)) {
			snprintf(model, ml, "%s", val);
			have_model = 1;
		} else if (!*flags && !strncmp(line, "flags", 5)) {
			*flags = strdup(val);
		}
		if (have_model && *flags)
			break;
	}
	free(line);
	fclose(f);
}

json_t *calib_host_json(void)
{
	char model[256];
	char *flags;
	cpuinfo(model, sizeof model, &flags);
	struct utsname u;
	if (uname(&u) != 0)
		memset(&u, 0, sizeof u);
	unsigned long hp = http_parser_version();
	char hpv[32], pcre[32] = "unknown";
	snprintf(hpv, sizeof hpv, "%lu.%lu.%lu", (hp >> 16) & 255, (hp >> 8) & 255, hp & 255);
	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	nghttp2_info *ng = nghttp2_version(0);
	char host[HOST_NAME_MAX + 1] = "";
	gethostname(host, sizeof host);
	json_t *h = json_pack(
		"{s:s, s:s, s:I, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
		"cpu_model", model, "cpu_flags", flags ? flags : "", "cpus",
		(json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "kernel", "sysname", u.sysname,
		"release", u.release, "machine", u.machine, "libraries", "openssl",
		OpenSSL_version(OPENSSL_VERSION), "nghttp2", ng ? ng->version_str : "unknown",
		"http_parser", hpv, "pcre2", pcre, "gsl", gsl_version, "jansson",
		jansson_version_str(), "glibc", gnu_get_libc_version());
	free(flags);
	return h;
}

/* Build one operation's cost entry and its JSON from the measurements. */
static json_t *fit_op(const calib_ctx *c, int op, cost_entry *e)
{
	const char *key = cost_op_name((cost_op)op);
	const calib_meas *ms[64];
	int nm = 0;
	for (size_t i = 0; i < c->n && nm < 64; i++)
		if (!strcmp(c->m[i].op, key))
			ms[nm++] = &c->m[i];
	memset(e, 0, sizeof *e);
	if (nm == 0)
		return NULL;
	/* sort by size */
	for (int i = 1; i < nm; i++)
		for (int j = i; j > 0 && ms[j]->size < ms[j - 1]->size; j--) {
			const calib_meas *t = ms[j];
			ms[j] = ms[j - 1];
			ms[j - 1] = t;
		}
	e->available = 1;
	e->model = cost_op_model((cost_op)op);
	double kf = 0.0;
	for (int i = 0; i < nm; i++)
		kf += ms[i]->kernel_frac;
	e->kernel_frac = kf / nm;
	json_t *fitj = json_null();
	/* every operation measured at two sizes or more gets a linear fit (recorded
	 * even where the cost model interpolates) */
	double x[64 * CALIB_MAX_REPS], y[64 * CALIB_MAX_REPS], w[64 * CALIB_MAX_REPS];
	size_t n = 0;
	for (int i = 0; i < nm; i++)
		for (int r = 0; r < ms[i]->nreps; r++) {
			x[n] = (double)ms[i]->size;
			y[n] = ms[i]->v[r];
			w[n++] = ms[i]->median > 0.0 ? 1.0 / (ms[i]->median * ms[i]->median) : 1.0;
		}
	fit_result f;
	int fitted = nm > 1 && fit_linear(x, y, w, n, &f) == 0;
	if (fitted)
		fitj = json_pack("{s:o, s:o, s:s, s:o, s:o, s:[o,o], s:[o,o], s:I}", "r2", num(f.r2),
				 "rmse_rel", num(f.rmse), "method",
				 "weighted least squares over all repetitions, w = 1/median^2 "
				 "(gsl_fit_wlinear); 95% CI, Student t",
				 "fixed_ns", num(f.fixed), "per_unit_ns", num(f.per_unit),
				 "fixed_ci95", num(f.fixed_lo), num(f.fixed_hi), "per_unit_ci95",
				 num(f.per_unit_lo), num(f.per_unit_hi), "n", (json_int_t)f.n);
	/* the fit's worst relative miss at a measured size */
	double worst = 0.0;
	uint64_t worst_at = 0;
	for (int i = 0; fitted && i < nm; i++) {
		double pred = f.fixed + f.per_unit * (double)ms[i]->size;
		double dev = ms[i]->median > 0.0 ? fabs(pred - ms[i]->median) / ms[i]->median : 0.0;
		if (dev > worst) {
			worst = dev;
			worst_at = ms[i]->size;
		}
	}
	char why[160] = "";
	if (fitted)
		json_object_set_new(fitj, "max_rel_dev", json_real(worst));
	/* A linear operation uses its fit where the fit describes the data;
	 * where the library's code path changes with size (ChaCha20's block
	 * batching, say) and the line misses a measured median by more than
	 * CALIB_LINEAR_TOL, the operation interpolates its medians instead. */
	if (e->model == COST_LINEAR && fitted && worst > CALIB_LINEAR_TOL && nm > 2) {
		e->model = COST_INTERP;
		snprintf(why, sizeof why, "interp: the linear fit misses the median at %llu by %.0f%%",
			 (unsigned long long)worst_at, 100.0 * worst);
	} else if (e->model == COST_LINEAR && fitted) {
		snprintf(why, sizeof why, "linear fit within %.0f%% of every measured median",
			 100.0 * CALIB_LINEAR_TOL);
	}
	if (e->model == COST_CONST) {
		e->fixed_ns = ms[0]->median;
	} else if (e->model == COST_LINEAR) {
		if (fitted) {
			e->fixed_ns = f.fixed;
			e->per_unit_ns = f.per_unit;
		} else {
			e->fixed_ns = ms[0]->median;
		}
	} else {
		for (int i = 0; i < nm && e->npoints < COST_MAX_POINTS; i++) {
			e->px[e->npoints] = (double)ms[i]->size;
			e->py[e->npoints++] = ms[i]->median;
		}
		if (fitted && f.per_unit > 0)
			e->tail_per_unit_ns = f.per_unit;
	}
	json_t *pts = json_array();
	for (int i = 0; i < nm; i++)
		json_array_append_new(pts, json_pack("{s:I, s:f, s:f, s:f}", "size",
						     (json_int_t)ms[i]->size, "median_ns",
						     ms[i]->median, "min_ns", ms[i]->min, "max_ns",
						     ms[i]->max));
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:f, s:s, s:o, s:o}", "model",
			      model_name(e->model), "unit", cost_op_unit((cost_op)op), "fixed_ns",
			      num(e->fixed_ns), "per_unit_ns", num(e->per_unit_ns),
			      "kernel_fraction", e->kernel_frac, "source", ms[0]->kernel, "fit", fitj,
			      "points", pts);
	if (o && why[0])
		json_object_set_new(o, "model_choice", json_string(why));
	return o;
}

json_t *calib_profile_json(const calib_ctx *c, json_t *kernels_status)
{
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *meas = json_array();
	for (size_t i = 0; i < c->n; i++) {
		const calib_meas *m = &c->m[i];
		json_t *reps = json_array();
		for (int r = 0; r < m->nreps; r++)
			json_array_append_new(reps, json_real(m->v[r]));
		json_array_append_new(
			meas, json_pack("{s:s, s:s, s:I, s:f, s:f, s:f, s:o, s:I, s:f, s:b}", "kernel",
					m->kernel, "op", m->op, "size", (json_int_t)m->size,
					"median_ns", m->median, "min_ns", m->min, "max_ns", m->max,
					"reps_ns", reps, "iters_per_rep", (json_int_t)m->iters,
					"kernel_fraction", m->kernel_frac, "derived", m->derived));
	}
	json_t *ops = json_object();
	for (int op = 0; op < COST_OP_COUNT; op++) {
		cost_entry e;
		json_t *j = fit_op(c, op, &e);
		if (j)
			json_object_set_new(ops, cost_op_name((cost_op)op), j);
	}
	return json_pack("{s:s, s:i, s:s, s:{s:s, s:s}, s:{s:s, s:i, s:f}, s:o, s:O, s:o, s:o}",
			 "format", CALIB_FORMAT, "version", CALIB_FORMAT_VERSION, "created",
			 created, "tool", "name", "meshsim", "git_rev", build_git_rev(),
			 "settings", "mode", c->quick ? "quick" : "full", "repetitions", c->reps,
			 "rep_target_ms", c->rep_ns / 1e6, "host", calib_host_json(), "kernels",
			 kernels_status, "measurements", meas, "operations", ops);
}

json_t *cost_profile_ops_json(const cost_profile *p)
{
	json_t *ops = json_object();
	for (int op = 0; op < COST_OP_COUNT; op++) {
		const cost_entry *e = &p->op[op];
		if (!e->available)
			continue;
		json_t *pts = json_array();
		for (int k = 0; k < e->npoints; k++)
			json_array_append_new(pts, json_pack("{s:f, s:f}", "size", e->px[k],
							     "median_ns", e->py[k]));
		json_object_set_new(ops, cost_op_name((cost_op)op),
				    json_pack("{s:s, s:s, s:f, s:f, s:f, s:o}", "model",
					      model_name(e->model), "unit",
					      cost_op_unit((cost_op)op), "fixed_ns", e->fixed_ns,
					      "per_unit_ns", e->per_unit_ns, "kernel_fraction",
					      e->kernel_frac, "points", pts));
	}
	return ops;
}

static int getnum(const json_t *o, const char *k, double *out)
{
	const json_t *v = json_object_get(o, k);
	if (json_is_null(v) || !v) {
		*out = 0.0;
		return 0;
	}
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return isfinite(*out) ? 0 : -1;
}

int cost_profile_from_json(const json_t *root, cost_profile *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	if (!json_is_object(root)) {
		snprintf(err, errlen, "profile is not a JSON object");
		return -1;
	}
	const char *fmt = json_string_value(json_object_get(root, "format"));
	if (!fmt || strcmp(fmt, CALIB_FORMAT)) {
		snprintf(err, errlen, "not a meshsim calibration profile (format '%s')",
			 fmt ? fmt : "missing");
		return -1;
	}
	json_int_t ver = json_integer_value(json_object_get(root, "version"));
	if (ver != CALIB_FORMAT_VERSION) {
		snprintf(err, errlen, "unsupported profile version %lld (want %d)", (long long)ver,
			 CALIB_FORMAT_VERSION);
		return -1;
	}
	const json_t *ops = json_object_get(root, "operations");
	if (!json_is_object(ops)) {
		snprintf(err, errlen, "profile has no \"operations\" object");
		return -1;
	}
	const char *key;
	const json_t *o;
	json_object_foreach((json_t *)ops, key, o)
	{
		int op = cost_op_from_name(key);
		if (op < 0)
			continue; /* an operation this build does not know */
		cost_entry *e = &p->op[op];
		if (!json_is_object(o) ||
		    model_from_name(json_string_value(json_object_get(o, "model")), &e->model)) {
			snprintf(err, errlen, "operations.%s: missing or bad \"model\"", key);
			return -1;
		}
		if (getnum(o, "fixed_ns", &e->fixed_ns) || getnum(o, "per_unit_ns", &e->per_unit_ns) ||
		    getnum(o, "kernel_fraction", &e->kernel_frac) || e->kernel_frac < 0.0 ||
		    e->kernel_frac > 1.0) {
			snprintf(err, errlen, "operations.%s: bad number", key);
			return -1;
		}
		const json_t *pts = json_object_get(o, "points");
		if (pts && !json_is_array(pts)) {
			snprintf(err, errlen, "operations.%s: \"points\" is not an array", key);
			return -1;
		}
		if (e->model == COST_INTERP) {
			size_t i;
			const json_t *pt;
			json_array_foreach(pts, i, pt)
			{
				if (e->npoints >= COST_MAX_POINTS)
					break;
				double x, y;
				if (getnum(pt, "size", &x) || getnum(pt, "median_ns", &y) ||
				    (e->npoints > 0 && x <= e->px[e->npoints - 1])) {
					snprintf(err, errlen,
						 "operations.%s.points[%zu]: bad or unsorted point", key,
						 i);
					return -1;
				}
				e->px[e->npoints] = x;
				e->py[e->npoints++] = y;
			}
			if (e->npoints == 0) {
				snprintf(err, errlen, "operations.%s: interp model without points",
					 key);
				return -1;
			}
			/* Above the last point: the linear fit's slope, if any. */
			double tail = 0;
			const json_t *fit = json_object_get(o, "fit");
			if (json_is_object(fit) && !getnum(fit, "per_unit_ns", &tail) && tail > 0)
				e->tail_per_unit_ns = tail;
		}
		e->available = 1;
	}
	const json_t *host = json_object_get(root, "host");
	const json_t *kern = json_object_get(host, "kernel");
	snprintf(p->host, sizeof p->host, "%s, Linux %s",
		 json_string_value(json_object_get(host, "cpu_model"))
			 ? json_string_value(json_object_get(host, "cpu_model"))
			 : "unknown CPU",
		 json_string_value(json_object_get(kern, "release"))
			 ? json_string_value(json_object_get(kern, "release"))
			 : "?");
	return 0;
}

static void sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	out[0] = '\0';
	if (!EVP_Digest(data, n, md, &len, EVP_sha256(), NULL) || len != 32)
		return;
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int cost_profile_load(const char *path, cost_profile *p, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (len + 65536 > cap) {
			cap = cap ? 2 * cap : 262144;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	int rerr = ferror(f);
	fclose(f);
	if (rerr) {
		free(buf);
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	json_error_t je;
	json_t *root = json_loadb(buf, len, 0, &je);
	char sha[65];
	sha256_hex(buf, len, sha);
	free(buf);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -2;
	}
	char e2[256];
	int rc = cost_profile_from_json(root, p, e2, sizeof e2);
	json_decref(root);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, e2);
		return -2;
	}
	snprintf(p->source, sizeof p->source, "%s", path);
	memcpy(p->sha256, sha, sizeof sha);
	return 0;
}

int cost_profile_resolve(const char *spec, cost_profile *p, char *err, size_t errlen)
{
	if (spec && !strcmp(spec, "host")) {
		char e2[256];
		int nfailed = 0;
		json_t *prof = calib_run(1, NULL, 0, stderr, &nfailed, e2, sizeof e2);
		if (!prof) {
			snprintf(err, errlen, "host calibration: %s", e2);
			return -2;
		}
		int rc = cost_profile_from_json(prof, p, e2, sizeof e2);
		char *text = rc ? NULL : json_dumps(prof, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
		json_decref(prof);
		if (rc) {
			snprintf(err, errlen, "host calibration: %s", e2);
			return -2;
		}
		if (text)
			sha256_hex(text, strlen(text), p->sha256);
		free(text);
		snprintf(p->source, sizeof p->source, "host (quick calibration)");
		return 0;
	}
	if (spec && *spec)
		return cost_profile_load(spec, p, err, errlen);
	char path[PATH_MAX + 64];
	if (datadir_find(CALIB_REFERENCE_PATH, NULL, path, sizeof path) == 0)
		return cost_profile_load(path, p, err, errlen);
	snprintf(err, errlen,
		 "reference calibration profile %s not found (cwd, $MESHSIM_DATADIR, or next to the "
		 "executable); use --calibration FILE",
		 CALIB_REFERENCE_PATH);
	return -1;
}
