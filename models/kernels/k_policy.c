/*
 * models/kernels/k_policy.c - policy evaluation.
 *
 * - Istio-style AuthorizationPolicy (as Envoy's RBAC filter runs it): rules
 *   with principals, namespaces, methods and paths; each value matched
 *   exactly, by prefix, by suffix or by a regex (PCRE2, JIT, anchored at both
 *   ends like RE2's FullMatch). DENY rules first, then ALLOW.
 * - Cilium-style lookups: a policy map (open-addressing hash keyed by
 *   {identity, dport, proto, direction}) and an ipcache (longest-prefix
 *   match: one hash probe per prefix length present, longest first).
 */
#include <stdlib.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

typedef struct {
	enum pol_match type;
	char *value;
	size_t len;
	pcre2_code *re;
	pcre2_match_data *md;
} matcher;

typedef struct {
	int allow;
	matcher *m[4];
	int n[4], cap[4];
} rule;

struct pol_set {
	rule *r;
	int n, cap;
	int nallow;
};

pol_set *pol_new(void)
{
	return calloc(1, sizeof(pol_set));
}

void pol_free(pol_set *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		for (int f = 0; f < 4; f++) {
			for (int k = 0; k < s->r[i].n[f]; k++) {
				matcher *m = &s->r[i].m[f][k];
				free(m->value);
				pcre2_match_data_free(m->md);
				pcre2_code_free(m->re);
			}
			free(s->r[i].m[f]);
		}
	free(s->r);
	free(s);
}

int pol_add_rule(pol_set *s, int allow)
{
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		rule *r = realloc(s->r, (size_t)cap * sizeof *r);
		if (!r)
			return -1;
		s->r = r;
		s->cap = cap;
	}
	memset(&s->r[s->n], 0, sizeof s->r[s->n]);
	s->r[s->n].allow = allow;
	s->nallow += allow != 0;
	return s->n++;
}

