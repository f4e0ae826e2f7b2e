/*
 * tests/scenario/test_meshprofile.c - mesh profiles as data.
 *
 * The five profiles of configs/meshes load; each one's hop list has the
 * shape of its architecture (a table of conditions -> operations and
 * components expected at which side); every parameter has a source; bad
 * profiles (tests/scenarios/bad-mesh/) give their error at FILE:LINE:COL
 * with the field path; the canonical JSON round-trips; a scenario finds
 * its profile; spec.cluster.network parses bit rates.
 * Run from the repository root (make test does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "models/mesh_profile.h"
#include "scenario/meshprofile.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

#define BADM "tests/scenarios/bad-mesh/"

static mesh_profile *load_builtin(int mode)
{
	diag_list errs = {0};
	mesh_profile *p = NULL;
	int rc = mesh_profile_load_builtin(mode, NULL, &p, &errs);
	if (rc != SCN_OK)
		diag_print(&errs, stderr);
	assert_int_equal(rc, SCN_OK);
	assert_non_null(p);
	diag_list_free(&errs);
	return p;
}

/* ---------------------------------------------------------------- all five load */

static void test_builtins_load(void **state)
{
	(void)state;
	for (int m = SCN_MESH_NONE; m <= SCN_MESH_LINKERD; m++) {
		mesh_profile *p = load_builtin(m);
		assert_int_equal(p->mode, m);
		assert_string_equal(p->name, scn_mesh_mode_name((scn_mesh_mode)m));
		assert_true(p->nhops >= 2);
		assert_true(p->description[0] != '\0');
		bool req = false, resp = false;
		for (size_t i = 0; i < p->nhops; i++) {
			const mp_hop *h = &p->hops[i];
			req |= h->direction == MP_REQUEST;
			resp |= h->direction == MP_RESPONSE;
			assert_true(h->component >= -1 && h->component < (int)p->ncomponents);
			for (size_t k = 0; k < h->nops; k++) {
				assert_non_null(cost_op_name(h->ops[k].op.op));
				assert_true(h->ops[k].op.count > 0);
			}
		}
		assert_true(req && resp);
		/* request hops come before response hops (path order) */
		bool seen_resp = false;
		for (size_t i = 0; i < p->nhops; i++) {
			if (p->hops[i].direction == MP_RESPONSE)
				seen_resp = true;
			else
				assert_false(seen_resp);
		}
		mesh_profile_free(p);
	}
	mesh_profile_free(NULL);
}

/* ---------------------------------------------------------------- architecture table */

/* The conditions of one request, as the model sets them. */
#define BASE (MP_WHEN_NO_L7 | MP_WHEN_HTTP_PARSING | MP_WHEN_CROSS_NODE | MP_WHEN_HTTP1)
#define MTLS (MP_WHEN_MTLS)
#define NOMTLS (MP_WHEN_NO_MTLS)
#define L7 (MP_WHEN_L7 | MP_WHEN_HTTP_PARSING | MP_WHEN_CROSS_NODE | MP_WHEN_HTTP1)
#define SAME (MP_WHEN_NO_L7 | MP_WHEN_HTTP_PARSING | MP_WHEN_SAME_NODE)
#define NOHTTP (MP_WHEN_NO_L7 | MP_WHEN_NO_HTTP_PARSING | MP_WHEN_CROSS_NODE)
#define ANY_SIDE (-1)

static bool holds(unsigned need, unsigned ctx)
{
	return (need & ctx) == need;
}

/*
 * Whether, under ctx, some active hop (direction dir or any if < 0, side or
 * any) of component `comp` (a name, "" = kernel hops, NULL = any) holds an
 * active operation `op` (NULL = any operation, or the hop itself).
 */
static bool present(const mesh_profile *p, unsigned ctx, int dir, int side, const char *comp,
		    const char *op)
{
	for (size_t i = 0; i < p->nhops; i++) {
		const mp_hop *h = &p->hops[i];
		if (!holds(h->when, ctx) || (dir >= 0 && (int)h->direction != dir) ||
		    (side >= 0 && (int)h->side != side))
			continue;
		if (comp && !comp[0] && h->component != -1)
			continue;
		if (comp && comp[0] &&
		    (h->component < 0 || strcmp(p->components[h->component].name, comp)))
			continue;
		if (!op)
			return true;
		for (size_t k = 0; k < h->nops; k++)
			if (holds(h->ops[k].when, ctx) && !strcmp(cost_op_name(h->ops[k].op.op), op))
				return true;
	}
	return false;
}

typedef struct arch_case {
	int mode;
	unsigned ctx;
	int dir;         /* MP_REQUEST, MP_RESPONSE or -1 */
	int side;        /* mp_side or ANY_SIDE */
	const char *comp; /* component name, "" = kernel, NULL = any */
	const char *op;  /* operation key or NULL */
	bool expect;
	const char *why;
} arch_case;

