/*
 * models/kernels/k_wireguard.c - WireGuard's cryptography with OpenSSL:
 *
 * - the Noise IKpsk2 handshake (initiation and response messages as in the
 *   WireGuard paper, section 5.4): X25519 (EVP_PKEY_derive), BLAKE2s-256
 *   hashes, HMAC-BLAKE2s KDF, keyed BLAKE2s-128 mac1 (EVP_MAC "BLAKE2SMAC"),
 *   ChaCha20-Poly1305 for the encrypted fields. Both sides must derive the
 *   same transport keys.
 * - the per-packet transport: a 16-byte header and ChaCha20-Poly1305 over the
 *   payload padded to 16 bytes, one cipher context per direction.
 * This is the crypto of the kernel's WireGuard; the kernel's UDP/IP
 * encapsulation and queueing are not in it.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

static const char CONSTRUCTION[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char IDENTIFIER[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
static const char LABEL_MAC1[] = "mac1----";

typedef struct {
	EVP_MD *blake2s;
	EVP_MAC_CTX *hmac_tmpl, *mac1_tmpl;
	EVP_PKEY *si, *sr; /* static keys of the initiator and the responder */
	uint8_t spub_i[32], spub_r[32];
	uint8_t mac1key_r[32], mac1key_i[32]; /* HASH(LABEL_MAC1 || peer's static) */
	uint8_t c0[32], h0[32];               /* HASH(CONSTRUCTION), HASH(C0 || IDENTIFIER) */
	int ready;
} wg_global;

static wg_global G;

static int hash2(uint8_t out[32], const void *a, size_t al, const void *b, size_t bl)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned int n = 32;
	int ok = m && EVP_DigestInit_ex(m, G.blake2s, NULL) && EVP_DigestUpdate(m, a, al) &&
		 (!bl || EVP_DigestUpdate(m, b, bl)) && EVP_DigestFinal_ex(m, out, &n);
	EVP_MD_CTX_free(m);
	return ok ? 0 : -1;
}

static int mac_with(EVP_MAC_CTX *tmpl, uint8_t *out, size_t outlen, const uint8_t *key,
		    size_t keylen, const void *a, size_t al, const void *b, size_t bl)
{
	EVP_MAC_CTX *m = EVP_MAC_CTX_dup(tmpl);
	size_t n = 0;
	int ok = m && EVP_MAC_init(m, key, keylen, NULL) && EVP_MAC_update(m, a, al) &&
		 (!bl || EVP_MAC_update(m, b, bl)) && EVP_MAC_final(m, out, &n, outlen);
	EVP_MAC_CTX_free(m);
	return ok && n == outlen ? 0 : -1;
}

static int hmac(uint8_t out[32], const uint8_t key[32], const void *a, size_t al, const void *b,
		size_t bl)
{
	return mac_with(G.hmac_tmpl, out, 32, key, 32, a, al, b, bl);
}

/* KDF_n(C, input): up to three 32-byte outputs (NULL to skip). */
static int kdf(uint8_t *o1, uint8_t *o2, uint8_t *o3, const uint8_t c[32], const void *in,
	       size_t inl)
{
	uint8_t t0[32], t1[32], t2[32], one = 1, two = 2, three = 3;
	if (hmac(t0, c, in, inl, NULL, 0) || hmac(t1, t0, &one, 1, NULL, 0))
		return -1;
	if (o2 && hmac(t2, t0, t1, 32, &two, 1))
		return -1;
	if (o3 && hmac(o3, t0, t2, 32, &three, 1))
		return -1;
	memcpy(o1, t1, 32);
	if (o2)
		memcpy(o2, t2, 32);
	return 0;
}

static int mix_hash(uint8_t h[32], const void *d, size_t n)
{
	return hash2(h, h, 32, d, n);
}

static int dh(uint8_t out[32], EVP_PKEY *priv, const uint8_t pub[32])
{
	EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, 32);
	EVP_PKEY_CTX *x = EVP_PKEY_CTX_new(priv, NULL);
	size_t n = 32;
	int ok = peer && x && EVP_PKEY_derive_init(x) > 0 && EVP_PKEY_derive_set_peer(x, peer) > 0 &&
		 EVP_PKEY_derive(x, out, &n) > 0 && n == 32;
	EVP_PKEY_CTX_free(x);
	EVP_PKEY_free(peer);
	return ok ? 0 : -1;
}

