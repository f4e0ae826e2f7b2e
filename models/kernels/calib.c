/* models/kernels/calib.c - measurement loop, kernel registry, calibration run. */
#include "models/kernels/calib.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

const calib_kernel calib_kernels[] = {
	{"records", "AEAD seal/open (AES-128/256-GCM, ChaCha20-Poly1305), EVP", kernel_records},
	{"tls", "TLS 1.3/1.2 handshakes and records, libssl in memory", kernel_tls},
	{"http1", "HTTP/1.1 request and response parsing, http-parser", kernel_http1},
	{"http2", "HTTP/2 + HPACK: HBONE CONNECT, DATA, gRPC, nghttp2", kernel_http2},
	{"syscalls", "syscall, socketpair, loopback TCP, epoll, context switch, memcpy",
	 kernel_syscalls},
	{"wireguard", "WireGuard packets and Noise IK handshake", kernel_wireguard},
	{"policy", "Istio-style RBAC (PCRE2), Cilium-style policy map and ipcache",
	 kernel_policy},
	{"ebpf", "Cilium-like eBPF policy program via BPF_PROG_TEST_RUN", kernel_ebpf},
	{"iptables", "iptables REDIRECT in a throwaway network namespace", kernel_iptables},
	{"proxy", "minimal epoll proxy hop (HTTP/1.1, one CPU)", kernel_proxy},
};
const int calib_nkernels = (int)(sizeof calib_kernels / sizeof calib_kernels[0]);

const calib_kernel *calib_kernel_find(const char *name)
{
	for (int i = 0; i < calib_nkernels; i++)
		if (strcmp(calib_kernels[i].name, name) == 0)
			return &calib_kernels[i];
	return NULL;
}

void calib_ctx_init(calib_ctx *c, int quick, FILE *progress)
{
	memset(c, 0, sizeof *c);
	c->quick = quick;
	c->reps = quick ? 3 : 7;
	c->rep_ns = quick ? 2e6 : 20e6;
	c->progress = progress;
	c->kernel = "";
}

void calib_ctx_free(calib_ctx *c)
{
	free(c->m);
	c->m = NULL;
	c->n = c->cap = 0;
}

double calib_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double calib_cpu_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double calib_group_cpu_ns(const int *pids, int n)
{
	double t = calib_cpu_now_ns();
	for (int i = 0; i < n; i++) {
		clockid_t clk;
		struct timespec ts;
		if (clock_getcpuclockid((pid_t)pids[i], &clk) == 0 && clock_gettime(clk, &ts) == 0)
			t += (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
	}
	return t;
}

void calib_cpu_ns(double *user_ns, double *sys_ns)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	*user_ns = (double)ru.ru_utime.tv_sec * 1e9 + (double)ru.ru_utime.tv_usec * 1e3;
	*sys_ns = (double)ru.ru_stime.tv_sec * 1e9 + (double)ru.ru_stime.tv_usec * 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double calib_median(const double *v, int n)
{
	if (n <= 0)
		return 0.0;
	double tmp[CALIB_MAX_REPS * 4];
	if (n > (int)(sizeof tmp / sizeof tmp[0]))
		n = (int)(sizeof tmp / sizeof tmp[0]);
	memcpy(tmp, v, (size_t)n * sizeof *v);
	qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
	return (n % 2) ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

calib_meas *calib_add(calib_ctx *c, const char *op, uint64_t size, const double *v, int n,
		      double kernel_frac, long iters)
{
	if (n <= 0)
		return NULL;
	if (n > CALIB_MAX_REPS)
		n = CALIB_MAX_REPS;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		calib_meas *m = realloc(c->m, cap * sizeof *m);
		if (!m)
			return NULL;
		c->m = m;
		c->cap = cap;
	}
	calib_meas *m = &c->m[c->n++];
	memset(m, 0, sizeof *m);
	snprintf(m->op, sizeof m->op, "%s", op);
	snprintf(m->kernel, sizeof m->kernel, "%s", c->kernel ? c->kernel : "");
	m->size = size;
	m->nreps = n;
	memcpy(m->v, v, (size_t)n * sizeof *v);
	m->median = calib_median(v, n);
	m->min = m->max = v[0];
	for (int i = 1; i < n; i++) {
		if (v[i] < m->min)
			m->min = v[i];
		if (v[i] > m->max)
			m->max = v[i];
	}
	if (kernel_frac < 0.0)
		kernel_frac = 0.0;
	if (kernel_frac > 1.0)
		kernel_frac = 1.0;
	m->kernel_frac = kernel_frac;
	m->iters = iters;
	return m;
}

const calib_meas *calib_find(const calib_ctx *c, const char *op, uint64_t size)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->m[i].size == size && strcmp(c->m[i].op, op) == 0)
			return &c->m[i];
	return NULL;
}

