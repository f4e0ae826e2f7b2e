/*
 * tests/models/kernels/test_policy.c - policy decisions on a truth table
 * (exact, prefix, suffix and regex matches in every field; DENY before
 * ALLOW; no ALLOW rule means allow), and the Cilium-style map and ipcache.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "models/kernels/kern.h"

enum { P, NS, M, PATH };

static void truth_table(void **state)
{
	(void)state;
	pol_set *s = pol_new();
	/* ALLOW frontend's SA (exact) or any batch-* SA in ns shop (regex) to GET/POST /api/... */
	int r = pol_add_rule(s, 1);
	assert_int_equal(pol_add_match(s, r, P, PM_EXACT, "cluster.local/ns/shop/sa/frontend"), 0);
	assert_int_equal(pol_add_match(s, r, P, PM_REGEX, "cluster\\.local/ns/shop/sa/batch-[a-z0-9]+"),
			 0);
	assert_int_equal(pol_add_match(s, r, M, PM_EXACT, "GET"), 0);
	assert_int_equal(pol_add_match(s, r, M, PM_EXACT, "POST"), 0);
	assert_int_equal(pol_add_match(s, r, PATH, PM_PREFIX, "/api/"), 0);
	/* ALLOW anything from namespace monitoring to *.metrics paths */
	r = pol_add_rule(s, 1);
	assert_int_equal(pol_add_match(s, r, NS, PM_EXACT, "monitoring"), 0);
	assert_int_equal(pol_add_match(s, r, PATH, PM_SUFFIX, "/metrics"), 0);
	/* DENY any principal ending in /sa/legacy, and DELETE on /api/admin prefix */
	r = pol_add_rule(s, 0);
	assert_int_equal(pol_add_match(s, r, P, PM_SUFFIX, "/sa/legacy"), 0);
	r = pol_add_rule(s, 0);
	assert_int_equal(pol_add_match(s, r, M, PM_EXACT, "DELETE"), 0);
	assert_int_equal(pol_add_match(s, r, PATH, PM_PREFIX, "/api/admin"), 0);
	/* a bad regex is refused */
	assert_int_equal(pol_add_match(s, r, P, PM_REGEX, "(unclosed"), -1);

	static const struct {
		const char *p, *ns, *m, *path;
		int want;
	} rows[] = {
		{"cluster.local/ns/shop/sa/frontend", "shop", "GET", "/api/cart", 1},
		{"cluster.local/ns/shop/sa/frontend", "shop", "PUT", "/api/cart", 0},   /* method */
		{"cluster.local/ns/shop/sa/frontend", "shop", "GET", "/health", 0},     /* path */
		{"cluster.local/ns/shop/sa/frontendx", "shop", "GET", "/api/cart", 0},  /* exact */
		{"cluster.local/ns/shop/sa/batch-7x", "shop", "POST", "/api/jobs", 1},  /* regex */
		{"cluster.local/ns/shop/sa/batch-", "shop", "POST", "/api/jobs", 0},    /* regex + */
		{"cluster.local/ns/shop/sa/batch-7X", "shop", "POST", "/api/jobs", 0},  /* case */
		{"xcluster.local/ns/shop/sa/batch-7", "shop", "POST", "/api/jobs", 0},  /* anchored */
		{"cluster.local/ns/shop/sa/batch-7/x", "shop", "POST", "/api/jobs", 0}, /* anchored */
		{"cluster.local/ns/mon/sa/prom", "monitoring", "GET", "/x/metrics", 1}, /* suffix */
		{"cluster.local/ns/mon/sa/prom", "monitoring", "GET", "/metrics/x", 0},
		{"cluster.local/ns/mon/sa/prom", "monitoring2", "GET", "/metrics", 0},
		{"cluster.local/ns/shop/sa/legacy", "monitoring", "GET", "/metrics", 0}, /* DENY wins */
		{"cluster.local/ns/shop/sa/frontend", "shop", "DELETE", "/api/admin/x", 0},
		{"cluster.local/ns/shop/sa/frontend", "shop", "DELETE", "/api/cart", 0}, /* no allow */
		{"", "", "", "", 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		pol_request q = {rows[i].p, rows[i].ns, rows[i].m, rows[i].path};
		if (pol_eval(s, &q) != rows[i].want)
			fail_msg("row %zu: %s %s %s %s: want %d", i, rows[i].p, rows[i].ns, rows[i].m,
				 rows[i].path, rows[i].want);
	}
	pol_free(s);

	/* only DENY rules: everything else is allowed */
	s = pol_new();
	r = pol_add_rule(s, 0);
	pol_add_match(s, r, NS, PM_PREFIX, "kube-");
	pol_request a = {"x", "default", "GET", "/"}, d = {"x", "kube-system", "GET", "/"};
	assert_int_equal(pol_eval(s, &a), 1);
	assert_int_equal(pol_eval(s, &d), 0);
	pol_free(s);
	/* no rules at all: allow */
	s = pol_new();
	assert_int_equal(pol_eval(s, &a), 1);
	pol_free(s);
}

static void policy_map(void **state)
{
	(void)state;
	pol_map *m = pol_map_new(1000);
	for (uint32_t id = 256; id < 1256; id++)
		assert_int_equal(pol_map_put(m, id, 8080, 6, 0, id * 10), 0);
	uint32_t v = 0;
	assert_int_equal(pol_map_get(m, 300, 8080, 6, 0, &v), 1);
	assert_int_equal(v, 3000);
	assert_int_equal(pol_map_get(m, 300, 8081, 6, 0, &v), 0); /* port */
	assert_int_equal(pol_map_get(m, 300, 8080, 17, 0, &v), 0); /* proto */
	assert_int_equal(pol_map_get(m, 300, 8080, 6, 1, &v), 0);  /* direction */
	assert_int_equal(pol_map_get(m, 1256, 8080, 6, 0, &v), 0);
	assert_int_equal(pol_map_put(m, 300, 8080, 6, 0, 7), 0); /* update */
	assert_int_equal(pol_map_get(m, 300, 8080, 6, 0, &v), 1);
	assert_int_equal(v, 7);
	pol_map_free(m);
}

static void ipcache_lpm(void **state)
{
	(void)state;
	lpm_table *t = lpm_new(16);
	assert_int_equal(lpm_get(t, 0x0a000001u), 0); /* empty */
	assert_int_equal(lpm_put(t, 0, 0, 2), 0);                  /* world */
	assert_int_equal(lpm_put(t, 0x0a000000u, 8, 3), 0);        /* 10/8 */
	assert_int_equal(lpm_put(t, 0x0a0a0000u, 16, 4), 0);       /* 10.10/16 */
	assert_int_equal(lpm_put(t, 0x0a0a0105u, 32, 1234), 0);    /* 10.10.1.5 */
	assert_int_equal(lpm_put(t, 0x0a0a0100u, 33, 1), -1);
	assert_int_equal(lpm_get(t, 0x0a0a0105u), 1234);
	assert_int_equal(lpm_get(t, 0x0a0a0106u), 4);
	assert_int_equal(lpm_get(t, 0x0a0b0106u), 3);
	assert_int_equal(lpm_get(t, 0x08080808u), 2);
	/* host bits beyond the prefix are ignored when inserting */
	assert_int_equal(lpm_put(t, 0xc0a8ffffu, 16, 5), 0);
	assert_int_equal(lpm_get(t, 0xc0a80001u), 5);
	lpm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(truth_table),
		cmocka_unit_test(policy_map),
		cmocka_unit_test(ipcache_lpm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
