/*
 * models/kernels/k_tls.c - TLS handshakes and records with OpenSSL libssl.
 *
 * Client and server SSL objects talk through an in-memory BIO pair in one
 * thread; each side's calls are timed separately, so the two figures are
 * CPU per side (SSL_new/SSL_free of each side included: real per-connection
 * work). Certificates are made at calibration time: a CA and two leaves
 * with SPIFFE URI SANs (spiffe://cluster.local/ns/default/sa/{client,server}),
 * ECDSA P-256 or RSA-2048; each side's verify callback checks the peer's
 * SAN, as Envoy's SAN matcher does. The server issues OpenSSL's default two
 * TLS 1.3 session tickets (each encodes the session with the client's
 * certificate: a large share of the server's cost); the "noticket" variant
 * issues none.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

#define SPIFFE_CLIENT "spiffe://cluster.local/ns/default/sa/client"
#define SPIFFE_SERVER "spiffe://cluster.local/ns/default/sa/server"

struct tls_pki {
	EVP_PKEY *ca_key, *cli_key, *srv_key;
	X509 *ca, *cli, *srv;
};

static int add_ext(X509 *x, X509V3_CTX *v, int nid, const char *val)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v, nid, val);
	if (!e)
		return -1;
	int ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
		       const char *san, long serial)
{
	X509 *x = X509_new();
	if (!x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"cluster.local", -1,
				   -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509V3_CTX v;
	X509V3_set_ctx_nodb(&v);
	X509V3_set_ctx(&v, issuer ? issuer : x, x, NULL, NULL, 0);
	int bad = 0;
	if (!issuer) {
		bad |= add_ext(x, &v, NID_basic_constraints, "critical,CA:TRUE");
		bad |= add_ext(x, &v, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		bad |= add_ext(x, &v, NID_basic_constraints, "critical,CA:FALSE");
		bad |= add_ext(x, &v, NID_key_usage, "critical,digitalSignature,keyEncipherment");
		bad |= add_ext(x, &v, NID_ext_key_usage, "serverAuth,clientAuth");
		bad |= add_ext(x, &v, NID_subject_alt_name, san);
	}
	if (bad || !X509_sign(x, ikey ? ikey : key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static EVP_PKEY *keygen(enum tls_keytype kt)
{
	if (kt == TLS_KEY_RSA2048)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

tls_pki *tls_pki_new(enum tls_keytype kt)
{
	tls_pki *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->ca_key = keygen(kt);
	p->cli_key = keygen(kt);
	p->srv_key = keygen(kt);
	if (!p->ca_key || !p->cli_key || !p->srv_key)
		goto fail;
	p->ca = make_cert(p->ca_key, "meshsim calibration CA", NULL, NULL, NULL, 1);
	if (!p->ca)
		goto fail;
	p->cli = make_cert(p->cli_key, "client", p->ca, p->ca_key, "URI:" SPIFFE_CLIENT, 2);
	p->srv = make_cert(p->srv_key, "server", p->ca, p->ca_key, "URI:" SPIFFE_SERVER, 3);
	if (!p->cli || !p->srv)
		goto fail;
	return p;
fail:
	tls_pki_free(p);
	return NULL;
}

void tls_pki_free(tls_pki *p)
{
	if (!p)
		return;
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->cli_key);
	EVP_PKEY_free(p->srv_key);
	X509_free(p->ca);
	X509_free(p->cli);
	X509_free(p->srv);
	free(p);
}

typedef struct {
	const char *expect; /* the peer's SPIFFE ID */
	int verified;
} side_state;