static const arch_case arch_cases[] = {
	/* istio-sidecar: user-space sidecar hops on both sides, both directions */
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_REQUEST, MP_SIDE_CLIENT, "sidecar", NULL, true, "client sidecar outbound"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_REQUEST, MP_SIDE_SERVER, "sidecar", NULL, true, "server sidecar inbound"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_RESPONSE, MP_SIDE_SERVER, "sidecar", NULL, true, "server sidecar response"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_RESPONSE, MP_SIDE_CLIENT, "sidecar", NULL, true, "client sidecar response"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, -1, MP_SIDE_WAYPOINT, NULL, NULL, false, "no waypoint"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_REQUEST, MP_SIDE_CLIENT, "sidecar", "tls13.record.write", true, "mTLS seal"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_REQUEST, MP_SIDE_SERVER, "sidecar", "tls13.record.read", true, "mTLS open"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | NOMTLS, -1, ANY_SIDE, NULL, "tls13.record.write", false, "no TLS without mtls"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, -1, ANY_SIDE, NULL, "tls13.mtls.x25519.ecdsa.client", false, "no handshake on a pooled connection"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS | MP_WHEN_NEW_UPSTREAM, MP_REQUEST, MP_SIDE_CLIENT, "sidecar", "tls13.mtls.x25519.ecdsa.client", true, "handshake on a new pooled upstream connection"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS | MP_WHEN_NEW_UPSTREAM, MP_REQUEST, MP_SIDE_SERVER, "sidecar", "tls13.mtls.x25519.ecdsa.server", true, "server handshake"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS | MP_WHEN_NEW_CONNECTION, MP_REQUEST, MP_SIDE_CLIENT, "sidecar", "tls13.mtls.x25519.ecdsa.client", false, "no handshake for a new app connection over a pooled one"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | MTLS | MP_WHEN_NEW_UPSTREAM, MP_REQUEST, MP_SIDE_CLIENT, "ztunnel", "tls13.mtls.x25519.ecdsa.client", true, "HBONE handshake per new pooled connection"},
	{SCN_MESH_LINKERD, BASE | MTLS | MP_WHEN_NEW_UPSTREAM, MP_REQUEST, MP_SIDE_SERVER, "proxy", "tls13.mtls.x25519.ecdsa.server", true, "linkerd server handshake per new pooled connection"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_REQUEST, ANY_SIDE, "sidecar", "http1.parse.request", true, "HTTP parse"},
	{SCN_MESH_ISTIO_SIDECAR, (BASE & ~MP_WHEN_HTTP1) | MP_WHEN_HTTP2 | MTLS, -1, ANY_SIDE, NULL, "http1.parse.request", false, "no HTTP/1.1 parse for an HTTP/2 service"},
	{SCN_MESH_ISTIO_SIDECAR, (BASE & ~MP_WHEN_HTTP1) | MP_WHEN_HTTP2 | MTLS, MP_REQUEST, MP_SIDE_SERVER, "sidecar", "h2.grpc.server", true, "gRPC decoded inbound"},
	{SCN_MESH_ISTIO_SIDECAR, (BASE & ~MP_WHEN_HTTP1) | MP_WHEN_HTTP2 | MTLS, MP_RESPONSE, MP_SIDE_CLIENT, "sidecar", "h2.grpc.client", true, "gRPC reply decoded outbound"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, -1, ANY_SIDE, NULL, "h2.grpc.server", false, "no HTTP/2 work for an HTTP/1.1 service"},
	{SCN_MESH_ISTIO_SIDECAR, NOHTTP | MTLS, -1, ANY_SIDE, NULL, "http1.parse.request", false, "no parse without httpParsing"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_REQUEST, MP_SIDE_CLIENT, NULL, "net.iptables_redirect.rtt", true, "outbound REDIRECT"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, MP_REQUEST, MP_SIDE_SERVER, NULL, "net.iptables_redirect.rtt", true, "inbound REDIRECT"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS | MP_WHEN_L4_POLICY, MP_REQUEST, MP_SIDE_SERVER, "sidecar", "policy.rbac.allow_last", true, "RBAC L4"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS, -1, ANY_SIDE, NULL, "policy.rbac.allow_last", false, "no RBAC without rules"},
	{SCN_MESH_ISTIO_SIDECAR, BASE | MTLS | MP_WHEN_WIREGUARD, -1, ANY_SIDE, NULL, "wg.packet.encrypt", false, "no WireGuard"},
	/* istio-ambient: ztunnel on both nodes, a waypoint only under l7 */
	{SCN_MESH_ISTIO_AMBIENT, BASE | NOMTLS, MP_REQUEST, MP_SIDE_CLIENT, "ztunnel", "h2.data.send", true, "client ztunnel frames DATA"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | NOMTLS, MP_REQUEST, MP_SIDE_SERVER, "ztunnel", "h2.data.recv", true, "server ztunnel"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | NOMTLS, MP_RESPONSE, MP_SIDE_SERVER, "ztunnel", NULL, true, "server ztunnel response"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | NOMTLS, MP_RESPONSE, MP_SIDE_CLIENT, "ztunnel", NULL, true, "client ztunnel response"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | NOMTLS, MP_REQUEST, MP_SIDE_CLIENT, "ztunnel", "tls13.record.write", true, "HBONE is always mTLS"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | MTLS | MP_WHEN_NEW_CONNECTION, MP_REQUEST, MP_SIDE_CLIENT, "ztunnel", "h2.connect.client", true, "CONNECT stream per new connection"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | MTLS, -1, ANY_SIDE, NULL, "h2.connect.client", false, "no CONNECT on an open connection"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | MTLS, -1, MP_SIDE_WAYPOINT, NULL, NULL, false, "no waypoint without l7"},
	{SCN_MESH_ISTIO_AMBIENT, L7 | MTLS, MP_REQUEST, MP_SIDE_WAYPOINT, "waypoint", "http1.parse.request", true, "waypoint parses under l7"},
	{SCN_MESH_ISTIO_AMBIENT, L7 | MTLS, MP_RESPONSE, MP_SIDE_WAYPOINT, "waypoint", NULL, true, "waypoint response"},
	{SCN_MESH_ISTIO_AMBIENT, L7 | MTLS | MP_WHEN_L7_POLICY, MP_REQUEST, MP_SIDE_WAYPOINT, "waypoint", "policy.rbac.allow_last", true, "L7 policy at the waypoint"},
	{SCN_MESH_ISTIO_AMBIENT, L7 | MTLS, -1, ANY_SIDE, "ztunnel", "http1.parse.request", false, "ztunnel never parses HTTP"},
	{SCN_MESH_ISTIO_AMBIENT, BASE | MTLS | MP_WHEN_L4_POLICY, MP_REQUEST, MP_SIDE_SERVER, "ztunnel", "policy.rbac.allow_last", true, "L4 policy at ztunnel"},
	/* cilium: kernel eBPF, WireGuard only cross-node with wireguard, Envoy only under l7 */
	{SCN_MESH_CILIUM, BASE | MP_WHEN_WIREGUARD, MP_REQUEST, MP_SIDE_CLIENT, "", "wg.packet.encrypt", true, "WireGuard cross-node"},
	{SCN_MESH_CILIUM, BASE | MP_WHEN_WIREGUARD, MP_REQUEST, MP_SIDE_SERVER, "", "wg.packet.decrypt", true, "WireGuard decrypt"},
	{SCN_MESH_CILIUM, BASE | MP_WHEN_WIREGUARD, MP_RESPONSE, MP_SIDE_SERVER, "", "wg.packet.encrypt", true, "WireGuard response"},
	{SCN_MESH_CILIUM, SAME | MP_WHEN_WIREGUARD, -1, ANY_SIDE, NULL, "wg.packet.encrypt", false, "same node: not encrypted"},
	{SCN_MESH_CILIUM, SAME | MP_WHEN_WIREGUARD, -1, ANY_SIDE, NULL, "wg.packet.decrypt", false, "same node: not decrypted"},
	{SCN_MESH_CILIUM, BASE, -1, ANY_SIDE, NULL, "wg.packet.encrypt", false, "no wireguard: not encrypted"},
	{SCN_MESH_CILIUM, BASE, MP_REQUEST, MP_SIDE_CLIENT, "", "ebpf.policy.established", true, "eBPF per packet"},
	{SCN_MESH_CILIUM, BASE, MP_REQUEST, MP_SIDE_SERVER, "", "ebpf.policy.established", true, "eBPF at the server"},
	{SCN_MESH_CILIUM, BASE | MP_WHEN_NEW_CONNECTION, MP_REQUEST, MP_SIDE_CLIENT, "", "ebpf.policy.new_flow", true, "socket-LB / first packet"},
	{SCN_MESH_CILIUM, BASE, -1, ANY_SIDE, "envoy", NULL, false, "no Envoy without l7"},
	{SCN_MESH_CILIUM, L7, MP_REQUEST, MP_SIDE_SERVER, "envoy", "http1.parse.request", true, "node Envoy under l7"},
	{SCN_MESH_CILIUM, L7, -1, MP_SIDE_CLIENT, "envoy", NULL, false, "Envoy on the server's node only"},
	{SCN_MESH_CILIUM, L7 | MTLS, -1, ANY_SIDE, NULL, "tls13.record.write", false, "no TLS records"},
	/* linkerd: always mTLS between proxies, parses HTTP */
	{SCN_MESH_LINKERD, BASE | NOMTLS, MP_REQUEST, MP_SIDE_CLIENT, "proxy", "tls13.record.write", true, "always mTLS"},
	{SCN_MESH_LINKERD, BASE | MTLS, MP_REQUEST, MP_SIDE_SERVER, "proxy", "tls13.record.read", true, "mTLS open"},
	{SCN_MESH_LINKERD, BASE | NOMTLS, MP_RESPONSE, MP_SIDE_SERVER, "proxy", "tls13.record.write", true, "mTLS response"},
	{SCN_MESH_LINKERD, BASE | NOMTLS, MP_REQUEST, ANY_SIDE, "proxy", "http1.parse.request", true, "HTTP parse"},
	{SCN_MESH_LINKERD, (BASE & ~MP_WHEN_HTTP1) | MP_WHEN_HTTP2, MP_REQUEST, ANY_SIDE, "proxy", "h2.grpc.server", true, "gRPC"},
	{SCN_MESH_ISTIO_AMBIENT, (BASE & ~MP_WHEN_HTTP1) | MP_WHEN_HTTP2 | MTLS, -1, ANY_SIDE, "ztunnel", "h2.grpc.server", false, "ztunnel is L4 whatever the protocol"},
	{SCN_MESH_LINKERD, BASE | NOMTLS, MP_REQUEST, MP_SIDE_CLIENT, NULL, "net.iptables_redirect.rtt", true, "iptables redirect"},
	{SCN_MESH_LINKERD, BASE | MTLS, -1, MP_SIDE_WAYPOINT, NULL, NULL, false, "no waypoint"},
	/* none: kernel only, TCP both ways */
	{SCN_MESH_NONE, BASE | NOMTLS, -1, ANY_SIDE, "sidecar", NULL, false, "no component"},
	{SCN_MESH_NONE, BASE | NOMTLS, MP_REQUEST, MP_SIDE_SERVER, "", "sys.tcp_loopback.write_read", true, "TCP request"},
	{SCN_MESH_NONE, BASE | NOMTLS, MP_RESPONSE, MP_SIDE_CLIENT, "", "sys.tcp_loopback.write_read", true, "TCP response"},
	{SCN_MESH_NONE, BASE | NOMTLS, -1, ANY_SIDE, NULL, "http1.parse.request", false, "nothing parses"},
	{SCN_MESH_NONE, BASE | NOMTLS | MP_WHEN_NEW_CONNECTION, MP_REQUEST, MP_SIDE_CLIENT, "", "net.iptables_redirect.connection", true, "kube-proxy DNAT"},
};

