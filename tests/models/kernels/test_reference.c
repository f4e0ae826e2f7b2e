/*
 * tests/models/kernels/test_reference.c - the committed reference profile
 * (configs/calibration/reference.json, measured 2026-11-27T14:01:25Z) loads, covers every
 * operation, and gives exactly these costs. The expected values come from
 * models/kernels/tools/expect_reference.py, which computes them from the
 * JSON independently of cost.c; `expect_reference.py --write` regenerates
 * this file (from tools/test_reference.c.in) after a re-measurement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "models/kernels/calib.h"
#include "models/kernels/cost.h"

static cost_profile prof;

static int setup(void **state)
{
	(void)state;
	char path[1024], err[512];
	const char *me = __FILE__;
	const char *cut = strstr(me, "tests/models/kernels/test_reference.c");
	snprintf(path, sizeof path, "%.*s%s", cut ? (int)(cut - me) : 0, me, CALIB_REFERENCE_PATH);
	if (cost_profile_load(path, &prof, err, sizeof err) == 0)
		return 0;
	if (cost_profile_resolve(NULL, &prof, err, sizeof err) == 0)
		return 0;
	fprintf(stderr, "%s\n", err);
	return -1;
}

static void covers_everything(void **state)
{
	(void)state;
	for (int i = 0; i < COST_OP_COUNT; i++)
		if (!prof.op[i].available)
			fail_msg("reference profile lacks %s", cost_op_name((cost_op)i));
	assert_non_null(strstr(prof.host, "AMD EPYC"));
	assert_int_equal(strlen(prof.sha256), 64); /* the file's digest, for provenance */
	assert_non_null(strstr(prof.source, "reference.json"));
}

static void exact_costs(void **state)
{
	(void)state;
	cost_table t;
	assert_int_equal(cost_table_init(&t, &prof, 1.0), 0);
	static const struct { cost_op op; uint64_t size; int64_t total, user, kernel; } want[] = {
		{COST_TLS13_MTLS_CLIENT, 0, 551074, 551073, 1},
		{COST_TLS13_MTLS_SERVER, 0, 773757, 773756, 1},
		{COST_TLS13_RESUME_SERVER, 0, 360038, 360038, 0},
		{COST_TLS_RECORD_WRITE, 1024, 632, 614, 18},
		{COST_AES128GCM_SEAL, 64, 174, 174, 0},
		{COST_AES128GCM_SEAL, 16384, 3124, 3124, 0},
		{COST_CHACHA_OPEN, 1420, 861, 861, 0},
		{COST_WG_ENCRYPT, 1420, 829, 829, 0},
		{COST_WG_HANDSHAKE_INITIATOR, 0, 170241, 170241, 0},
		{COST_HTTP1_PARSE_REQUEST, 320, 398, 398, 0},
		{COST_H2_CONNECT_CLIENT, 0, 769, 769, 0},
		{COST_H2_DATA_RECV, 16384, 366, 366, 0},
		{COST_POLICY_RBAC_DENY, 10, 203, 203, 0},
		{COST_POLICY_RBAC_ALLOW, 50, 1275, 1275, 0},
		{COST_POLICY_MAP_LOOKUP, 50000, 5, 5, 0},
		{COST_POLICY_IPCACHE_LPM, 5000000, 21, 21, 0},
		{COST_EBPF_NEW_FLOW, 0, 153, 0, 153},
		{COST_SYSCALL, 0, 130, 53, 77},
		{COST_EPOLL_WAIT, 0, 302, 12, 290},
		{COST_TCP_LOOPBACK_WRITE_READ, 1024, 6326, 52, 6274},
		{COST_CONTEXT_SWITCH, 0, 1630, 230, 1400},
		{COST_MEMCPY, 1000, 9, 9, 0},
		{COST_MEMCPY, 33554432, 634892, 634892, 0},
		{COST_IPTABLES_REDIRECT_CONN, 0, 13876, 0, 13876},
		{COST_PROXY_HOP, 0, 17446, 1605, 15841},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int64_t u = -1, k = -1;
		int64_t tot = cost_of(&t, want[i].op, want[i].size, &u, &k);
		if (tot != want[i].total || u != want[i].user || k != want[i].kernel)
			fail_msg("%s(%llu): got %lld = %lld user + %lld kernel, want %lld = %lld + %lld",
				 cost_op_name(want[i].op), (unsigned long long)want[i].size,
				 (long long)tot, (long long)u, (long long)k, (long long)want[i].total,
				 (long long)want[i].user, (long long)want[i].kernel);
	}
}

/* One sidecar traversal of a 1 KiB request on a pooled mTLS connection, as
 * an operation list. */
static void operation_list(void **state)
{
	(void)state;
	cost_table t;
	assert_int_equal(cost_table_init(&t, &prof, 1.0), 0);
	cost_item req[] = {{COST_EPOLL_WAIT, 0}, {COST_EPOLL_WAIT, 0}, {COST_SYSCALL, 0}, {COST_SYSCALL, 0}, {COST_SYSCALL, 0}, {COST_SYSCALL, 0}, {COST_HTTP1_PARSE_REQUEST, 320}, {COST_TLS_RECORD_WRITE, 320}, {COST_TLS_RECORD_READ, 1024}, {COST_HTTP1_PARSE_RESPONSE, 1168}, {COST_POLICY_RBAC_ALLOW, 10}, {COST_TCP_LOOPBACK_WRITE_READ, 1024}, {COST_CONTEXT_SWITCH, 0}};
	int64_t u, k;
	assert_int_equal(cost_list(&t, req, sizeof req / sizeof req[0], &u, &k), 10980);
	assert_int_equal(u, 2389);
	assert_int_equal(k, 8591);
}

/* A node twice as fast as the calibration host. */
static void speed_factor(void **state)
{
	(void)state;
	cost_table t;
	int64_t u, k;
	assert_int_equal(cost_table_init(&t, &prof, 2.0), 0);
	assert_int_equal(cost_of(&t, COST_TLS13_MTLS_SERVER, 0, &u, &k), 386879);
	assert_int_equal(cost_of(&t, COST_AES128GCM_SEAL, 1024, &u, &k), 174);
	assert_int_equal(u, 174);
	assert_int_equal(k, 0);
	assert_int_equal(cost_of(&t, COST_MEMCPY, 1000, &u, &k), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(covers_everything),
		cmocka_unit_test(exact_costs),
		cmocka_unit_test(operation_list),
		cmocka_unit_test(speed_factor),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