static int verify_cb(int ok, X509_STORE_CTX *x)
{
	if (!ok || X509_STORE_CTX_get_error_depth(x) != 0)
		return ok;
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	side_state *sd = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(x);
	if (!sd || !cert)
		return 0;
	GENERAL_NAMES *g = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int match = 0;
	for (int i = 0; g && i < sk_GENERAL_NAME_num(g); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(g, i);
		if (gn->type != GEN_URI)
			continue;
		const ASN1_STRING *s = gn->d.uniformResourceIdentifier;
		size_t len = (size_t)ASN1_STRING_length(s);
		if (len == strlen(sd->expect) && !memcmp(ASN1_STRING_get0_data(s), sd->expect, len))
			match = 1;
	}
	GENERAL_NAMES_free(g);
	if (!match) {
		X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	sd->verified = 1;
	return 1;
}

struct tls_pair {
	SSL_CTX *sctx, *cctx;
	tls_variant v;
	SSL_SESSION *sess;
	/* a kept connection for the record layer */
	SSL *c, *s;
	side_state cs, ss;
};

static SSL_CTX *ctx_new(int server, const tls_variant *v, X509 *cert, EVP_PKEY *key,
			const tls_pki *trust)
{
	SSL_CTX *x = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!x)
		return NULL;
	int ver = v->tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
	int ok = SSL_CTX_set_min_proto_version(x, ver) && SSL_CTX_set_max_proto_version(x, ver) &&
		 /* TLS 1.2 also needs the certificate's curve among the groups */
		 SSL_CTX_set1_groups_list(x, v->tls12 ? "X25519:P-256"
						      : (v->groups ? v->groups : "X25519")) &&
		 SSL_CTX_set_ciphersuites(x, "TLS_AES_128_GCM_SHA256") &&
		 SSL_CTX_set_cipher_list(x, "ECDHE-ECDSA-AES128-GCM-SHA256:"
					    "ECDHE-RSA-AES128-GCM-SHA256") &&
		 X509_STORE_add_cert(SSL_CTX_get_cert_store(x), trust->ca);
	if (ok && (server || v->mtls))
		ok = SSL_CTX_use_certificate(x, cert) && SSL_CTX_use_PrivateKey(x, key) &&
		     SSL_CTX_check_private_key(x);
	if (ok && server) {
		ok = SSL_CTX_set_session_id_context(x, (const unsigned char *)"meshsim", 7) &&
		     (!v->no_tickets || SSL_CTX_set_num_tickets(x, 0));
		if (v->mtls)
			SSL_CTX_set_verify(x, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
					   verify_cb);
	} else if (ok) {
		SSL_CTX_set_verify(x, SSL_VERIFY_PEER, verify_cb);
	}
	if (!ok) {
		SSL_CTX_free(x);
		return NULL;
	}
	return x;
}

tls_pair *tls_pair_new(const tls_pki *server_pki, const tls_pki *client_pki,
		       const tls_pki *client_trust, const tls_pki *server_trust,
		       const tls_variant *v)
{
	tls_pair *tp = calloc(1, sizeof *tp);
	if (!tp)
		return NULL;
	tp->v = *v;
	tp->sctx = ctx_new(1, v, server_pki->srv, server_pki->srv_key, server_trust);
	tp->cctx = ctx_new(0, v, client_pki->cli, client_pki->cli_key, client_trust);
	if (!tp->sctx || !tp->cctx) {
		tls_pair_free(tp);
		return NULL;
	}
	return tp;
}

static void conn_free(SSL *ssl)
{
	if (!ssl)
		return;
	/* a clean close keeps the session resumable */
	SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(ssl);
}

void tls_pair_free(tls_pair *tp)
{
	if (!tp)
		return;
	conn_free(tp->c);
	conn_free(tp->s);
	SSL_SESSION_free(tp->sess);
	SSL_CTX_free(tp->sctx);
	SSL_CTX_free(tp->cctx);
	free(tp);
}