static void test_architecture(void **state)
{
	(void)state;
	mesh_profile *prof[5];
	for (int m = 0; m < 5; m++)
		prof[m] = load_builtin(m);
	int bad = 0;
	for (size_t i = 0; i < sizeof arch_cases / sizeof arch_cases[0]; i++) {
		const arch_case *c = &arch_cases[i];
		bool got = present(prof[c->mode], c->ctx, c->dir, c->side, c->comp, c->op);
		if (got != c->expect) {
			fprintf(stderr, "case %zu (%s, %s): expected %s, got %s\n", i,
				scn_mesh_mode_name((scn_mesh_mode)c->mode), c->why,
				c->expect ? "present" : "absent", got ? "present" : "absent");
			bad++;
		}
	}
	/* the components */
	assert_int_equal(prof[SCN_MESH_NONE]->ncomponents, 0);
	for (size_t i = 0; i < prof[SCN_MESH_NONE]->nhops; i++)
		assert_int_equal(prof[SCN_MESH_NONE]->hops[i].component, -1);
	const mp_component *sc = &prof[SCN_MESH_ISTIO_SIDECAR]->components[0];
	assert_int_equal(sc->scope, MP_SCOPE_POD);
	assert_true(sc->user_space && sc->workers_from_mesh && sc->pools_upstream);
	assert_int_equal(sc->workers, 2);
	assert_true(sc->memory_base.value == 60e6);
	const mesh_profile *amb = prof[SCN_MESH_ISTIO_AMBIENT];
	assert_int_equal(amb->ncomponents, 2);
	assert_int_equal(amb->components[0].scope, MP_SCOPE_NODE);
	assert_int_equal(amb->components[1].scope, MP_SCOPE_NAMESPACE); /* istioctl waypoint apply -n NS */
	assert_true(amb->components[0].memory_base.value == 12e6);
	assert_int_equal(prof[SCN_MESH_CILIUM]->components[0].scope, MP_SCOPE_NODE);
	assert_int_equal(prof[SCN_MESH_LINKERD]->components[0].scope, MP_SCOPE_POD);
	/* kernel datapath work is not charged to a component in Cilium */
	for (size_t i = 0; i < prof[SCN_MESH_CILIUM]->nhops; i++) {
		const mp_hop *h = &prof[SCN_MESH_CILIUM]->hops[i];
		for (size_t k = 0; k < h->nops; k++)
			if (h->ops[k].op.op == COST_WG_ENCRYPT || h->ops[k].op.op == COST_EBPF_ESTABLISHED)
				assert_int_equal(h->component, -1);
		if (h->ops[0].op.op == COST_WG_ENCRYPT) {
			/* per wire packet, each the MTU less Cilium's 80 B */
			assert_int_equal(h->ops[0].op.size_ref, MP_SIZE_PACKETS);
			assert_int_equal(h->ops[0].op.packet_overhead, 80);
		}
		if (h->nops && h->ops[0].op.op == COST_EBPF_ESTABLISHED) {
			/* a tc hook sees GSO/GRO segments, not wire packets */
			assert_int_equal(h->ops[0].op.size_ref, MP_SIZE_SEGMENTS);
		}
	}
	for (int m = 0; m < 5; m++)
		mesh_profile_free(prof[m]);
	assert_int_equal(bad, 0);
}

