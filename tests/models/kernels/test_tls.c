/*
 * tests/models/kernels/test_tls.c - the TLS kernel's handshakes: mutual
 * authentication verified both ways (SPIFFE SANs), a wrong CA rejected,
 * server-auth only, resumption, TLS 1.2, RSA certificates, P-256 exchange.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "models/kernels/kern.h"

static tls_pki *ec, *rsa, *other;

static int setup(void **state)
{
	(void)state;
	ec = tls_pki_new(TLS_KEY_ECDSA_P256);
	rsa = tls_pki_new(TLS_KEY_RSA2048);
	other = tls_pki_new(TLS_KEY_ECDSA_P256);
	return ec && rsa && other ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tls_pki_free(ec);
	tls_pki_free(rsa);
	tls_pki_free(other);
	return 0;
}

static void one(const tls_pki *pki, const tls_variant *v, tls_result *r)
{
	tls_pair *tp = tls_pair_new(pki, pki, pki, pki, v);
	assert_non_null(tp);
	assert_int_equal(tls_handshake(tp, r), 0);
	tls_pair_free(tp);
}

static void mtls13_verified_both_ways(void **state)
{
	(void)state;
	tls_variant v = {0, 1, "X25519", 0, 0};
	tls_result r;
	one(ec, &v, &r);
	assert_true(r.ok);
	assert_true(r.client_verified_san);
	assert_true(r.server_verified_san);
	assert_false(r.resumed);
	assert_string_equal(r.cipher, "TLS_AES_128_GCM_SHA256");
	assert_true(r.client_ns > 0 && r.server_ns > 0);
	assert_true(r.wire_bytes > 1000);
	v.groups = "P-256";
	one(ec, &v, &r);
	assert_true(r.ok && r.client_verified_san && r.server_verified_san);
	v.groups = "X25519";
	one(rsa, &v, &r);
	assert_true(r.ok && r.client_verified_san && r.server_verified_san);
}

static void server_auth_only(void **state)
{
	(void)state;
	tls_variant v = {0, 0, "X25519", 0, 0};
	tls_result r;
	one(ec, &v, &r);
	assert_true(r.ok);
	assert_true(r.client_verified_san);
	assert_false(r.server_verified_san); /* no client certificate asked for */
}

static void wrong_ca_rejected(void **state)
{
	(void)state;
	tls_variant v = {0, 1, "X25519", 0, 0};
	tls_result r;
	/* the client trusts another CA */
	tls_pair *tp = tls_pair_new(ec, ec, other, ec, &v);
	assert_non_null(tp);
	assert_int_equal(tls_handshake(tp, &r), -1);
	assert_false(r.ok);
	assert_non_null(strstr(r.error, "certificate"));
	tls_pair_free(tp);
	/* the server trusts another CA for client certificates */
	tp = tls_pair_new(ec, ec, ec, other, &v);
	assert_non_null(tp);
	assert_int_equal(tls_handshake(tp, &r), -1);
	assert_false(r.server_verified_san);
	tls_pair_free(tp);
	/* a client certificate from another CA, the server trusting only ec's */
	tp = tls_pair_new(ec, other, ec, ec, &v);
	assert_int_equal(tls_handshake(tp, &r), -1);
	tls_pair_free(tp);
	/* both trusting the right CAs across two PKIs works */
	tp = tls_pair_new(ec, other, ec, other, &v);
	assert_int_equal(tls_handshake(tp, &r), 0);
	assert_true(r.client_verified_san && r.server_verified_san);
	tls_pair_free(tp);
	/* TLS 1.2 with a wrong CA */
	tls_variant v12 = {1, 1, "X25519", 0, 0};
	tp = tls_pair_new(ec, ec, other, ec, &v12);
	assert_int_equal(tls_handshake(tp, &r), -1);
	tls_pair_free(tp);
}

static void resumption(void **state)
{
	(void)state;
	for (int tls12 = 0; tls12 <= 1; tls12++) {
		tls_variant v = {tls12, 1, "X25519", 1, 0};
		tls_pair *tp = tls_pair_new(ec, ec, ec, ec, &v);
		tls_result r;
		assert_int_equal(tls_handshake(tp, &r), 0);
		assert_false(r.resumed);
		for (int i = 0; i < 3; i++) {
			assert_int_equal(tls_handshake(tp, &r), 0);
			assert_true(r.resumed);
		}
		tls_pair_free(tp);
	}
}

/* No session tickets: the handshake still verifies both ways, with fewer
 * bytes on the wire (OpenSSL's default is two tickets per handshake). */
static void no_tickets(void **state)
{
	(void)state;
	tls_variant with = {0, 1, "X25519", 0, 0}, without = {0, 1, "X25519", 0, 1};
	tls_result a, b;
	one(ec, &with, &a);
	one(ec, &without, &b);
	assert_true(b.ok && b.client_verified_san && b.server_verified_san);
	assert_true(b.wire_bytes < a.wire_bytes - 500);
}

static void tls12(void **state)
{
	(void)state;
	tls_variant v = {1, 1, "X25519", 0, 0};
	tls_result r;
	one(ec, &v, &r);
	assert_true(r.client_verified_san && r.server_verified_san);
	assert_string_equal(r.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mtls13_verified_both_ways),
		cmocka_unit_test(server_auth_only),
		cmocka_unit_test(wrong_ca_rejected),
		cmocka_unit_test(resumption),
		cmocka_unit_test(no_tickets),
		cmocka_unit_test(tls12),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
