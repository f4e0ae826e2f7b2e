/*
 * tests/models/kernels/test_records.c - AEAD records: decrypt of encrypt is
 * the identity for every cipher and size; a flipped bit in the ciphertext,
 * the tag or the AAD, or a wrong sequence number, fails to open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels/kern.h"

static void identity_and_tamper(void **state)
{
	(void)state;
	const aead_alg algs[] = {AEAD_AES128GCM, AEAD_AES256GCM, AEAD_CHACHA20POLY1305};
	const size_t sizes[] = {1, 64, 1024, 1420, 16384};
	unsigned char key[32], iv[12], aad[13];
	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)(i * 11 + 1);
	for (int i = 0; i < 12; i++)
		iv[i] = (unsigned char)(i * 3);
	memset(aad, 0x17, sizeof aad);
	unsigned char *pt = malloc(16384), *ct = malloc(16384), *out = malloc(16384);
	for (int i = 0; i < 16384; i++)
		pt[i] = (unsigned char)(i * 7 + 5);
	for (int a = 0; a < 3; a++) {
		aead_ctx *x = aead_new(algs[a], key, iv);
		assert_non_null(x);
		assert_int_equal(aead_key_len(algs[a]), a == 0 ? 16 : 32);
		for (int s = 0; s < 5; s++) {
			size_t n = sizes[s];
			unsigned char tag[16];
			uint64_t seq = 1000 + (uint64_t)s;
			assert_int_equal(aead_seal(x, seq, aad, sizeof aad, pt, n, ct, tag), 0);
			assert_memory_not_equal(ct, pt, n < 16 ? n : 16);
			memset(out, 0, n);
			assert_int_equal(aead_open(x, seq, aad, sizeof aad, ct, n, tag, out), 0);
			assert_memory_equal(out, pt, n);
			ct[n / 2] ^= 0x01; /* flipped ciphertext bit */
			assert_int_equal(aead_open(x, seq, aad, sizeof aad, ct, n, tag, out), -1);
			ct[n / 2] ^= 0x01;
			tag[15] ^= 0x80; /* flipped tag bit */
			assert_int_equal(aead_open(x, seq, aad, sizeof aad, ct, n, tag, out), -1);
			tag[15] ^= 0x80;
			aad[0] ^= 1; /* flipped AAD bit */
			assert_int_equal(aead_open(x, seq, aad, sizeof aad, ct, n, tag, out), -1);
			aad[0] ^= 1;
			/* wrong nonce */
			assert_int_equal(aead_open(x, seq + 1, aad, sizeof aad, ct, n, tag, out), -1);
			/* and the intact record still opens (context reuse) */
			assert_int_equal(aead_open(x, seq, aad, sizeof aad, ct, n, tag, out), 0);
		}
		aead_free(x);
	}
	free(pt);
	free(ct);
	free(out);
}

/* AES-128-GCM test vector: NIST GCM spec test case 3 (key feffe9..., IV
 * cafebabefacedbaddecaf888, 64-byte plaintext) with the nonce built as
 * iv XOR seq (seq 0 leaves the IV unchanged). */
static void known_answer(void **state)
{
	(void)state;
	static const unsigned char key[16] = {0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
					      0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08};
	static const unsigned char iv[12] = {0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce,
					     0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88};
	static const unsigned char pt[64] = {
		0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59, 0x09, 0xc5, 0xaf,
		0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda, 0x2e, 0x4c,
		0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09,
		0x53, 0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25, 0xb1, 0x6a, 0xed, 0xf5,
		0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39, 0x1a, 0xaf, 0xd2, 0x55};
	static const unsigned char tag_want[16] = {0x4d, 0x5c, 0x2a, 0xf3, 0x27, 0xcd,
						   0x64, 0xa6, 0x2c, 0xf3, 0x5a, 0xbd,
						   0x2b, 0xa6, 0xfa, 0xb4};
	unsigned char ct[64], tag[16];
	aead_ctx *x = aead_new(AEAD_AES128GCM, key, iv);
	assert_non_null(x);
	assert_int_equal(aead_seal(x, 0, NULL, 0, pt, 64, ct, tag), 0);
	assert_memory_equal(tag, tag_want, 16);
	assert_int_equal(ct[0], 0x42);
	assert_int_equal(ct[63], 0x85);
	aead_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identity_and_tamper),
		cmocka_unit_test(known_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