/* frameworkShare: on each side, a component's shares over one request sum to 1. */
static void test_shares(void **state)
{
	(void)state;
	static const unsigned ctxs[] = {BASE | MTLS, L7 | MTLS, SAME | NOMTLS, NOHTTP | MTLS};
	for (int m = 0; m < 5; m++) {
		mesh_profile *p = load_builtin(m);
		for (size_t x = 0; x < sizeof ctxs / sizeof ctxs[0]; x++)
			for (size_t c = 0; c < p->ncomponents; c++)
				for (int side = 0; side < 3; side++) {
					double sum = 0;
					bool any = false;
					for (size_t i = 0; i < p->nhops; i++) {
						const mp_hop *h = &p->hops[i];
						if (h->component == (int)c && (int)h->side == side &&
						    holds(h->when, ctxs[x])) {
							sum += h->framework_share;
							any = true;
						}
					}
					if (any)
						assert_float_equal(sum, 1.0, 1e-9);
				}
		mesh_profile_free(p);
	}
}

/* ---------------------------------------------------------------- sources */

static void check_param(const mp_param *p, const char *what, const char *comp)
{
	if (!p->source || !p->source[0] || p->value < 0)
		fprintf(stderr, "%s.%s: value %g, source \"%s\"\n", comp, what, p->value,
			p->source ? p->source : "(null)");
	assert_non_null(p->source);
	assert_true(strlen(p->source) >= 4);
	assert_true(p->value >= 0);
}

/* Every {value, source} object of the document has a source, and every hop. */
static size_t count_sources(json_t *j, const char *where)
{
	size_t n = 0;
	if (json_is_object(j)) {
		json_t *v = json_object_get(j, "value"), *src = json_object_get(j, "source");
		bool is_hop = json_object_get(j, "ops") != NULL;
		if (v || is_hop) {
			if (!json_is_string(src) || strlen(json_string_value(src)) < 4)
				fprintf(stderr, "%s: a parameter or hop without a source\n", where);
			assert_true(json_is_string(src) && strlen(json_string_value(src)) >= 4);
			n++;
		}
		const char *k;
		json_t *x;
		json_object_foreach(j, k, x) n += count_sources(x, where);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *x;
		json_array_foreach(j, i, x) n += count_sources(x, where);
	}
	return n;
}