int calib_loop(calib_ctx *c, const char *op, uint64_t size, calib_body body, void *arg)
{
	long iters = 1;
	double el = 0.0;
	/* Warm-up and sizing: grow until a run lasts an eighth of a repetition. */
	for (;;) {
		double t0 = calib_cpu_now_ns();
		if (body(arg, iters) != 0)
			return calib_fail(c, "%s (size %llu): result check failed", op,
					  (unsigned long long)size);
		el = calib_cpu_now_ns() - t0;
		if (el >= c->rep_ns / 8 || iters >= (1L << 30))
			break;
		iters *= (el < c->rep_ns / 1000) ? 16 : 4;
	}
	if (el > 0.0) {
		double want = (double)iters * c->rep_ns / el;
		iters = want < 1.0 ? 1 : (want > 1e9 ? 1000000000L : (long)want);
	}
	if (body(arg, iters) != 0) /* one full-length warm-up repetition */
		return calib_fail(c, "%s: result check failed", op);
	double v[CALIB_MAX_REPS];
	double u0, s0, u1, s1;
	calib_cpu_ns(&u0, &s0);
	for (int r = 0; r < c->reps; r++) {
		double t0 = calib_cpu_now_ns();
		if (body(arg, iters) != 0)
			return calib_fail(c, "%s: result check failed", op);
		v[r] = (calib_cpu_now_ns() - t0) / (double)iters;
	}
	calib_cpu_ns(&u1, &s1);
	double cu = u1 - u0, cs = s1 - s0;
	double kf = (cu + cs) > 0.0 ? cs / (cu + cs) : 0.0;
	calib_add(c, op, size, v, c->reps, kf, iters);
	return 0;
}

static int vnote(calib_ctx *c, int rc, const char *fmt, va_list ap)
{
	vsnprintf(c->note, sizeof c->note, fmt, ap);
	return rc;
}

int calib_skip(calib_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vnote(c, CALIB_SKIPPED, fmt, ap);
	va_end(ap);
	return rc;
}

int calib_fail(calib_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vnote(c, CALIB_FAILED, fmt, ap);
	va_end(ap);
	return rc;
}

json_t *calib_run(int quick, const char *const *only, int nonly, FILE *progress, int *nfailed,
		  char *err, size_t errlen)
{
	int sel[64] = {0};
	int nsel = 0;
	if (nfailed)
		*nfailed = 0;
	for (int i = 0; i < nonly; i++) {
		const calib_kernel *k = calib_kernel_find(only[i]);
		if (!k) {
			snprintf(err, errlen, "unknown kernel '%s'", only[i]);
			return NULL;
		}
		sel[k - calib_kernels] = 1;
	}
	for (int i = 0; i < calib_nkernels; i++) {
		if (nonly == 0)
			sel[i] = 1;
		nsel += sel[i];
	}
	calib_ctx c;
	calib_ctx_init(&c, quick, progress);
	json_t *status = json_object();
	double start = calib_now_ns();
	int done = 0;
	for (int i = 0; i < calib_nkernels; i++) {
		if (!sel[i])
			continue;
		const calib_kernel *k = &calib_kernels[i];
		done++;
		if (progress) {
			fprintf(progress, "calibrate: [%d/%d] %-9s %s ...\n", done, nsel, k->name,
				k->what);
			fflush(progress);
		}
		c.kernel = k->name;
		c.note[0] = '\0';
		size_t before = c.n;
		double t0 = calib_now_ns();
		int rc = k->run(&c);
		double secs = (calib_now_ns() - t0) / 1e9;
		const char *st = rc == CALIB_OK ? "ok" : rc == CALIB_SKIPPED ? "skipped" : "failed";
		if (rc == CALIB_FAILED && nfailed)
			(*nfailed)++;
		json_object_set_new(status, k->name,
				    json_pack("{s:s, s:s, s:f, s:I}", "status", st, "message", c.note,
					      "seconds", secs, "measurements",
					      (json_int_t)(c.n - before)));
		if (progress) {
			fprintf(progress, "calibrate: [%d/%d] %-9s %s, %zu measurements, %.1f s%s%s\n",
				done, nsel, k->name, st, c.n - before, secs, c.note[0] ? ": " : "",
				c.note);
			fflush(progress);
		}
	}
	if (progress)
		fprintf(progress, "calibrate: done in %.1f s\n", (calib_now_ns() - start) / 1e9);
	json_t *prof = calib_profile_json(&c, status);
	json_decref(status);
	calib_ctx_free(&c);
	if (!prof)
		snprintf(err, errlen, "cannot build the profile");
	return prof;
}