static EVP_PKEY *x25519_new(uint8_t pub[32])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	size_t n = 32;
	if (!k || !EVP_PKEY_get_raw_public_key(k, pub, &n) || n != 32) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

/* AEAD(key, counter 0, plaintext, aad) with a one-time key, as Noise does. */
static int aead1(int enc, const uint8_t key[32], const uint8_t *in, size_t n, const uint8_t aad[32],
		 uint8_t *out, uint8_t tag[16])
{
	static const uint8_t zero[12];
	uint8_t dummy[16];
	if (!out)
		out = dummy;
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int len, ok = x != NULL;
	if (ok && enc)
		ok = EVP_EncryptInit_ex(x, EVP_chacha20_poly1305(), NULL, key, zero) &&
		     EVP_EncryptUpdate(x, NULL, &len, aad, 32) &&
		     (!n || EVP_EncryptUpdate(x, out, &len, in, (int)n)) &&
		     EVP_EncryptFinal_ex(x, out + (n ? len : 0), &len) &&
		     EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag);
	else if (ok)
		ok = EVP_DecryptInit_ex(x, EVP_chacha20_poly1305(), NULL, key, zero) &&
		     EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16, tag) &&
		     EVP_DecryptUpdate(x, NULL, &len, aad, 32) &&
		     (!n || EVP_DecryptUpdate(x, out, &len, in, (int)n)) &&
		     EVP_DecryptFinal_ex(x, out + (n ? len : 0), &len) > 0;
	EVP_CIPHER_CTX_free(x);
	return ok ? 0 : -1;
}

static int wg_init(void)
{
	if (G.ready)
		return 0;
	G.blake2s = EVP_MD_fetch(NULL, "BLAKE2S-256", NULL);
	EVP_MAC *hm = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC *bm = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
	if (!G.blake2s || !hm || !bm)
		goto fail;
	G.hmac_tmpl = EVP_MAC_CTX_new(hm);
	G.mac1_tmpl = EVP_MAC_CTX_new(bm);
	char dg[] = "BLAKE2S-256";
	size_t sz = 16;
	OSSL_PARAM hp[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dg, 0),
			   OSSL_PARAM_construct_end()};
	OSSL_PARAM bp[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &sz),
			   OSSL_PARAM_construct_end()};
	if (!G.hmac_tmpl || !G.mac1_tmpl || !EVP_MAC_CTX_set_params(G.hmac_tmpl, hp) ||
	    !EVP_MAC_CTX_set_params(G.mac1_tmpl, bp))
		goto fail;
	EVP_MAC_free(hm);
	EVP_MAC_free(bm);
	hm = bm = NULL;
	G.si = x25519_new(G.spub_i);
	G.sr = x25519_new(G.spub_r);
	if (!G.si || !G.sr || hash2(G.c0, CONSTRUCTION, strlen(CONSTRUCTION), NULL, 0) ||
	    hash2(G.h0, G.c0, 32, IDENTIFIER, strlen(IDENTIFIER)) ||
	    hash2(G.mac1key_r, LABEL_MAC1, 8, G.spub_r, 32) ||
	    hash2(G.mac1key_i, LABEL_MAC1, 8, G.spub_i, 32))
		goto fail;
	G.ready = 1;
	return 0;
fail:
	EVP_MAC_free(hm);
	EVP_MAC_free(bm);
	return -1;
}

/* message layouts */
enum { INIT_LEN = 148, INIT_MAC1 = 116, RESP_LEN = 92, RESP_MAC1 = 60 };

typedef struct {
	uint8_t c[32], h[32];
	EVP_PKEY *e;
	uint8_t epub[32];
} hs_state;