static void test_sources(void **state)
{
	(void)state;
	for (int m = 0; m < 5; m++) {
		char path[512], *json, hash[65];
		diag_list errs = {0};
		assert_int_equal(mesh_profile_find_builtin(m, NULL, path, sizeof path), 0);
		assert_int_equal(mesh_profile_load_file(path, NULL, NULL, &json, hash, &errs), SCN_OK);
		json_t *doc = json_loads(json, 0, NULL);
		assert_non_null(doc);
		json_t *sp = json_object_get(doc, "spec");
		/* Each hop: its source, its delay's and its cpu's; each
		 * component: 7. */
		size_t want = 3 * json_array_size(json_object_get(sp, "hops")) +
			      7 * json_array_size(json_object_get(sp, "components"));
		assert_int_equal(count_sources(doc, path), want);
		json_decref(doc);
		free(json);
	}
	for (int m = 0; m < 5; m++) {
		mesh_profile *p = load_builtin(m);
		for (size_t i = 0; i < p->ncomponents; i++) {
			const mp_component *c = &p->components[i];
			check_param(&c->framework_per_request, "frameworkPerRequest", c->name);
			check_param(&c->framework_per_connection, "frameworkPerConnection", c->name);
			check_param(&c->wakeup_delay, "wakeupDelay", c->name);
			check_param(&c->memory_base, "memory.base", c->name);
			check_param(&c->memory_per_connection, "memory.perConnection", c->name);
			check_param(&c->memory_per_config_object, "memory.perConfigObject", c->name);
			/* a framework term with a value is fitted (or to be): it says so */
			if (c->framework_per_request.value > 0) {
				const char *src = c->framework_per_request.source;
				assert_true(strstr(src, "initial:") || strstr(src, "fit:"));
				assert_non_null(strstr(c->framework_per_request.source,
						       "make calibration"));
			}
			/* memory figures name where they come from */
			if (c->memory_base.value > 0)
				assert_non_null(strstr(c->memory_base.source, "calibration.md C"));
		}
		mesh_profile_free(p);
	}
}

/* ---------------------------------------------------------------- bad files */

typedef struct bad_mesh {
	const char *file;
	int line, col;
	const char *path;
	const char *msg;
	size_t nerrs;
} bad_mesh;

static const bad_mesh bad_meshes[] = {
	{BADM "unknown-op.yaml", 27, 16, "spec.hops[0].ops[0].op",
	 "unknown operation \"http1.parse.requets\" (did you mean \"http1.parse.request\"?)", 1},
	{BADM "unknown-component.yaml", 22, 18, "spec.hops[0].component",
	 "unknown mesh component \"sidecars\" (did you mean \"sidecar\"?); defined: sidecar", 1},
	{BADM "bad-when.yaml", 23, 14, "spec.hops[0].when[0]",
	 "unknown condition \"mTLS\" (did you mean \"mtls\"?)", 1},
	{BADM "op-when.yaml", 27, 39, "spec.hops[0].ops[0].when[0]",
	 "unknown condition \"crossnode\" (did you mean \"cross-node\"?)", 1},
	{BADM "contradiction.yaml", 23, 13, "spec.hops[0].when",
	 "contradicts itself (both mtls and no-mtls)", 1},
	{BADM "missing-source.yaml", 11, 7, "spec.components[0].frameworkPerRequest.source",
	 "required field is missing", 1},
	{BADM "empty-source.yaml", 11, 51, "spec.components[0].frameworkPerRequest.source",
	 "must not be empty", 1},
	{BADM "bad-unit.yaml", 11, 36, "spec.components[0].frameworkPerRequest.value",
	 "unknown unit \"usec\" in duration \"170usec\"", 1},
	{BADM "bare-number.yaml", 11, 28, "spec.components[0].frameworkPerRequest",
	 "expected a mapping (CPUParam), got a scalar", 1},
	{BADM "bad-size.yaml", 27, 43, "spec.hops[0].ops[0].size",
	 "must be a number of bytes (1024, 4Ki) or one of request, response, message", 1},
	{BADM "missing-size.yaml", 27, 11, "spec.hops[0].ops[0].size",
	 "is required: tls13.record.write costs per byte", 1},
	{BADM "share-sum.yaml", 24, 23, "spec.hops[0].frameworkShare",
	 "frameworkShare of component sidecar on the client side sums to 0.8", 1},
	{BADM "kernel-share.yaml", 23, 23, "spec.hops[0].frameworkShare",
	 "needs a component", 1},
	{BADM "delay-source.yaml", 25, 14, "spec.hops[0].delay.source",
	 "required with a value", 1},
	{BADM "bad-scope.yaml", 9, 14, "spec.components[0].scope",
	 "must be one of pod, node, service-account, namespace (got \"per-pod\")", 1},
	{BADM "bad-count.yaml", 27, 39, "spec.hops[0].ops[0].count", "must be > 0 (got 0)", 1},
	{BADM "packet-size.yaml", 27, 62, "spec.hops[0].ops[0].packetSize",
	 "is only used with size: packets", 1},
	{BADM "packet-overhead.yaml", 27, 84, "spec.hops[0].ops[1].packetOverhead",
	 "and packetSize exclude each other", 1},
	{BADM "cpu-source.yaml", 25, 12, "spec.hops[0].cpu.source", "required with a value", 1},
};

