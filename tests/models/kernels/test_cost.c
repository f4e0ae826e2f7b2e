/*
 * tests/models/kernels/test_cost.c - the cost API over a synthetic profile
 * (exact values for each model, speed factor, user/kernel split, operation
 * lists) and the profile's JSON round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/kernels/calib.h"
#include "models/kernels/cost.h"

static const char *PROFILE =
	"{\"format\": \"meshsim-calibration\", \"version\": 1,"
	" \"host\": {\"cpu_model\": \"Test CPU\", \"kernel\": {\"release\": \"6.1\"}},"
	" \"operations\": {"
	"  \"sys.syscall\": {\"model\": \"const\", \"fixed_ns\": 230, \"per_unit_ns\": 0,"
	"                    \"kernel_fraction\": 0.75},"
	"  \"aead.aes128gcm.seal\": {\"model\": \"linear\", \"fixed_ns\": 200, \"per_unit_ns\": 0.25,"
	"                    \"kernel_fraction\": 0},"
	"  \"sys.memcpy\": {\"model\": \"interp\", \"kernel_fraction\": 0, \"points\": ["
	"      {\"size\": 64, \"median_ns\": 2.5}, {\"size\": 1024, \"median_ns\": 9.6},"
	"      {\"size\": 16384, \"median_ns\": 154}]},"
	"  \"policy.map.hash\": {\"model\": \"interp\", \"kernel_fraction\": 0, \"points\": ["
	"      {\"size\": 1024, \"median_ns\": 10}, {\"size\": 1048576, \"median_ns\": 30}]},"
	"  \"wg.packet.encrypt\": {\"model\": \"interp\", \"kernel_fraction\": 0, \"points\": ["
	"      {\"size\": 64, \"median_ns\": 400}, {\"size\": 1420, \"median_ns\": 800}],"
	"      \"fit\": {\"fixed_ns\": 380, \"per_unit_ns\": 0.25}},"
	"  \"policy.rbac.allow_last\": {\"model\": \"interp\", \"kernel_fraction\": 0, \"points\": ["
	"      {\"size\": 10, \"median_ns\": 100}, {\"size\": 1000, \"median_ns\": 5000}],"
	"      \"fit\": {\"fixed_ns\": 50, \"per_unit_ns\": 4.9}},"
	"  \"some.future.op\": {\"model\": \"const\", \"fixed_ns\": 1}"
	" }}";

static int load(const char *text, cost_profile *p, char *err, size_t n)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	if (!j) {
		snprintf(err, n, "%s", je.text);
		return -1;
	}
	int rc = cost_profile_from_json(j, p, err, n);
	json_decref(j);
	return rc;
}

static void names(void **state)
{
	(void)state;
	assert_int_equal(cost_op_from_name("sys.syscall"), COST_SYSCALL);
	assert_int_equal(cost_op_from_name("tls13.mtls.x25519.ecdsa.server"), COST_TLS13_MTLS_SERVER);
	assert_int_equal(cost_op_from_name("nope"), -1);
	assert_null(cost_op_name(COST_OP_COUNT));
	for (int i = 0; i < COST_OP_COUNT; i++) {
		assert_non_null(cost_op_name((cost_op)i));
		assert_int_equal(cost_op_from_name(cost_op_name((cost_op)i)), i); /* unique */
	}
	assert_string_equal(cost_op_unit(COST_MEMCPY), "byte");
	assert_int_equal(cost_op_model(COST_POLICY_MAP_LOOKUP), COST_INTERP);
}