static int want(SSL *ssl, int rc)
{
	int e = SSL_get_error(ssl, rc);
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

#define BIO_BUF (256 * 1024)

static int handshake(tls_pair *tp, tls_result *r, int keep)
{
	memset(r, 0, sizeof *r);
	side_state cs = {SPIFFE_SERVER, 0}, ss = {SPIFFE_CLIENT, 0};
	BIO *bc = NULL, *bs = NULL;
	unsigned char buf[64];

	double t0 = calib_now_ns();
	SSL *c = SSL_new(tp->cctx);
	if (c && BIO_new_bio_pair(&bc, BIO_BUF, &bs, BIO_BUF)) {
		SSL_set_bio(c, bc, bc);
		SSL_set_connect_state(c);
		SSL_set_app_data(c, &cs);
		if (tp->v.resume && tp->sess)
			SSL_set_session(c, tp->sess);
	}
	double t1 = calib_now_ns();
	SSL *s = SSL_new(tp->sctx);
	if (s && bs) {
		SSL_set_bio(s, bs, bs);
		SSL_set_accept_state(s);
		SSL_set_app_data(s, &ss);
	}
	double t2 = calib_now_ns();
	r->client_ns += t1 - t0;
	r->server_ns += t2 - t1;
	if (!c || !s || !bs) {
		snprintf(r->error, sizeof r->error, "SSL_new or BIO pair failed");
		if (!s && bs)
			BIO_free(bs);
		goto done;
	}
	int dc = 0, ds = 0;
	for (int round = 0; round < 64 && !(dc && ds); round++) {
		if (!dc) {
			t0 = calib_now_ns();
			int rc = SSL_do_handshake(c);
			r->client_ns += calib_now_ns() - t0;
			if (rc == 1)
				dc = 1;
			else if (!want(c, rc))
				break;
		}
		if (!ds) {
			t0 = calib_now_ns();
			int rc = SSL_do_handshake(s);
			r->server_ns += calib_now_ns() - t0;
			if (rc == 1)
				ds = 1;
			else if (!want(s, rc))
				break;
		}
	}
	if (dc && ds) {
		/* the client consumes the server's post-handshake messages (tickets) */
		t0 = calib_now_ns();
		int rc = SSL_read(c, buf, sizeof buf);
		r->client_ns += calib_now_ns() - t0;
		if (rc > 0 || !want(c, rc))
			dc = 0;
	}
	if (!(dc && ds)) {
		unsigned long e = ERR_get_error();
		long vr = SSL_get_verify_result(c);
		snprintf(r->error, sizeof r->error, "handshake failed: %s (client verify: %s)",
			 e ? ERR_reason_error_string(e) : "no error queued",
			 X509_verify_cert_error_string(vr));
		ERR_clear_error();
	}
	r->ok = dc && ds;
	r->client_verified_san = cs.verified;
	r->server_verified_san = ss.verified;
	r->resumed = SSL_session_reused(c);
	const SSL_CIPHER *ci = SSL_get_current_cipher(c);
	snprintf(r->cipher, sizeof r->cipher, "%s", ci ? SSL_CIPHER_get_name(ci) : "none");
	r->wire_bytes = (long)(BIO_number_written(bc) + BIO_number_written(bs));
	if (r->ok && tp->v.resume && !tp->sess)
		tp->sess = SSL_get1_session(c);
	if (r->ok && keep) {
		tp->c = c;
		tp->s = s;
		tp->cs = cs;
		tp->ss = ss;
		SSL_set_app_data(c, &tp->cs);
		SSL_set_app_data(s, &tp->ss);
		return 0;
	}
done:
	t0 = calib_now_ns();
	conn_free(c);
	t1 = calib_now_ns();
	conn_free(s);
	t2 = calib_now_ns();
	r->client_ns += t1 - t0;
	r->server_ns += t2 - t1;
	return r->ok ? 0 : -1;
}

int tls_handshake(tls_pair *tp, tls_result *r)
{
	return handshake(tp, r, 0);
}

/* ---- the kernel ---- */

typedef struct {
	const char *name;
	tls_variant v;
	enum tls_keytype kt;
} variant_def;

static int check_result(calib_ctx *c, const variant_def *d, const tls_result *r, int first)
{
	if (!r->ok)
		return calib_fail(c, "%s: %s", d->name, r->error);
	int resumed_expected = d->v.resume && !first;
	if (r->resumed != resumed_expected)
		return calib_fail(c, "%s: session %sresumed", d->name, r->resumed ? "" : "not ");
	if (!r->resumed && (!r->client_verified_san || (d->v.mtls && !r->server_verified_san)))
		return calib_fail(c, "%s: SPIFFE SAN not verified", d->name);
	return CALIB_OK;
}

static int run_variant(calib_ctx *c, const variant_def *d, tls_pki *pki, char *info, size_t il)
{
	tls_pair *tp = tls_pair_new(pki, pki, pki, pki, &d->v);
	if (!tp)
		return calib_fail(c, "%s: SSL_CTX setup failed", d->name);
	int per_rep = c->quick ? 8 : 60;
	double cv[CALIB_MAX_REPS], sv[CALIB_MAX_REPS];
	tls_result r;
	int rc = CALIB_OK;
	/* the first handshake of a resumption variant makes the session */
	for (int w = 0; w < per_rep / 2 + 1 && rc == CALIB_OK; w++) {
		handshake(tp, &r, 0);
		rc = check_result(c, d, &r, w == 0);
	}
	double u0, s0, u1, s1;
	calib_cpu_ns(&u0, &s0);
	/* Each repetition's total is this thread's CPU time for the batch
	 * (immune to preemption); the per-call wall-clock sums only split it
	 * between the two sides. */
	for (int rep = 0; rep < c->reps && rc == CALIB_OK; rep++) {
		double cs = 0, ss = 0;
		double t0 = calib_cpu_now_ns();
		for (int i = 0; i < per_rep && rc == CALIB_OK; i++) {
			handshake(tp, &r, 0);
			rc = check_result(c, d, &r, 0);
			cs += r.client_ns;
			ss += r.server_ns;
		}
		double total = (calib_cpu_now_ns() - t0) / per_rep;
		double fc = (cs + ss) > 0 ? cs / (cs + ss) : 0.5;
		cv[rep] = total * fc;
		sv[rep] = total * (1.0 - fc);
	}
	calib_cpu_ns(&u1, &s1);
	if (rc == CALIB_OK) {
		double kf = (u1 - u0 + s1 - s0) > 0 ? (s1 - s0) / (u1 - u0 + s1 - s0) : 0.0;
		char key[96];
		snprintf(key, sizeof key, "%s.client", d->name);
		calib_add(c, key, 0, cv, c->reps, kf, per_rep);
		snprintf(key, sizeof key, "%s.server", d->name);
		calib_add(c, key, 0, sv, c->reps, kf, per_rep);
		size_t l = strlen(info);
		snprintf(info + l, il - l, "%s%s %ld B %s", l ? "; " : "", d->name, r.wire_bytes,
			 r.cipher);
	}
	tls_pair_free(tp);
	return rc;
}

/* Records: SSL_write on the client, SSL_read on the server, in batches
 * (so the clock is read once per batch, not per record). */
static int run_records(calib_ctx *c, tls_pki *pki)
{
	tls_variant v = {0, 1, "X25519", 0, 0};
	tls_pair *tp = tls_pair_new(pki, pki, pki, pki, &v);
	tls_result r;
	if (!tp || handshake(tp, &r, 1) != 0) {
		tls_pair_free(tp);
		return calib_fail(c, "record connection: handshake failed");
	}
	static const size_t full[] = {64, 256, 1024, 4096, 16384};
	static const size_t quick[] = {64, 1024, 16384};
	const size_t *sizes = c->quick ? quick : full;
	int nsizes = c->quick ? 3 : 5;
	unsigned char *in = malloc(16384), *out = malloc(16384);
	int rc = CALIB_OK;
	if (!in || !out || RAND_bytes(in, 16384) != 1)
		rc = calib_fail(c, "records: setup failed");
	for (int si = 0; si < nsizes && rc == CALIB_OK; si++) {
		int n = (int)sizes[si];
		int batch = (int)(BIO_BUF / 2 / (size_t)(n + 64));
		if (batch > 64)
			batch = 64;
		double wv[CALIB_MAX_REPS], rv[CALIB_MAX_REPS];
		long nb = 1;
		double u0 = 0, s0 = 0, u1, s1;
		for (int rep = -1; rep < c->reps && rc == CALIB_OK; rep++) {
			if (rep == 0)
				calib_cpu_ns(&u0, &s0);
			double wt = 0, rt = 0;
			for (long b = 0; b < nb && rc == CALIB_OK; b++) {
				double t0 = calib_cpu_now_ns();
				for (int i = 0; i < batch; i++)
					if (SSL_write(tp->c, in, n) != n)
						rc = calib_fail(c, "SSL_write failed");
				double t1 = calib_cpu_now_ns();
				for (int i = 0; i < batch && rc == CALIB_OK; i++)
					if (SSL_read(tp->s, out, n) != n)
						rc = calib_fail(c, "SSL_read short");
				rt += calib_cpu_now_ns() - t1;
				wt += t1 - t0;
			}
			if (rc == CALIB_OK && memcmp(in, out, (size_t)n))
				rc = calib_fail(c, "record payload corrupted");
			if (rep < 0) { /* warm-up sizes the repetition */
				double per = (wt + rt) / nb;
				nb = per > 0 ? (long)(c->rep_ns / per) + 1 : 1;
			} else {
				wv[rep] = wt / ((double)nb * batch);
				rv[rep] = rt / ((double)nb * batch);
			}
		}
		if (rc != CALIB_OK)
			break;
		calib_cpu_ns(&u1, &s1);
		double kf = (u1 - u0 + s1 - s0) > 0 ? (s1 - s0) / (u1 - u0 + s1 - s0) : 0.0;
		calib_add(c, "tls13.record.write", (uint64_t)n, wv, c->reps, kf, nb * batch);
		calib_add(c, "tls13.record.read", (uint64_t)n, rv, c->reps, kf, nb * batch);
	}
	free(in);
	free(out);
	tls_pair_free(tp);
	return rc;
}

int kernel_tls(calib_ctx *c)
{
	static const variant_def defs[] = {
		{"tls13.mtls.x25519.ecdsa", {0, 1, "X25519", 0, 0}, TLS_KEY_ECDSA_P256},
		{"tls13.mtls.noticket.x25519.ecdsa", {0, 1, "X25519", 0, 1}, TLS_KEY_ECDSA_P256},
		{"tls13.mtls.p256.ecdsa", {0, 1, "P-256", 0, 0}, TLS_KEY_ECDSA_P256},
		{"tls13.mtls.x25519.rsa", {0, 1, "X25519", 0, 0}, TLS_KEY_RSA2048},
		{"tls13.server_auth.x25519.ecdsa", {0, 0, "X25519", 0, 0}, TLS_KEY_ECDSA_P256},
		{"tls13.resume.mtls", {0, 1, "X25519", 1, 0}, TLS_KEY_ECDSA_P256},
		{"tls12.mtls.ecdsa", {1, 1, "X25519", 0, 0}, TLS_KEY_ECDSA_P256},
		{"tls12.resume.mtls", {1, 1, "X25519", 1, 0}, TLS_KEY_ECDSA_P256},
	};
	tls_pki *ec = tls_pki_new(TLS_KEY_ECDSA_P256);
	tls_pki *rsa = tls_pki_new(TLS_KEY_RSA2048);
	tls_pki *other = tls_pki_new(TLS_KEY_ECDSA_P256);
	char info[sizeof c->note] = "";
	int rc = CALIB_OK;
	if (!ec || !rsa || !other) {
		rc = calib_fail(c, "certificate generation failed");
		goto out;
	}
	/* a client that trusts another CA must reject the server */
	{
		tls_variant v = {0, 1, "X25519", 0, 0};
		tls_pair *bad = tls_pair_new(ec, ec, other, ec, &v);
		tls_result r;
		if (!bad || tls_handshake(bad, &r) == 0)
			rc = calib_fail(c, "handshake with a wrong CA was accepted");
		tls_pair_free(bad);
		/* and a server that trusts another CA must reject the client */
		bad = tls_pair_new(ec, ec, ec, other, &v);
		if (!bad || tls_handshake(bad, &r) == 0)
			rc = calib_fail(c, "client certificate from a wrong CA was accepted");
		tls_pair_free(bad);
		ERR_clear_error();
	}
	for (size_t i = 0; i < sizeof defs / sizeof defs[0] && rc == CALIB_OK; i++)
		rc = run_variant(c, &defs[i], defs[i].kt == TLS_KEY_RSA2048 ? rsa : ec, info,
				 sizeof info);
	if (rc == CALIB_OK)
		rc = run_records(c, ec);
	if (rc == CALIB_OK)
		snprintf(c->note, sizeof c->note, "%s", info);
out:
	tls_pki_free(ec);
	tls_pki_free(rsa);
	tls_pki_free(other);
	return rc;
}