static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_meshes / sizeof bad_meshes[0]; i++) {
		const bad_mesh *b = &bad_meshes[i];
		diag_list errs = {0};
		mesh_profile *p = (mesh_profile *)1;
		int rc = mesh_profile_load(b->file, &p, &errs);
		bool ok = rc == SCN_EDATA && p == NULL && errs.n == b->nerrs &&
			  errs.items[0].line == b->line && errs.items[0].col == b->col &&
			  !strcmp(errs.items[0].file, b->file) && !strcmp(errs.items[0].path, b->path) &&
			  strstr(errs.items[0].msg, b->msg);
		if (!ok) {
			fprintf(stderr, "%s (expected %d:%d %s: %s), rc %d:\n", b->file, b->line,
				b->col, b->path, b->msg, rc);
			diag_print(&errs, stderr);
		}
		assert_true(ok);
		/* `meshsim validate` reports the same through scenario_validate_file */
		diag_list v = {0};
		size_t nd = 0;
		assert_int_equal(scenario_validate_file(b->file, NULL, 0, NULL, 0, &nd, &v), SCN_EDATA);
		assert_int_equal(v.n, errs.n);
		diag_list_free(&v);
		diag_list_free(&errs);
	}
	/* every file in the directory is in the table */
	size_t listed = sizeof bad_meshes / sizeof bad_meshes[0];
	FILE *ls = popen("ls " BADM "*.yaml | wc -l", "r");
	assert_non_null(ls);
	size_t nfiles = 0;
	assert_int_equal(fscanf(ls, "%zu", &nfiles), 1);
	pclose(ls);
	assert_int_equal(nfiles, listed);
}

static void test_missing(void **state)
{
	(void)state;
	diag_list errs = {0};
	mesh_profile *p = (mesh_profile *)1;
	assert_int_equal(mesh_profile_load("tests/scenarios/nope.yaml", &p, &errs), SCN_ENOINPUT);
	assert_null(p);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.items[0].msg, "cannot open"));
	diag_list_free(&errs);
	/* a file without a MeshProfile */
	assert_int_equal(mesh_profile_load("tests/scenarios/minimal.yaml", &p, &errs), SCN_EDATA);
	assert_non_null(strstr(errs.items[0].msg, "no MeshProfile document"));
	diag_list_free(&errs);
	/* an unknown mode */
	char buf[256];
	assert_int_equal(mesh_profile_find_builtin(99, NULL, buf, sizeof buf), -1);
	assert_int_equal(mesh_profile_load_builtin(99, NULL, &p, &errs), SCN_ENOINPUT);
	diag_list_free(&errs);
}

/* datadir and $MESHSIM_DATADIR come before the working directory. */
static void test_datadir(void **state)
{
	(void)state;
	char dir[] = "/tmp/meshsim-mp-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cmd[512], path[600];
	snprintf(cmd, sizeof cmd, "mkdir -p %s/configs/meshes && sed 's/^  name: none$/  name: "
		 "other/' configs/meshes/none.yaml > %s/configs/meshes/none.yaml", dir, dir);
	assert_int_equal(system(cmd), 0);
	diag_list errs = {0};
	mesh_profile *p = NULL;
	assert_int_equal(mesh_profile_find_builtin(SCN_MESH_NONE, dir, path, sizeof path), 0);
	assert_non_null(strstr(path, dir));
	assert_int_equal(mesh_profile_load_builtin(SCN_MESH_NONE, dir, &p, &errs), SCN_OK);
	assert_string_equal(p->name, "other");
	mesh_profile_free(p);
	setenv("MESHSIM_DATADIR", dir, 1);
	assert_int_equal(mesh_profile_load_builtin(SCN_MESH_NONE, NULL, &p, &errs), SCN_OK);
	assert_string_equal(p->name, "other");
	mesh_profile_free(p);
	/* not there: the working directory's */
	assert_int_equal(mesh_profile_load_builtin(SCN_MESH_CILIUM, NULL, &p, &errs), SCN_OK);
	assert_string_equal(p->name, "cilium");
	mesh_profile_free(p);
	unsetenv("MESHSIM_DATADIR");
	assert_int_equal(mesh_profile_load_builtin(SCN_MESH_NONE, NULL, &p, &errs), SCN_OK);
	assert_string_equal(p->name, "none");
	mesh_profile_free(p);
	assert_int_equal(errs.n, 0);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---------------------------------------------------------------- round trip */

static bool same_param(const mp_param *a, const mp_param *b)
{
	return a->value == b->value && !strcmp(a->source, b->source);
}

static void assert_same_profile(const mesh_profile *a, const mesh_profile *b)
{
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->mode, b->mode);
	assert_string_equal(a->description, b->description);
	assert_int_equal(a->ncomponents, b->ncomponents);
	for (size_t i = 0; i < a->ncomponents; i++) {
		const mp_component *x = &a->components[i], *y = &b->components[i];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->scope, y->scope);
		assert_int_equal(x->workers, y->workers);
		assert_true(x->user_space == y->user_space && x->workers_from_mesh == y->workers_from_mesh &&
			    x->pools_upstream == y->pools_upstream &&
			    x->resumes_sessions == y->resumes_sessions);
		assert_true(same_param(&x->framework_per_request, &y->framework_per_request));
		assert_true(same_param(&x->framework_per_connection, &y->framework_per_connection));
		assert_true(same_param(&x->wakeup_delay, &y->wakeup_delay));
		assert_true(same_param(&x->memory_base, &y->memory_base));
		assert_true(same_param(&x->memory_per_connection, &y->memory_per_connection));
		assert_true(same_param(&x->memory_per_config_object, &y->memory_per_config_object));
	}
	assert_int_equal(a->nhops, b->nhops);
	for (size_t i = 0; i < a->nhops; i++) {
		const mp_hop *x = &a->hops[i], *y = &b->hops[i];
		assert_string_equal(x->name, y->name);
		assert_true(x->direction == y->direction && x->side == y->side &&
			    x->component == y->component && x->when == y->when &&
			    x->framework_share == y->framework_share);
		assert_int_equal(x->nops, y->nops);
		for (size_t k = 0; k < x->nops; k++) {
			assert_int_equal(x->ops[k].op.op, y->ops[k].op.op);
			assert_int_equal(x->ops[k].op.size_ref, y->ops[k].op.size_ref);
			assert_int_equal(x->ops[k].op.size, y->ops[k].op.size);
			assert_true(x->ops[k].op.count == y->ops[k].op.count);
			assert_int_equal(x->ops[k].when, y->ops[k].when);
		}
	}
}