static void exact_costs(void **state)
{
	(void)state;
	cost_profile p;
	cost_table t;
	char err[256];
	assert_int_equal(load(PROFILE, &p, err, sizeof err), 0);
	assert_string_equal(p.host, "Test CPU, Linux 6.1");
	assert_int_equal(cost_table_init(&t, &p, 1.0), 0);
	int64_t u, k;
	/* const, split 75 % kernel: 172.5 rounds to 173 */
	assert_int_equal(cost_of(&t, COST_SYSCALL, 12345, &u, &k), 230);
	assert_int_equal(k, 173);
	assert_int_equal(u, 57);
	/* linear */
	assert_int_equal(cost_of(&t, COST_AES128GCM_SEAL, 1024, &u, &k), 456);
	assert_int_equal(k, 0);
	assert_int_equal(u, 456);
	assert_int_equal(cost_of(&t, COST_AES128GCM_SEAL, 0, NULL, NULL), 200);
	/* interp in bytes: 2.5 + 448/960 * 7.1 = 5.813 */
	double ue, ke;
	assert_true(fabs(cost_of_exact(&t, COST_MEMCPY, 512, &ue, &ke) - (2.5 + 448.0 / 960.0 * 7.1)) <
		    1e-12);
	assert_int_equal(cost_of(&t, COST_MEMCPY, 512, NULL, NULL), 6);
	assert_int_equal(cost_of(&t, COST_MEMCPY, 1024, NULL, NULL), 10);    /* 9.6 */
	assert_int_equal(cost_of(&t, COST_MEMCPY, 16, NULL, NULL), 3);       /* clamp: 2.5 */
	assert_int_equal(cost_of(&t, COST_MEMCPY, 32768, NULL, NULL), 308);  /* bandwidth */
	/* interp in log2(entries): 2^15 is halfway between 2^10 and 2^20 */
	assert_int_equal(cost_of(&t, COST_POLICY_MAP_LOOKUP, 32768, NULL, NULL), 20);
	assert_int_equal(cost_of(&t, COST_POLICY_MAP_LOOKUP, 1u << 24, NULL, NULL), 30); /* clamp */
	assert_int_equal(cost_of(&t, COST_POLICY_MAP_LOOKUP, 10, NULL, NULL), 10);
	/* not in the profile, out of range */
	assert_int_equal(cost_available(&t, COST_TLS13_MTLS_CLIENT), 0);
	assert_int_equal(cost_of(&t, COST_TLS13_MTLS_CLIENT, 0, &u, &k), 0);
	assert_int_equal(u + k, 0);
	assert_int_equal(cost_of(&t, COST_OP_COUNT, 0, NULL, NULL), 0);
	assert_int_equal(cost_available(&t, COST_SYSCALL), 1);
}

static void speed_and_lists(void **state)
{
	(void)state;
	cost_profile p;
	cost_table t;
	char err[256];
	assert_int_equal(load(PROFILE, &p, err, sizeof err), 0);
	assert_int_equal(cost_table_init(&t, &p, 0.0), -1);
	assert_int_equal(cost_table_init(&t, &p, NAN), -1);
	assert_int_equal(cost_table_init(&t, &p, 2.0), 0);
	assert_int_equal(cost_of(&t, COST_SYSCALL, 0, NULL, NULL), 115);
	assert_int_equal(cost_of(&t, COST_AES128GCM_SEAL, 1024, NULL, NULL), 228);
	assert_int_equal(cost_of(&t, COST_MEMCPY, 32768, NULL, NULL), 154);
	assert_int_equal(cost_table_init(&t, &p, 1.0), 0);
	cost_item ops[] = {{COST_SYSCALL, 0}, {COST_AES128GCM_SEAL, 1024}, {COST_MEMCPY, 512}};
	int64_t u, k;
	/* 230 + 456 + 5.813 = 691.8 -> 692; kernel 172.5 -> 173 */
	assert_int_equal(cost_list(&t, ops, 3, &u, &k), 692);
	assert_int_equal(k, 173);
	assert_int_equal(u, 519);
	assert_int_equal(cost_list(&t, ops, 0, &u, &k), 0);
}

/* Above its last point an interp operation in bytes goes on at its linear
 * fit's slope (a packet's fixed cost is not paid again per byte), or
 * proportionally without a fit (memcpy above: bandwidth). */
static void interp_tail_slope(void **state)
{
	(void)state;
	cost_profile p;
	cost_table t;
	char err[256];
	assert_int_equal(load(PROFILE, &p, err, sizeof err), 0);
	assert_int_equal(cost_table_init(&t, &p, 1.0), 0);
	/* 800 + 0.25 * (8920 - 1420) = 2675, not 800 * 8920 / 1420 = 5025 */
	assert_int_equal(cost_of(&t, COST_WG_ENCRYPT, 8920, NULL, NULL), 2675);
	assert_int_equal(cost_of(&t, COST_WG_ENCRYPT, 1420, NULL, NULL), 800);
	assert_int_equal(cost_table_init(&t, &p, 2.0), 0);
	assert_int_equal(cost_of(&t, COST_WG_ENCRYPT, 8920, NULL, NULL), 1338); /* 1337.5 */
	/* rules too: 5000 + 4.9 x (3000 - 1000) */
	assert_int_equal(cost_table_init(&t, &p, 1.0), 0);
	assert_int_equal(cost_of(&t, COST_POLICY_RBAC_ALLOW, 3000, NULL, NULL), 14800);
	/* memcpy has no fit in this profile: proportional (bandwidth) */
	assert_int_equal(cost_of(&t, COST_MEMCPY, 32768, NULL, NULL), 308);
}

