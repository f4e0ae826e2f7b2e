/*
 * tests/models/kernels/test_kernels.c - every kernel runs its real code path
 * with its own result checks (tiny repetitions: correctness, not timing)
 * and records the operations the cost API needs; the calibration runner
 * refuses unknown kernels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

static void run_kernel(const char *name, const char *const *ops, int may_skip)
{
	calib_ctx c;
	calib_ctx_init(&c, 1, NULL);
	c.rep_ns = 2e5; /* 0.2 ms repetitions */
	c.reps = 3;
	const calib_kernel *k = calib_kernel_find(name);
	assert_non_null(k);
	c.kernel = k->name;
	int rc = k->run(&c);
	if (rc == CALIB_SKIPPED && may_skip) {
		print_message("kernel %s skipped: %s\n", name, c.note);
		assert_true(strlen(c.note) > 10); /* a clear message */
		calib_ctx_free(&c);
		return;
	}
	if (rc != CALIB_OK)
		fail_msg("kernel %s: rc %d: %s", name, rc, c.note);
	for (int i = 0; ops[i]; i++) {
		int found = 0;
		for (size_t m = 0; m < c.n; m++)
			if (!strcmp(c.m[m].op, ops[i])) {
				found = 1;
				assert_int_equal(c.m[m].nreps, 3);
				assert_true(c.m[m].min <= c.m[m].median && c.m[m].median <= c.m[m].max);
				assert_string_equal(c.m[m].kernel, name);
				if (!c.m[m].derived)
					assert_true(c.m[m].median > 0.0);
			}
		if (!found)
			fail_msg("kernel %s did not measure %s", name, ops[i]);
	}
	calib_ctx_free(&c);
}

static void records(void **s)
{
	(void)s;
	const char *ops[] = {"aead.aes128gcm.seal", "aead.aes128gcm.open", "aead.aes256gcm.seal",
			     "aead.chacha20poly1305.open", NULL};
	run_kernel("records", ops, 0);
}

static void tls(void **s)
{
	(void)s;
	const char *ops[] = {"tls13.mtls.x25519.ecdsa.client", "tls13.mtls.x25519.ecdsa.server",
			     "tls13.resume.mtls.server", "tls12.resume.mtls.client",
			     "tls13.record.write", "tls13.record.read", NULL};
	run_kernel("tls", ops, 0);
}

static void http(void **s)
{
	(void)s;
	const char *ops1[] = {"http1.parse.request", "http1.parse.response", NULL};
	run_kernel("http1", ops1, 0);
	const char *ops2[] = {"h2.connect.client", "h2.connect.server", "h2.data.send",
			      "h2.data.recv", "h2.grpc.client", "h2.grpc.server", NULL};
	run_kernel("http2", ops2, 0);
}

static void syscalls(void **s)
{
	(void)s;
	const char *ops[] = {"sys.syscall", "sys.socketpair.write_read", "sys.tcp_loopback.write_read",
			     "sys.epoll_wait", "sys.context_switch", "sys.memcpy", NULL};
	run_kernel("syscalls", ops, 0);
}

static void wireguard(void **s)
{
	(void)s;
	const char *ops[] = {"wg.packet.encrypt", "wg.packet.decrypt", "wg.handshake.initiator",
			     "wg.handshake.responder", NULL};
	run_kernel("wireguard", ops, 0);
}

static void policy(void **s)
{
	(void)s;
	const char *ops[] = {"policy.rbac.allow_last", "policy.rbac.deny", "policy.map.hash",
			     "policy.ipcache.lpm", NULL};
	run_kernel("policy", ops, 0);
}

/* In-kernel where allowed, else the user-space fallback: both give the ops. */
static void ebpf(void **s)
{
	(void)s;
	const char *ops[] = {"ebpf.policy.new_flow", "ebpf.policy.established", NULL};
	run_kernel("ebpf", ops, 0);
	/* the fallback, forced: same operations, and the note says why */
	setenv("MESHSIM_CALIB_NO_EBPF", "1", 1);
	calib_ctx c;
	calib_ctx_init(&c, 1, NULL);
	c.rep_ns = 2e5;
	c.kernel = "ebpf";
	assert_int_equal(kernel_ebpf(&c), CALIB_OK);
	unsetenv("MESHSIM_CALIB_NO_EBPF");
	assert_non_null(strstr(c.note, "user-space fallback"));
	assert_non_null(calib_find(&c, "ebpf.policy.new_flow", 0));
	assert_non_null(calib_find(&c, "ebpf.policy.established", 0));
	assert_null(calib_find(&c, "ebpf.empty", 0));
	calib_ctx_free(&c);
}

static void proxy(void **s)
{
	(void)s;
	const char *ops[] = {"proxy.rtt_direct", "proxy.rtt_via_proxy", "proxy.epoll_hop", NULL};
	run_kernel("proxy", ops, 0);
}

static void iptables(void **s)
{
	(void)s;
	const char *ops[] = {"net.iptables_redirect.connection", "net.iptables_redirect.rtt", NULL};
	/* the kernel returns SKIPPED only when the host cannot make a network
	 * namespace or run iptables (not root, a container without
	 * CAP_SYS_ADMIN, no iptables); wrong results are FAILED */
	run_kernel("iptables", ops, 1);
}

static void runner(void **s)
{
	(void)s;
	char err[256] = "";
	int nfailed = -1;
	const char *bad[] = {"nosuchkernel"};
	assert_null(calib_run(1, bad, 1, NULL, &nfailed, err, sizeof err));
	assert_non_null(strstr(err, "nosuchkernel"));
	assert_null(calib_kernel_find("nope"));
	assert_true(calib_nkernels >= 10);
	/* one real kernel through the runner gives a profile with its operations */
	const char *one[] = {"http1"};
	json_t *p = calib_run(1, one, 1, NULL, &nfailed, err, sizeof err);
	assert_non_null(p);
	assert_int_equal(nfailed, 0);
	const json_t *op = json_object_get(json_object_get(p, "operations"), "http1.parse.request");
	assert_non_null(op);
	/* Which model is used depends on how straight this run's timings are
	 * (a noisy run interpolates): both are valid, and the fit is always
	 * recorded with a positive per-byte cost. */
	const char *model = json_string_value(json_object_get(op, "model"));
	assert_non_null(model);
	assert_true(!strcmp(model, "linear") || !strcmp(model, "interp"));
	const json_t *fit = json_object_get(op, "fit");
	assert_non_null(json_object_get(fit, "r2"));
	if (!strcmp(model, "linear"))
		assert_true(json_number_value(json_object_get(op, "per_unit_ns")) > 0.0);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_object_get(p, "kernels"), "http1"), "status")),
			    "ok");
	cost_profile prof;
	assert_int_equal(cost_profile_from_json(p, &prof, err, sizeof err), 0);
	assert_int_equal(prof.op[COST_HTTP1_PARSE_REQUEST].available, 1);
	assert_int_equal(prof.op[COST_SYSCALL].available, 0);
	json_decref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records),  cmocka_unit_test(tls),      cmocka_unit_test(http),
		cmocka_unit_test(syscalls), cmocka_unit_test(wireguard), cmocka_unit_test(policy),
		cmocka_unit_test(ebpf),     cmocka_unit_test(proxy),    cmocka_unit_test(iptables),
		cmocka_unit_test(runner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