static void test_round_trip(void **state)
{
	(void)state;
	for (int m = 0; m < 5; m++) {
		char path[512];
		assert_int_equal(mesh_profile_find_builtin(m, NULL, path, sizeof path), 0);
		diag_list errs = {0};
		mesh_profile *a = NULL, *b = NULL;
		char *json = NULL, *json2 = NULL, hash[65], hash2[65];
		assert_int_equal(mesh_profile_load_file(path, NULL, &a, &json, hash, &errs), SCN_OK);
		assert_int_equal(strlen(hash), 64);
		assert_non_null(strstr(json, "\"hops\":["));
		assert_int_equal(mesh_profile_load_string("canonical.json", json, strlen(json),
							  MP_LOAD_CANONICAL, NULL, &b, &json2, hash2,
							  &errs), SCN_OK);
		if (errs.n)
			diag_print(&errs, stderr);
		assert_string_equal(json, json2);
		assert_string_equal(hash, hash2);
		assert_same_profile(a, b);
		/* the YAML loaded twice hashes the same; a change changes the hash */
		char *json3 = NULL, hash3[65];
		assert_int_equal(mesh_profile_load_file(path, NULL, NULL, &json3, hash3, &errs), SCN_OK);
		assert_string_equal(hash, hash3);
		free(json3);
		/* `meshsim validate` shows the same hash */
		scn_doc_info info[2];
		size_t nd = 0;
		assert_int_equal(scenario_validate_file(path, NULL, 0, info, 2, &nd, &errs), SCN_OK);
		assert_int_equal(nd, 1);
		assert_string_equal(info[0].kind, "MeshProfile");
		assert_string_equal(info[0].hash_hex, hash);
		mesh_profile_free(a);
		mesh_profile_free(b);
		free(json);
		free(json2);
		diag_list_free(&errs);
	}
	/* a different value: a different hash */
	const char *y1 = "apiVersion: meshsim/v1alpha1\nkind: MeshProfile\nmetadata: {name: x}\n"
			 "spec:\n  mode: none\n  hops: [{name: a, direction: request, side: client, "
			 "source: s, ops: [{op: sys.syscall, count: 2}]}]\n";
	char y2[512];
	snprintf(y2, sizeof y2, "%s", y1);
	*strstr(y2, "count: 2") = '\0';
	strcat(y2, "count: 3}]}]\n");
	diag_list errs = {0};
	char *j1, *j2, h1[65], h2[65];
	assert_int_equal(mesh_profile_load_string("a", y1, strlen(y1), 0, NULL, NULL, &j1, h1, &errs),
			 SCN_OK);
	assert_int_equal(mesh_profile_load_string("b", y2, strlen(y2), 0, NULL, NULL, &j2, h2, &errs),
			 SCN_OK);
	assert_string_not_equal(h1, h2);
	free(j1);
	free(j2);
}

/* ---------------------------------------------------------------- scenarios */

static scenario *load_scn(const char *path, const char *set)
{
	scenario *s = NULL;
	diag_list errs = {0};
	const char *sets[] = {set};
	int rc = scenario_load(path, sets, set ? 1 : 0, &s, &errs);
	if (rc)
		diag_print(&errs, stderr);
	assert_int_equal(rc, SCN_OK);
	diag_list_free(&errs);
	return s;
}