/* Kernel crossings scale with their own speed, everything else with the
 * CPU's. */
static void crossing_speed(void **state)
{
	(void)state;
	cost_profile p;
	cost_table t;
	char err[256];
	assert_int_equal(load(PROFILE, &p, err, sizeof err), 0);
	assert_int_equal(cost_op_is_crossing(COST_SYSCALL), 1);
	assert_int_equal(cost_op_is_crossing(COST_TCP_LOOPBACK_WRITE_READ), 1);
	assert_int_equal(cost_op_is_crossing(COST_MEMCPY), 0);
	assert_int_equal(cost_op_is_crossing(COST_AES128GCM_SEAL), 0);
	assert_int_equal(cost_table_init_split(&t, &p, 0.5, 2.0), 0);
	assert_int_equal(cost_of(&t, COST_SYSCALL, 0, NULL, NULL), 115);         /* 230 / 2 */
	assert_int_equal(cost_of(&t, COST_AES128GCM_SEAL, 1024, NULL, NULL), 912); /* 456 / 0.5 */
	assert_int_equal(cost_table_init_split(&t, &p, 1.0, 0.0), -1);
	assert_int_equal(cost_table_init_split(&t, &p, 1.0, NAN), -1);
}

static void bad_profiles(void **state)
{
	(void)state;
	cost_profile p;
	char err[256];
	assert_int_equal(load("{\"format\": \"other\", \"version\": 1, \"operations\": {}}", &p, err,
			      sizeof err),
			 -1);
	assert_int_equal(load("{\"format\": \"meshsim-calibration\", \"version\": 2, "
			      "\"operations\": {}}",
			      &p, err, sizeof err),
			 -1);
	assert_int_equal(load("{\"format\": \"meshsim-calibration\", \"version\": 1}", &p, err,
			      sizeof err),
			 -1);
	assert_int_equal(load("{\"format\": \"meshsim-calibration\", \"version\": 1, \"operations\":"
			      " {\"sys.syscall\": {\"model\": \"cubic\"}}}",
			      &p, err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "sys.syscall"));
	assert_int_equal(load("{\"format\": \"meshsim-calibration\", \"version\": 1, \"operations\":"
			      " {\"sys.syscall\": {\"model\": \"const\", \"fixed_ns\": \"x\"}}}",
			      &p, err, sizeof err),
			 -1);
	assert_int_equal(load("{\"format\": \"meshsim-calibration\", \"version\": 1, \"operations\":"
			      " {\"sys.syscall\": {\"model\": \"const\", \"kernel_fraction\": 1.5}}}",
			      &p, err, sizeof err),
			 -1);
	assert_int_equal(load("{\"format\": \"meshsim-calibration\", \"version\": 1, \"operations\":"
			      " {\"sys.memcpy\": {\"model\": \"interp\", \"points\": [{\"size\": 9,"
			      " \"median_ns\": 1}, {\"size\": 8, \"median_ns\": 2}]}}}",
			      &p, err, sizeof err),
			 -1);
	assert_int_equal(cost_profile_load("/nonexistent/profile.json", &p, err, sizeof err), -1);
}

