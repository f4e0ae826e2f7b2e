/*
 * models/kernels/calib.h - running the calibration kernels and the profile
 * they produce.
 *
 * A kernel runs real library code (OpenSSL, nghttp2, http-parser, PCRE2,
 * syscalls), checks its own result, and records measurements: per
 * operation and size, the per-operation time of each repetition (after a
 * warm-up), its median, min and max, and the kernel-time share from
 * getrusage. calib_profile_json() fits and writes them as a profile.
 */
#ifndef MESHSIM_MODELS_KERNELS_CALIB_H
#define MESHSIM_MODELS_KERNELS_CALIB_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "models/kernels/cost.h"

#define CALIB_MAX_REPS 15

typedef struct {
	char op[64];          /* operation key (cost.h) or a kernel-private name */
	uint64_t size;        /* bytes, rules, entries; 0 if size does not matter */
	int nreps;
	double v[CALIB_MAX_REPS]; /* ns per operation, one per repetition */
	double median, min, max;
	double kernel_frac;   /* kernel share of CPU time (getrusage), 0..1 */
	long iters;           /* operations per repetition */
	int derived;          /* 1: computed from other measurements */
	char kernel[24];      /* kernel that measured it */
} calib_meas;

enum { CALIB_OK = 0, CALIB_SKIPPED = 1, CALIB_FAILED = -1 };

typedef struct {
	int quick;            /* fewer sizes and repetitions (CI) */
	int reps;             /* repetitions per measurement */
	double rep_ns;        /* target duration of one repetition */
	FILE *progress;       /* progress lines, or NULL */
	const char *kernel;   /* kernel being run */
	char note[512];       /* the kernel's message (skip reason, fallback) */
	calib_meas *m;
	size_t n, cap;
} calib_ctx;

void calib_ctx_init(calib_ctx *c, int quick, FILE *progress);
void calib_ctx_free(calib_ctx *c);

/* Monotonic wall clock in ns (CLOCK_MONOTONIC, vDSO, ~30 ns a read). */
double calib_now_ns(void);
/* This thread's CPU time in ns (CLOCK_THREAD_CPUTIME_ID: a syscall, a few
 * hundred ns a read, but blind to time the thread spends preempted, which
 * on a shared machine is most of the noise). Single-threaded kernels are
 * timed with it, once per batch. */
double calib_cpu_now_ns(void);
/* CPU time of the processes in pids[0..n) (their process CPU clocks, via
 * clock_getcpuclockid) plus this thread's: multi-process kernels sum it
 * over all participants, so that time they spend preempted by unrelated
 * work does not count. */
double calib_group_cpu_ns(const int *pids, int n);
/* This thread's user and system CPU time in ns (getrusage RUSAGE_THREAD). */
void calib_cpu_ns(double *user_ns, double *sys_ns);

/* Record a measurement from per-repetition values (ns per operation). */
calib_meas *calib_add(calib_ctx *c, const char *op, uint64_t size, const double *v, int n,
		      double kernel_frac, long iters);
/* Find a measurement recorded so far; NULL if none. */
const calib_meas *calib_find(const calib_ctx *c, const char *op, uint64_t size);

/*
 * The common loop: body(arg, iters) runs `iters` operations and returns 0,
 * or -1 if its result check failed. calib_loop picks iters so that one
 * repetition lasts about rep_ns, warms up, then runs c->reps repetitions,
 * each timed with this thread's CPU clock (calib_cpu_now_ns).
 * Returns 0, or -1 if the body failed (note set).
 */
typedef int (*calib_body)(void *arg, long iters);
int calib_loop(calib_ctx *c, const char *op, uint64_t size, calib_body body, void *arg);

/* Median of n doubles (sorts a copy). */
double calib_median(const double *v, int n);

/* printf into c->note and return CALIB_SKIPPED / CALIB_FAILED. */
int calib_skip(calib_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int calib_fail(calib_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The kernels. */
typedef struct {
	const char *name;
	const char *what;
	int (*run)(calib_ctx *c);
} calib_kernel;

extern const calib_kernel calib_kernels[];
extern const int calib_nkernels;
const calib_kernel *calib_kernel_find(const char *name);

/* Each kernel's entry point (models/kernels/k_*.c). */
int kernel_tls(calib_ctx *c);
int kernel_records(calib_ctx *c);
int kernel_wireguard(calib_ctx *c);
int kernel_http1(calib_ctx *c);
int kernel_http2(calib_ctx *c);
int kernel_policy(calib_ctx *c);
int kernel_ebpf(calib_ctx *c);
int kernel_syscalls(calib_ctx *c);
int kernel_iptables(calib_ctx *c);
int kernel_proxy(calib_ctx *c);

/*
 * Run the selected kernels (only == NULL or nonly == 0: all) and build the
 * profile. Progress goes to c->progress. Returns the profile (new
 * reference) or NULL with err set; *nfailed counts kernels whose check
 * failed.
 */
json_t *calib_run(int quick, const char *const *only, int nonly, FILE *progress, int *nfailed,
		  char *err, size_t errlen);

/* Profile JSON from a finished context and the per-kernel statuses. */
json_t *calib_profile_json(const calib_ctx *c, json_t *kernels_status);

/* The host description (CPU model and flags, kernel, library versions). */
json_t *calib_host_json(void);

/* Read the cost section of a profile. Returns 0 or -1 with err set. */
int cost_profile_from_json(const json_t *root, cost_profile *p, char *err, size_t errlen);
/* The "operations" object of a profile from a cost_profile (round trip). */
json_t *cost_profile_ops_json(const cost_profile *p);
/* Load a profile file. Returns 0, -1 (unreadable: EXIT_NOINPUT), -2 (invalid). */
int cost_profile_load(const char *path, cost_profile *p, char *err, size_t errlen);

/*
 * Choose a profile: spec NULL or "" -> the committed reference profile
 * (configs/calibration/reference.json, found from the working directory,
 * $MESHSIM_DATADIR or the executable's location); "host" -> a quick
 * calibration run now; anything else is a file. Return as cost_profile_load.
 */
int cost_profile_resolve(const char *spec, cost_profile *p, char *err, size_t errlen);

/* A linear operation whose fit misses a measured median by more than this
 * (relative) interpolates its medians instead (see profile.c). */
#define CALIB_LINEAR_TOL 0.10

#define CALIB_REFERENCE_PATH "configs/calibration/reference.json"
#define CALIB_FORMAT "meshsim-calibration"
#define CALIB_FORMAT_VERSION 1

#endif
