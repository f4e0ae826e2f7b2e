/*
 * models/kernels/k_records.c - AEAD record seal/open with OpenSSL EVP, one
 * context per direction keyed once, only the nonce changes per record (as a
 * TLS record layer or WireGuard does). 13-byte AAD (a TLS 1.2-style header).
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

struct aead_ctx {
	EVP_CIPHER_CTX *enc, *dec;
	unsigned char iv[12];
};

static const EVP_CIPHER *alg_cipher(aead_alg alg)
{
	switch (alg) {
	case AEAD_AES128GCM:
		return EVP_aes_128_gcm();
	case AEAD_AES256GCM:
		return EVP_aes_256_gcm();
	case AEAD_CHACHA20POLY1305:
		return EVP_chacha20_poly1305();
	}
	return NULL;
}

size_t aead_key_len(aead_alg alg)
{
	return alg == AEAD_AES128GCM ? 16 : 32;
}

aead_ctx *aead_new(aead_alg alg, const unsigned char *key, const unsigned char iv[12])
{
	aead_ctx *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	const EVP_CIPHER *c = alg_cipher(alg);
	a->enc = EVP_CIPHER_CTX_new();
	a->dec = EVP_CIPHER_CTX_new();
	memcpy(a->iv, iv, 12);
	if (!c || !a->enc || !a->dec || EVP_EncryptInit_ex(a->enc, c, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_EncryptInit_ex(a->enc, NULL, NULL, key, iv) != 1 ||
	    EVP_DecryptInit_ex(a->dec, c, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_DecryptInit_ex(a->dec, NULL, NULL, key, iv) != 1) {
		aead_free(a);
		return NULL;
	}
	return a;
}

void aead_free(aead_ctx *a)
{
	if (!a)
		return;
	EVP_CIPHER_CTX_free(a->enc);
	EVP_CIPHER_CTX_free(a->dec);
	free(a);
}

static void nonce(const aead_ctx *a, uint64_t seq, unsigned char n[12])
{
	memcpy(n, a->iv, 12);
	for (int i = 0; i < 8; i++)
		n[11 - i] ^= (unsigned char)(seq >> (8 * i));
}

int aead_seal(aead_ctx *a, uint64_t seq, const unsigned char *aad, size_t aadlen,
	      const unsigned char *in, size_t n, unsigned char *out, unsigned char tag[16])
{
	unsigned char iv[12];
	int len;
	nonce(a, seq, iv);
	if (EVP_EncryptInit_ex(a->enc, NULL, NULL, NULL, iv) != 1)
		return -1;
	if (aadlen && EVP_EncryptUpdate(a->enc, NULL, &len, aad, (int)aadlen) != 1)
		return -1;
	if (EVP_EncryptUpdate(a->enc, out, &len, in, (int)n) != 1)
		return -1;
	if (EVP_EncryptFinal_ex(a->enc, out + len, &len) != 1)
		return -1;
	return EVP_CIPHER_CTX_ctrl(a->enc, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1 ? 0 : -1;
}

int aead_open(aead_ctx *a, uint64_t seq, const unsigned char *aad, size_t aadlen,
	      const unsigned char *in, size_t n, const unsigned char tag[16], unsigned char *out)
{
	unsigned char iv[12];
	int len;
	nonce(a, seq, iv);
	if (EVP_DecryptInit_ex(a->dec, NULL, NULL, NULL, iv) != 1)
		return -1;
	if (EVP_CIPHER_CTX_ctrl(a->dec, EVP_CTRL_AEAD_SET_TAG, 16, (void *)tag) != 1)
		return -1;
	if (aadlen && EVP_DecryptUpdate(a->dec, NULL, &len, aad, (int)aadlen) != 1)
		return -1;
	if (EVP_DecryptUpdate(a->dec, out, &len, in, (int)n) != 1)
		return -1;
	return EVP_DecryptFinal_ex(a->dec, out + len, &len) == 1 ? 0 : -1;
}

/* ---- the kernel ---- */