/* A loaded file records its path and SHA-256 (provenance for a run). */
static void load_records_digest(void **state)
{
	(void)state;
	char path[] = "/tmp/meshsim-test-profile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "{\"format\": \"meshsim-calibration\", \"version\": 1, \"operations\": {}}\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cost_profile p;
	char err[256];
	assert_int_equal(cost_profile_load(path, &p, err, sizeof err), 0);
	unlink(path);
	assert_string_equal(p.sha256, "498c15a2135504b7001655a12e25d2b6ee12784b63792a1ae3ee411ff35861e5");
	assert_string_equal(p.source, path);
	assert_int_equal(p.op[COST_SYSCALL].available, 0);
}

static void ops_round_trip(void **state)
{
	(void)state;
	cost_profile p, q;
	char err[256];
	assert_int_equal(load(PROFILE, &p, err, sizeof err), 0);
	json_t *root = json_pack("{s:s, s:i, s:o}", "format", CALIB_FORMAT, "version",
				 CALIB_FORMAT_VERSION, "operations", cost_profile_ops_json(&p));
	char *text = json_dumps(root, JSON_REAL_PRECISION(17));
	json_decref(root);
	assert_int_equal(load(text, &q, err, sizeof err), 0);
	free(text);
	for (int i = 0; i < COST_OP_COUNT; i++) {
		const cost_entry *a = &p.op[i], *b = &q.op[i];
		assert_int_equal(a->available, b->available);
		assert_int_equal(a->model, b->model);
		assert_true(a->fixed_ns == b->fixed_ns);
		assert_true(a->per_unit_ns == b->per_unit_ns);
		assert_true(a->kernel_frac == b->kernel_frac);
		assert_int_equal(a->npoints, b->npoints);
		for (int k = 0; k < a->npoints; k++)
			assert_true(a->px[k] == b->px[k] && a->py[k] == b->py[k]);
	}
}

/* A profile built from measurements (as `meshsim calibrate` does) survives
 * dump -> load -> dump unchanged, and its fits are the data's lines. */
static void calib_profile_round_trip(void **state)
{
	(void)state;
	calib_ctx c;
	calib_ctx_init(&c, 1, NULL);
	c.kernel = "test";
	const double sizes[] = {64, 1024, 16384};
	for (int s = 0; s < 3; s++) {
		double v[3];
		for (int r = 0; r < 3; r++)
			v[r] = 300.0 + 0.5 * sizes[s];
		assert_non_null(calib_add(&c, "aead.chacha20poly1305.seal", (uint64_t)sizes[s], v, 3,
					  0.0, 1000));
		assert_non_null(calib_add(&c, "sys.memcpy", (uint64_t)sizes[s], v, 3, 0.0, 1000));
	}
	double v[] = {250.0, 230.0, 240.0, 1000.0, 235.0};
	calib_meas *m = calib_add(&c, "sys.syscall", 0, v, 5, 0.8, 1000);
	assert_non_null(m);
	assert_true(m->median == 240.0 && m->min == 230.0 && m->max == 1000.0);
	json_t *status = json_pack("{s:{s:s}}", "test", "status", "ok");
	json_t *prof = calib_profile_json(&c, status);
	json_decref(status);
	calib_ctx_free(&c);
	assert_non_null(prof);
	size_t fl = JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17);
	char *a = json_dumps(prof, fl);
	json_error_t je;
	json_t *back = json_loads(a, 0, &je);
	assert_non_null(back);
	char *b = json_dumps(back, fl);
	assert_string_equal(a, b);
	cost_profile p;
	char err[256];
	assert_int_equal(cost_profile_from_json(back, &p, err, sizeof err), 0);
	assert_int_equal(p.op[COST_CHACHA_SEAL].available, 1);
	assert_true(fabs(p.op[COST_CHACHA_SEAL].fixed_ns - 300.0) < 1e-6);
	assert_true(fabs(p.op[COST_CHACHA_SEAL].per_unit_ns - 0.5) < 1e-9);
	assert_int_equal(p.op[COST_MEMCPY].npoints, 3);
	assert_true(p.op[COST_MEMCPY].py[2] == 300.0 + 0.5 * 16384);
	assert_true(p.op[COST_SYSCALL].fixed_ns == 240.0);
	assert_true(p.op[COST_SYSCALL].kernel_frac == 0.8);
	assert_int_equal(p.op[COST_TLS13_MTLS_CLIENT].available, 0);
	/* host section present */
	assert_non_null(json_object_get(json_object_get(prof, "host"), "cpu_model"));
	assert_non_null(json_object_get(json_object_get(json_object_get(prof, "host"), "libraries"),
					"openssl"));
	free(a);
	free(b);
	json_decref(back);
	json_decref(prof);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(exact_costs),
		cmocka_unit_test(speed_and_lists),
		cmocka_unit_test(interp_tail_slope),
		cmocka_unit_test(crossing_speed),
		cmocka_unit_test(bad_profiles),
		cmocka_unit_test(load_records_digest),
		cmocka_unit_test(ops_round_trip),
		cmocka_unit_test(calib_profile_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