int pol_add_match(pol_set *s, int ri, int field, enum pol_match type, const char *value)
{
	if (ri < 0 || ri >= s->n || field < 0 || field > 3)
		return -1;
	rule *r = &s->r[ri];
	if (r->n[field] == r->cap[field]) {
		int cap = r->cap[field] ? 2 * r->cap[field] : 4;
		matcher *m = realloc(r->m[field], (size_t)cap * sizeof *m);
		if (!m)
			return -1;
		r->m[field] = m;
		r->cap[field] = cap;
	}
	matcher m = {type, strdup(value), strlen(value), NULL, NULL};
	if (!m.value)
		return -1;
	if (type == PM_REGEX) {
		int err;
		PCRE2_SIZE off;
		m.re = pcre2_compile((PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED,
				     PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_NO_UTF_CHECK, &err,
				     &off, NULL);
		if (!m.re) {
			free(m.value);
			return -1;
		}
		pcre2_jit_compile(m.re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
		m.md = pcre2_match_data_create_from_pattern(m.re, NULL);
		if (!m.md) {
			pcre2_code_free(m.re);
			free(m.value);
			return -1;
		}
	}
	r->m[field][r->n[field]++] = m;
	return 0;
}

static int match_one(const matcher *m, const char *v, size_t vl)
{
	switch (m->type) {
	case PM_EXACT:
		return vl == m->len && !memcmp(v, m->value, vl);
	case PM_PREFIX:
		return vl >= m->len && !memcmp(v, m->value, m->len);
	case PM_SUFFIX:
		return vl >= m->len && !memcmp(v + vl - m->len, m->value, m->len);
	case PM_REGEX:
		return pcre2_match(m->re, (PCRE2_SPTR)v, vl, 0, 0, m->md, NULL) >= 0;
	}
	return 0;
}

static int rule_matches(const rule *r, const char *const vals[4], const size_t lens[4])
{
	for (int f = 0; f < 4; f++) {
		if (!r->n[f])
			continue;
		int any = 0;
		for (int k = 0; k < r->n[f] && !any; k++)
			any = match_one(&r->m[f][k], vals[f], lens[f]);
		if (!any)
			return 0;
	}
	return 1;
}

int pol_eval(const pol_set *s, const pol_request *q)
{
	const char *vals[4] = {q->principal ? q->principal : "", q->ns ? q->ns : "",
			       q->method ? q->method : "", q->path ? q->path : ""};
	size_t lens[4];
	for (int f = 0; f < 4; f++)
		lens[f] = strlen(vals[f]);
	for (int i = 0; i < s->n; i++)
		if (!s->r[i].allow && rule_matches(&s->r[i], vals, lens))
			return 0;
	if (!s->nallow)
		return 1;
	for (int i = 0; i < s->n; i++)
		if (s->r[i].allow && rule_matches(&s->r[i], vals, lens))
			return 1;
	return 0;
}

/* ---- Cilium-style maps ---- */

static inline uint64_t mix64(uint64_t x)
{
	/* murmur3 finaliser: a cheap full-avalanche hash */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

typedef struct {
	uint64_t key; /* stored key + 1; 0 = empty */
	uint32_t val;
} slot;

typedef struct {
	slot *s;
	uint64_t mask;
	size_t n;
} htab;

static int ht_init(htab *h, size_t entries)
{
	uint64_t cap = 16;
	while (cap < 2 * (uint64_t)entries)
		cap <<= 1;
	h->s = calloc(cap, sizeof *h->s);
	h->mask = cap - 1;
	h->n = 0;
	return h->s ? 0 : -1;
}

static int ht_put(htab *h, uint64_t key, uint32_t val)
{
	if (h->n + 1 > (h->mask + 1) * 3 / 4)
		return -1;
	for (uint64_t i = mix64(key) & h->mask;; i = (i + 1) & h->mask) {
		if (!h->s[i].key) {
			h->s[i].key = key + 1;
			h->s[i].val = val;
			h->n++;
			return 0;
		}
		if (h->s[i].key == key + 1) {
			h->s[i].val = val;
			return 0;
		}
	}
}

static inline int ht_get(const htab *h, uint64_t key, uint32_t *val)
{
	for (uint64_t i = mix64(key) & h->mask;; i = (i + 1) & h->mask) {
		if (h->s[i].key == key + 1) {
			*val = h->s[i].val;
			return 1;
		}
		if (!h->s[i].key)
			return 0;
	}
}

struct pol_map {
	htab h;
};

static inline uint64_t pm_key(uint32_t id, uint16_t dport, uint8_t proto, uint8_t dir)
{
	return ((uint64_t)id << 32) | ((uint64_t)dport << 16) | ((uint64_t)proto << 8) | dir;
}

pol_map *pol_map_new(size_t entries)
{
	pol_map *m = calloc(1, sizeof *m);
	if (m && ht_init(&m->h, entries)) {
		free(m);
		return NULL;
	}
	return m;
}

void pol_map_free(pol_map *m)
{
	if (m) {
		free(m->h.s);
		free(m);
	}
}

int pol_map_put(pol_map *m, uint32_t id, uint16_t dport, uint8_t proto, uint8_t dir, uint32_t v)
{
	return ht_put(&m->h, pm_key(id, dport, proto, dir), v);
}

int pol_map_get(const pol_map *m, uint32_t id, uint16_t dport, uint8_t proto, uint8_t dir,
		uint32_t *v)
{
	return ht_get(&m->h, pm_key(id, dport, proto, dir), v);
}

struct lpm_table {
	htab h;
	int lens[33]; /* prefix lengths present, longest first */
	int nlens;
	int present[33];
};

lpm_table *lpm_new(size_t entries)
{
	lpm_table *t = calloc(1, sizeof *t);
	if (t && ht_init(&t->h, entries + 64)) {
		free(t);
		return NULL;
	}
	return t;
}

void lpm_free(lpm_table *t)
{
	if (t) {
		free(t->h.s);
		free(t);
	}
}

static inline uint32_t pfx_mask(int len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

int lpm_put(lpm_table *t, uint32_t prefix, int len, uint32_t identity)
{
	if (len < 0 || len > 32)
		return -1;
	if (ht_put(&t->h, ((uint64_t)len << 32) | (prefix & pfx_mask(len)), identity))
		return -1;
	if (!t->present[len]) {
		t->present[len] = 1;
		t->nlens = 0;
		for (int l = 32; l >= 0; l--)
			if (t->present[l])
				t->lens[t->nlens++] = l;
	}
	return 0;
}

uint32_t lpm_get(const lpm_table *t, uint32_t addr)
{
	uint32_t v;
	for (int i = 0; i < t->nlens; i++) {
		int l = t->lens[i];
		if (ht_get(&t->h, ((uint64_t)l << 32) | (addr & pfx_mask(l)), &v))
			return v;
	}
	return 0;
}

/* ---- the kernel ---- */

/* Rule i of a generated policy set, in the shape Istio generates for a
 * namespace-scoped AuthorizationPolicy. */
static int add_generated_rule(pol_set *s, int i)
{
	char b[160];
	int r = pol_add_rule(s, 1);
	int bad = r < 0;
	for (int j = 0; j < 4 && !bad; j++) {
		snprintf(b, sizeof b, "cluster.local/ns/team%d/sa/svc%d", i, j);
		bad |= pol_add_match(s, r, 0, PM_EXACT, b);
	}
	snprintf(b, sizeof b, "/sa/admin-%d", i);
	bad |= pol_add_match(s, r, 0, PM_SUFFIX, b);
	snprintf(b, sizeof b, "cluster\\.local/ns/team%d/sa/batch-[a-z0-9-]+", i);
	bad |= pol_add_match(s, r, 0, PM_REGEX, b);
	snprintf(b, sizeof b, "team%d", i);
	bad |= pol_add_match(s, r, 1, PM_EXACT, b);
	snprintf(b, sizeof b, "team%d-", i);
	bad |= pol_add_match(s, r, 1, PM_PREFIX, b);
	bad |= pol_add_match(s, r, 2, PM_EXACT, "GET");
	bad |= pol_add_match(s, r, 2, PM_EXACT, "POST");
	snprintf(b, sizeof b, "/api/v1/team%d/", i);
	bad |= pol_add_match(s, r, 3, PM_PREFIX, b);
	snprintf(b, sizeof b, "/status/%d", i);
	bad |= pol_add_match(s, r, 3, PM_EXACT, b);
	snprintf(b, sizeof b, ".team%d.json", i);
	bad |= pol_add_match(s, r, 3, PM_SUFFIX, b);
	return bad ? -1 : 0;
}

typedef struct {
	const pol_set *s;
	pol_request q;
	int expect;
} rbac_arg;

static int rbac_body(void *p, long iters)
{
	rbac_arg *a = p;
	int d = -1;
	for (long i = 0; i < iters; i++)
		d = pol_eval(a->s, &a->q);
	return d == a->expect ? 0 : -1;
}

typedef struct {
	const pol_map *m;
	const lpm_table *t;
	const uint64_t *keys; /* policy keys or addresses */
	const uint32_t *want;
	uint32_t kmask;
} lookup_arg;

static int map_body(void *p, long iters)
{
	lookup_arg *a = p;
	long hits = 0;
	uint32_t v = 0, last = 0;
	for (long i = 0; i < iters; i++) {
		uint64_t k = a->keys[(uint32_t)i & a->kmask];
		hits += ht_get(&a->m->h, k, &v);
		last = v;
	}
	uint32_t li = (uint32_t)(iters - 1) & a->kmask;
	return (hits == iters && last == a->want[li]) ? 0 : -1;
}

static int lpm_body(void *p, long iters)
{
	lookup_arg *a = p;
	uint32_t v = 0, acc = 0;
	for (long i = 0; i < iters; i++) {
		v = lpm_get(a->t, (uint32_t)a->keys[(uint32_t)i & a->kmask]);
		acc += v == 0;
	}
	uint32_t li = (uint32_t)(iters - 1) & a->kmask;
	return (acc == 0 && v == a->want[li]) ? 0 : -1;
}

static uint64_t rng_next(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return mix64(*s);
}

#define NKEYS (1 << 20) /* distinct lookups: enough to spread over 10^6 entries */

static int run_maps(calib_ctx *c, size_t n)
{
	uint64_t *keys = malloc(NKEYS * sizeof *keys);
	uint32_t *want = malloc(NKEYS * sizeof *want);
	uint64_t *all = malloc(n * sizeof *all);
	pol_map *m = pol_map_new(n);
	lpm_table *t = lpm_new(n);
	uint64_t seed = 42 + n;
	int rc = CALIB_OK;
	if (!keys || !want || !all || !m || !t) {
		rc = calib_fail(c, "policy maps: out of memory for %zu entries", n);
		goto out;
	}
	/* policy map: identities 256.., a few ports each */
	for (size_t i = 0; i < n; i++) {
		uint32_t id = 256 + (uint32_t)(i / 4);
		uint16_t port = (uint16_t)(80 + 1000 * (i % 4));
		all[i] = pm_key(id, port, 6, 0);
		if (pol_map_put(m, id, port, 6, 0, (uint32_t)i + 1)) {
			rc = calib_fail(c, "policy map insert failed");
			goto out;
		}
	}
	for (int k = 0; k < NKEYS; k++) {
		size_t i = rng_next(&seed) % n;
		keys[k] = all[i];
		want[k] = (uint32_t)i + 1;
	}
	lookup_arg a = {m, t, keys, want, NKEYS - 1};
	if (calib_loop(c, "policy.map.hash", n, map_body, &a)) {
		rc = CALIB_FAILED;
		goto out;
	}
	/* ipcache: n pod /32s in 10.0.0.0/8 plus CIDRs; lookups: 15/16 pod IPs, 1/16 world */
	if (lpm_put(t, 0, 0, 2) || lpm_put(t, 0x0a000000u, 8, 3) ||
	    lpm_put(t, 0xc0a80000u, 16, 4)) {
		rc = calib_fail(c, "ipcache insert failed");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t ip = 0x0a000000u | (uint32_t)((i * 2654435761u) & 0x00ffffffu);
		all[i] = ip;
		if (lpm_put(t, ip, 32, 1000 + (uint32_t)i)) {
			rc = calib_fail(c, "ipcache insert failed");
			goto out;
		}
	}
	for (int k = 0; k < NKEYS; k++) {
		if ((k & 15) == 15) {
			uint32_t ip = 0x08000000u | ((uint32_t)rng_next(&seed) & 0x00ffffffu);
			keys[k] = ip;
			want[k] = 2;
		} else {
			size_t i = rng_next(&seed) % n;
			keys[k] = all[i];
			want[k] = lpm_get(t, (uint32_t)all[i]);
		}
	}
	if (calib_loop(c, "policy.ipcache.lpm", n, lpm_body, &a))
		rc = CALIB_FAILED;
out:
	free(keys);
	free(want);
	free(all);
	pol_map_free(m);
	lpm_free(t);
	return rc;
}

int kernel_policy(calib_ctx *c)
{
	static const int rules_full[] = {1, 10, 30, 100, 300, 1000};
	static const int rules_quick[] = {1, 10, 100, 1000};
	const int *rules = c->quick ? rules_quick : rules_full;
	int nr = c->quick ? 4 : 6;
	int rc = CALIB_OK;
	for (int k = 0; k < nr && rc == CALIB_OK; k++) {
		int n = rules[k];
		pol_set *s = pol_new();
		for (int i = 0; s && i < n; i++)
			if (add_generated_rule(s, i)) {
				pol_free(s);
				s = NULL;
			}
		if (!s)
			return calib_fail(c, "policy build failed");
		char pr[96], ns[32], path[64];
		snprintf(pr, sizeof pr, "cluster.local/ns/team%d/sa/batch-worker-7", n - 1);
		snprintf(ns, sizeof ns, "team%d", n - 1);
		snprintf(path, sizeof path, "/api/v1/team%d/items/42", n - 1);
		rbac_arg a = {s, {pr, ns, "GET", path}, 1};
		if (calib_loop(c, "policy.rbac.allow_last", (uint64_t)n, rbac_body, &a))
			rc = CALIB_FAILED;
		rbac_arg d = {s, {"cluster.local/ns/intruder/sa/default", "intruder", "GET", path}, 0};
		if (rc == CALIB_OK && calib_loop(c, "policy.rbac.deny", (uint64_t)n, rbac_body, &d))
			rc = CALIB_FAILED;
		pol_free(s);
	}
	static const size_t maps_full[] = {1000, 10000, 100000, 1000000};
	static const size_t maps_quick[] = {1000, 100000};
	const size_t *ms = c->quick ? maps_quick : maps_full;
	int nm = c->quick ? 2 : 4;
	for (int k = 0; k < nm && rc == CALIB_OK; k++)
		rc = run_maps(c, ms[k]);
	if (rc == CALIB_OK) {
		uint32_t jit = 0;
		pcre2_config(PCRE2_CONFIG_JIT, &jit);
		snprintf(c->note, sizeof c->note, "PCRE2 JIT %s", jit ? "on" : "unavailable");
	}
	return rc;
}