#define REC_MAX 16384

typedef struct {
	aead_ctx *a;
	size_t n;
	uint64_t seq;
	unsigned char aad[13];
	unsigned char *pt, *ct, *out;
	unsigned char tag[16];
	uint64_t ct_seq; /* the sequence number ct was sealed with */
} rec_arg;

static int seal_body(void *p, long iters)
{
	rec_arg *r = p;
	for (long i = 0; i < iters; i++)
		if (aead_seal(r->a, ++r->seq, r->aad, sizeof r->aad, r->pt, r->n, r->ct, r->tag))
			return -1;
	r->ct_seq = r->seq;
	/* check: the last record opens to the plaintext */
	if (aead_open(r->a, r->ct_seq, r->aad, sizeof r->aad, r->ct, r->n, r->tag, r->out) ||
	    memcmp(r->out, r->pt, r->n))
		return -1;
	return 0;
}

static int open_body(void *p, long iters)
{
	rec_arg *r = p;
	for (long i = 0; i < iters; i++)
		if (aead_open(r->a, r->ct_seq, r->aad, sizeof r->aad, r->ct, r->n, r->tag, r->out))
			return -1;
	return memcmp(r->out, r->pt, r->n) ? -1 : 0;
}

int kernel_records(calib_ctx *c)
{
	static const struct {
		aead_alg alg;
		const char *seal, *open;
	} algs[] = {
		{AEAD_AES128GCM, "aead.aes128gcm.seal", "aead.aes128gcm.open"},
		{AEAD_AES256GCM, "aead.aes256gcm.seal", "aead.aes256gcm.open"},
		{AEAD_CHACHA20POLY1305, "aead.chacha20poly1305.seal", "aead.chacha20poly1305.open"},
	};
	static const size_t full[] = {64, 256, 1024, 1420, 4096, 8192, 16384};
	static const size_t quick[] = {64, 1024, 16384};
	const size_t *sizes = c->quick ? quick : full;
	int nsizes = c->quick ? 3 : 7;
	unsigned char key[32], iv[12];
	rec_arg r;
	memset(&r, 0, sizeof r);
	r.pt = malloc(REC_MAX);
	r.ct = malloc(REC_MAX);
	r.out = malloc(REC_MAX);
	int rc = CALIB_OK;
	if (!r.pt || !r.ct || !r.out || RAND_bytes(key, sizeof key) != 1 ||
	    RAND_bytes(iv, sizeof iv) != 1 || RAND_bytes(r.pt, REC_MAX) != 1) {
		rc = calib_fail(c, "setup failed");
		goto out;
	}
	memset(r.aad, 0x17, sizeof r.aad);
	for (size_t ai = 0; ai < sizeof algs / sizeof algs[0] && rc == CALIB_OK; ai++) {
		r.a = aead_new(algs[ai].alg, key, iv);
		if (!r.a) {
			rc = calib_fail(c, "%s: cipher unavailable", algs[ai].seal);
			break;
		}
		for (int s = 0; s < nsizes && rc == CALIB_OK; s++) {
			r.n = sizes[s];
			if (calib_loop(c, algs[ai].seal, r.n, seal_body, &r) ||
			    calib_loop(c, algs[ai].open, r.n, open_body, &r))
				rc = CALIB_FAILED;
		}
		/* a flipped bit must fail to open */
		if (rc == CALIB_OK) {
			r.ct[0] ^= 1;
			if (aead_open(r.a, r.ct_seq, r.aad, sizeof r.aad, r.ct, r.n, r.tag, r.out) == 0)
				rc = calib_fail(c, "%s: tampered record opened", algs[ai].open);
			r.ct[0] ^= 1;
		}
		aead_free(r.a);
		r.a = NULL;
	}
out:
	free(r.pt);
	free(r.ct);
	free(r.out);
	return rc;
}
