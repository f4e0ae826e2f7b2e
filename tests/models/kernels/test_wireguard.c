/*
 * tests/models/kernels/test_wireguard.c - the Noise IKpsk2 handshake gives
 * both peers matching transport keys (fresh each time); a corrupted mac1 is
 * rejected; a packet sealed with the initiator's send key opens with the
 * responder's receive key only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "models/kernels/kern.h"

static void handshake(void **state)
{
	(void)state;
	wg_keys i1, r1, i2, r2;
	double a, b;
	assert_int_equal(wg_handshake(&i1, &r1, &a, &b, 0), 0);
	assert_memory_equal(i1.send, r1.recv, 32);
	assert_memory_equal(i1.recv, r1.send, 32);
	assert_memory_not_equal(i1.send, i1.recv, 32);
	assert_true(a > 0 && b > 0);
	assert_int_equal(wg_handshake(&i2, &r2, &a, &b, 0), 0);
	assert_memory_not_equal(i1.send, i2.send, 32); /* fresh ephemeral keys */
	assert_int_equal(wg_handshake(&i2, &r2, &a, &b, 1), -1);
}

static void transport(void **state)
{
	(void)state;
	wg_keys ki, kr;
	double a, b;
	assert_int_equal(wg_handshake(&ki, &kr, &a, &b, 0), 0);
	static const unsigned char iv[12];
	aead_ctx *tx = aead_new(AEAD_CHACHA20POLY1305, ki.send, iv);
	aead_ctx *rx = aead_new(AEAD_CHACHA20POLY1305, kr.recv, iv);
	aead_ctx *wrong = aead_new(AEAD_CHACHA20POLY1305, kr.send, iv);
	unsigned char pt[1424], ct[1424], out[1424], tag[16];
	for (int i = 0; i < 1424; i++)
		pt[i] = (unsigned char)i;
	assert_int_equal(aead_seal(tx, 7, NULL, 0, pt, sizeof pt, ct, tag), 0);
	assert_int_equal(aead_open(rx, 7, NULL, 0, ct, sizeof ct, tag, out), 0);
	assert_memory_equal(out, pt, sizeof pt);
	assert_int_equal(aead_open(wrong, 7, NULL, 0, ct, sizeof ct, tag, out), -1);
	aead_free(tx);
	aead_free(rx);
	aead_free(wrong);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake),
		cmocka_unit_test(transport),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