static int initiator_create(hs_state *s, uint8_t msg[INIT_LEN])
{
	uint8_t k[32], d[32], ts[12];
	memset(msg, 0, INIT_LEN);
	msg[0] = 1;
	memcpy(msg + 4, "\x01\x02\x03\x04", 4); /* sender index */
	memcpy(s->c, G.c0, 32);
	memcpy(s->h, G.h0, 32);
	if (mix_hash(s->h, G.spub_r, 32) || !(s->e = x25519_new(s->epub)))
		return -1;
	memcpy(msg + 8, s->epub, 32);
	if (kdf(s->c, NULL, NULL, s->c, s->epub, 32) || mix_hash(s->h, s->epub, 32) ||
	    dh(d, s->e, G.spub_r) || kdf(s->c, k, NULL, s->c, d, 32) ||
	    aead1(1, k, G.spub_i, 32, s->h, msg + 40, msg + 72) || mix_hash(s->h, msg + 40, 48) ||
	    dh(d, G.si, G.spub_r) || kdf(s->c, k, NULL, s->c, d, 32))
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t sec = 0x400000000000000aULL + (uint64_t)now.tv_sec;
	for (int i = 0; i < 8; i++)
		ts[i] = (uint8_t)(sec >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		ts[8 + i] = (uint8_t)((uint32_t)now.tv_nsec >> (24 - 8 * i));
	if (aead1(1, k, ts, 12, s->h, msg + 88, msg + 100) || mix_hash(s->h, msg + 88, 28))
		return -1;
	return mac_with(G.mac1_tmpl, msg + INIT_MAC1, 16, G.mac1key_r, 32, msg, INIT_MAC1, NULL, 0);
}

static int responder_consume(hs_state *s, const uint8_t msg[INIT_LEN], uint8_t epub_i[32])
{
	uint8_t mac[16], k[32], d[32], spub[32], ts[12];
	if (msg[0] != 1 ||
	    mac_with(G.mac1_tmpl, mac, 16, G.mac1key_r, 32, msg, INIT_MAC1, NULL, 0) ||
	    memcmp(mac, msg + INIT_MAC1, 16))
		return -1;
	memcpy(s->c, G.c0, 32);
	memcpy(s->h, G.h0, 32);
	memcpy(epub_i, msg + 8, 32);
	if (mix_hash(s->h, G.spub_r, 32) || kdf(s->c, NULL, NULL, s->c, epub_i, 32) ||
	    mix_hash(s->h, epub_i, 32) || dh(d, G.sr, epub_i) || kdf(s->c, k, NULL, s->c, d, 32) ||
	    aead1(0, k, msg + 40, 32, s->h, spub, (uint8_t *)msg + 72) ||
	    memcmp(spub, G.spub_i, 32) || mix_hash(s->h, msg + 40, 48) ||
	    dh(d, G.sr, spub) || kdf(s->c, k, NULL, s->c, d, 32) ||
	    aead1(0, k, msg + 88, 12, s->h, ts, (uint8_t *)msg + 100) ||
	    mix_hash(s->h, msg + 88, 28))
		return -1;
	return 0;
}

static int responder_create(hs_state *s, const uint8_t epub_i[32], uint8_t msg[RESP_LEN],
			    wg_keys *keys)
{
	static const uint8_t psk[32];
	uint8_t d[32], t[32], k[32];
	memset(msg, 0, RESP_LEN);
	msg[0] = 2;
	memcpy(msg + 4, "\x05\x06\x07\x08", 4);
	memcpy(msg + 8, "\x01\x02\x03\x04", 4);
	if (!(s->e = x25519_new(s->epub)))
		return -1;
	memcpy(msg + 12, s->epub, 32);
	if (kdf(s->c, NULL, NULL, s->c, s->epub, 32) || mix_hash(s->h, s->epub, 32) ||
	    dh(d, s->e, epub_i) || kdf(s->c, NULL, NULL, s->c, d, 32) ||
	    dh(d, s->e, G.spub_i) || kdf(s->c, NULL, NULL, s->c, d, 32) ||
	    kdf(s->c, t, k, s->c, psk, 32) || mix_hash(s->h, t, 32) ||
	    aead1(1, k, NULL, 0, s->h, NULL, msg + 44) || mix_hash(s->h, msg + 44, 16) ||
	    mac_with(G.mac1_tmpl, msg + RESP_MAC1, 16, G.mac1key_i, 32, msg, RESP_MAC1, NULL, 0))
		return -1;
	return kdf(keys->recv, keys->send, NULL, s->c, NULL, 0);
}

static int initiator_consume(hs_state *s, const uint8_t msg[RESP_LEN], wg_keys *keys)
{
	static const uint8_t psk[32];
	uint8_t mac[16], d[32], t[32], k[32];
	const uint8_t *epub_r = msg + 12;
	if (msg[0] != 2 ||
	    mac_with(G.mac1_tmpl, mac, 16, G.mac1key_i, 32, msg, RESP_MAC1, NULL, 0) ||
	    memcmp(mac, msg + RESP_MAC1, 16))
		return -1;
	if (kdf(s->c, NULL, NULL, s->c, epub_r, 32) || mix_hash(s->h, epub_r, 32) ||
	    dh(d, s->e, epub_r) || kdf(s->c, NULL, NULL, s->c, d, 32) || dh(d, G.si, epub_r) ||
	    kdf(s->c, NULL, NULL, s->c, d, 32) || kdf(s->c, t, k, s->c, psk, 32) ||
	    mix_hash(s->h, t, 32) || aead1(0, k, NULL, 0, s->h, NULL, (uint8_t *)msg + 44) ||
	    mix_hash(s->h, msg + 44, 16))
		return -1;
	return kdf(keys->send, keys->recv, NULL, s->c, NULL, 0);
}

int wg_handshake(wg_keys *initiator, wg_keys *responder, double *init_ns, double *resp_ns,
		 int corrupt_mac1)
{
	if (wg_init())
		return -1;
	hs_state si = {0}, sr = {0};
	uint8_t m1[INIT_LEN], m2[RESP_LEN], epub_i[32];
	double t0 = calib_now_ns();
	int rc = initiator_create(&si, m1);
	double t1 = calib_now_ns();
	if (corrupt_mac1)
		m1[INIT_MAC1] ^= 1;
	if (!rc)
		rc = responder_consume(&sr, m1, epub_i);
	if (!rc)
		rc = responder_create(&sr, epub_i, m2, responder);
	double t2 = calib_now_ns();
	if (!rc)
		rc = initiator_consume(&si, m2, initiator);
	double t3 = calib_now_ns();
	*init_ns = (t1 - t0) + (t3 - t2);
	*resp_ns = t2 - t1;
	EVP_PKEY_free(si.e);
	EVP_PKEY_free(sr.e);
	if (rc)
		return -1;
	return (!memcmp(initiator->send, responder->recv, 32) &&
		!memcmp(initiator->recv, responder->send, 32) &&
		memcmp(initiator->send, initiator->recv, 32))
		       ? 0
		       : -1;
}

/* ---- packets ---- */

#define WG_MTU_PAYLOAD 1420

typedef struct {
	aead_ctx *tx, *rx;
	size_t n;
	uint64_t ctr;
	uint8_t pt[WG_MTU_PAYLOAD + 16], pkt[16 + WG_MTU_PAYLOAD + 32], out[WG_MTU_PAYLOAD + 16];
	uint64_t sealed_ctr;
	size_t padded;
} pkt_arg;

static void seal_one(pkt_arg *a)
{
	/* header: type 4, reserved, receiver index, little-endian counter */
	a->pkt[0] = 4;
	memcpy(a->pkt + 4, "\x05\x06\x07\x08", 4);
	uint64_t c = a->ctr++;
	for (int i = 0; i < 8; i++)
		a->pkt[8 + i] = (uint8_t)(c >> (8 * i));
	a->sealed_ctr = c;
}

static int enc_body(void *p, long iters)
{
	pkt_arg *a = p;
	for (long i = 0; i < iters; i++) {
		seal_one(a);
		if (aead_seal(a->tx, a->sealed_ctr, NULL, 0, a->pt, a->padded, a->pkt + 16,
			      a->pkt + 16 + a->padded))
			return -1;
	}
	return aead_open(a->rx, a->sealed_ctr, NULL, 0, a->pkt + 16, a->padded,
			 a->pkt + 16 + a->padded, a->out) ||
			       memcmp(a->out, a->pt, a->n)
		       ? -1
		       : 0;
}

static int dec_body(void *p, long iters)
{
	pkt_arg *a = p;
	for (long i = 0; i < iters; i++) {
		uint64_t c = 0;
		for (int k = 0; k < 8; k++)
			c |= (uint64_t)a->pkt[8 + k] << (8 * k);
		if (aead_open(a->rx, c, NULL, 0, a->pkt + 16, a->padded, a->pkt + 16 + a->padded,
			      a->out))
			return -1;
	}
	return memcmp(a->out, a->pt, a->n) ? -1 : 0;
}

int kernel_wireguard(calib_ctx *c)
{
	if (wg_init())
		return calib_fail(c, "OpenSSL lacks X25519, BLAKE2S-256 or BLAKE2SMAC");
	/* the handshake */
	wg_keys ki, kr;
	double a, b;
	if (wg_handshake(&ki, &kr, &a, &b, 1) == 0)
		return calib_fail(c, "handshake with a corrupted mac1 was accepted");
	int per = c->quick ? 10 : 50;
	double vi[CALIB_MAX_REPS], vr[CALIB_MAX_REPS];
	for (int w = 0; w < per / 2 + 1; w++)
		if (wg_handshake(&ki, &kr, &a, &b, 0))
			return calib_fail(c, "handshake failed: transport keys differ");
	double u0, s0, u1, s1;
	calib_cpu_ns(&u0, &s0);
	for (int r = 0; r < c->reps; r++) { /* CPU-clock total, split by the per-side ratio */
		double si = 0, sr = 0;
		double t0 = calib_cpu_now_ns();
		for (int i = 0; i < per; i++) {
			if (wg_handshake(&ki, &kr, &a, &b, 0))
				return calib_fail(c, "handshake failed: transport keys differ");
			si += a;
			sr += b;
		}
		double total = (calib_cpu_now_ns() - t0) / per;
		double fi = (si + sr) > 0 ? si / (si + sr) : 0.5;
		vi[r] = total * fi;
		vr[r] = total * (1.0 - fi);
	}
	calib_cpu_ns(&u1, &s1);
	double kf = (u1 - u0 + s1 - s0) > 0 ? (s1 - s0) / (u1 - u0 + s1 - s0) : 0.0;
	calib_add(c, "wg.handshake.initiator", 0, vi, c->reps, kf, per);
	calib_add(c, "wg.handshake.responder", 0, vr, c->reps, kf, per);

	/* transport packets, keyed by the handshake */
	static const uint8_t zero_iv[12];
	pkt_arg *pa = calloc(1, sizeof *pa);
	if (!pa)
		return calib_fail(c, "out of memory");
	pa->tx = aead_new(AEAD_CHACHA20POLY1305, ki.send, zero_iv);
	pa->rx = aead_new(AEAD_CHACHA20POLY1305, kr.recv, zero_iv);
	int rc = (pa->tx && pa->rx && RAND_bytes(pa->pt, sizeof pa->pt) == 1)
			 ? CALIB_OK
			 : calib_fail(c, "cipher setup failed");
	static const size_t full[] = {64, 128, 256, 512, 1024, 1420};
	static const size_t quick[] = {64, 512, 1420};
	const size_t *sizes = c->quick ? quick : full;
	int ns = c->quick ? 3 : 6;
	for (int i = 0; i < ns && rc == CALIB_OK; i++) {
		pa->n = sizes[i];
		pa->padded = (pa->n + 15) & ~(size_t)15;
		memset(pa->pt + pa->n, 0, pa->padded - pa->n);
		if (calib_loop(c, "wg.packet.encrypt", pa->n, enc_body, pa) ||
		    calib_loop(c, "wg.packet.decrypt", pa->n, dec_body, pa))
			rc = CALIB_FAILED;
	}
	if (rc == CALIB_OK) {
		pa->pkt[20] ^= 1;
		if (dec_body(pa, 1) == 0)
			rc = calib_fail(c, "a tampered packet decrypted");
	}
	aead_free(pa->tx);
	aead_free(pa->rx);
	free(pa);
	return rc;
}