static void test_for_scenario(void **state)
{
	(void)state;
	diag_list errs = {0};
	mesh_profile *p = NULL;
	/* a MeshProfile document of the scenario's own file */
	scenario *s = load_scn("tests/scenarios/multi.yaml", NULL);
	assert_int_equal(mesh_profile_load_for_scenario(s, "tests/scenarios/multi.yaml", NULL, 0, NULL, &p,
							&errs), SCN_OK);
	assert_string_equal(p->name, "sidecar-lite");
	mesh_profile_free(p);
	scenario_free(s);
	/* "" = the built-in profile of the mode */
	s = load_scn("tests/scenarios/minimal.yaml", "spec.mesh.mode=cilium");
	assert_int_equal(mesh_profile_load_for_scenario(s, "tests/scenarios/minimal.yaml", NULL, 0, NULL, &p,
							&errs), SCN_OK);
	assert_string_equal(p->name, "cilium");
	mesh_profile_free(p);
	scenario_free(s);
	/* a name in configs/meshes, of another mode: refused */
	s = load_scn("tests/scenarios/minimal.yaml", "spec.mesh={mode: cilium, profile: linkerd}");
	assert_int_equal(mesh_profile_load_for_scenario(s, NULL, NULL, 0, NULL, &p, &errs), SCN_EDATA);
	assert_null(p);
	assert_non_null(strstr(errs.items[0].msg, "is for mode linkerd"));
	diag_list_free(&errs);
	scenario_free(s);
	/* a path, relative to the scenario file */
	s = load_scn("tests/scenarios/minimal.yaml",
		     "spec.mesh={mode: istio-sidecar, profile: ../../configs/meshes/istio-sidecar.yaml}");
	assert_int_equal(mesh_profile_load_for_scenario(s, "tests/scenarios/minimal.yaml", NULL, 0, NULL, &p,
							&errs), SCN_OK);
	assert_string_equal(p->name, "istio-sidecar");
	mesh_profile_free(p);
	scenario_free(s);
	/* only the file's MeshProfile documents are read: its Scenario may need --set */
	char tmpf[] = "/tmp/meshsim-mp-scn-XXXXXX";
	int fd = mkstemp(tmpf);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("apiVersion: meshsim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec: {}\n---\n"
	      "apiVersion: meshsim/v1alpha1\nkind: MeshProfile\nmetadata: {name: mine}\nspec:\n"
	      "  mode: none\n  hops: [{name: a, direction: request, side: client, source: s}]\n", f);
	fclose(f);
	s = load_scn("tests/scenarios/minimal.yaml", "spec.mesh.profile=mine");
	assert_int_equal(mesh_profile_load_for_scenario(s, tmpf, NULL, 0, NULL, &p, &errs), SCN_OK);
	assert_string_equal(p->name, "mine");
	assert_int_equal(errs.n, 0);
	mesh_profile_free(p);
	scenario_free(s);
	/* but a file loaded as a profile is validated whole */
	assert_int_equal(mesh_profile_load(tmpf, &p, &errs), SCN_EDATA);
	assert_string_equal(errs.items[0].path, "spec.cluster");
	diag_list_free(&errs);
	unlink(tmpf);
	/* a name found nowhere */
	s = load_scn("tests/scenarios/minimal.yaml", "spec.mesh={mode: linkerd, profile: nope}");
	assert_int_equal(mesh_profile_load_for_scenario(s, "tests/scenarios/minimal.yaml", NULL, 0, NULL, &p,
							&errs), SCN_EDATA);
	assert_string_equal(errs.items[0].path, "spec.mesh.profile");
	diag_list_free(&errs);
	scenario_free(s);
}

/* spec.cluster.network: defaults, bit rates, errors. */
static void test_network(void **state)
{
	(void)state;
	scenario *s = load_scn("tests/scenarios/minimal.yaml", NULL);
	assert_true(s->spec.cluster.network_bandwidth_bps == 100e9);
	assert_int_equal(s->spec.cluster.network_latency_ns, 10000);
	scenario_free(s);
	s = load_scn("tests/scenarios/minimal.yaml", "spec.cluster.network={bandwidth: 10G, "
		     "latency: 50us}");
	assert_true(s->spec.cluster.network_bandwidth_bps == 10e9);
	assert_int_equal(s->spec.cluster.network_latency_ns, 50000);
	char *json;
	char hash[65];
	assert_int_equal(scenario_canonical_json(s, &json, hash), SCN_OK);
	assert_non_null(strstr(json, "\"network\":{\"bandwidth\":10000000000"));
	free(json);
	scenario_free(s);
	double bps;
	char err[256];
	assert_int_equal(units_parse_bitrate("25Gbps", &bps, err, sizeof err), 0);
	assert_true(bps == 25e9);
	assert_int_equal(units_parse_bitrate("100Mbit/s", &bps, err, sizeof err), 0);
	assert_true(bps == 100e6);
	assert_int_equal(units_parse_bitrate("1e9", &bps, err, sizeof err), 0);
	assert_true(bps == 1e9);
	assert_int_equal(units_parse_bitrate("10GB", &bps, err, sizeof err), -1);
	assert_non_null(strstr(err, "in bits"));
	assert_int_equal(units_parse_bitrate("10Gi", &bps, err, sizeof err), -1);
	assert_non_null(strstr(err, "decimal"));
	char buf[32];
	units_format_bitrate(10e9, buf, sizeof buf);
	assert_string_equal(buf, "10G");
	/* errors at the field */
	scenario *bad = NULL;
	diag_list errs = {0};
	const char *set = "spec.cluster.network.bandwidth=10GB";
	assert_int_equal(scenario_load("tests/scenarios/minimal.yaml", &set, 1, &bad, &errs),
			 SCN_EDATA);
	assert_string_equal(errs.items[0].path, "spec.cluster.network.bandwidth");
	diag_list_free(&errs);
	set = "spec.cluster.network.bandwidth=100k";
	assert_int_equal(scenario_load("tests/scenarios/minimal.yaml", &set, 1, &bad, &errs),
			 SCN_EDATA);
	assert_non_null(strstr(errs.items[0].msg, "must be >= 1M"));
	diag_list_free(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins_load), cmocka_unit_test(test_architecture),
		cmocka_unit_test(test_shares),        cmocka_unit_test(test_sources),
		cmocka_unit_test(test_bad_files),     cmocka_unit_test(test_missing),
		cmocka_unit_test(test_datadir),       cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_for_scenario),  cmocka_unit_test(test_network),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
