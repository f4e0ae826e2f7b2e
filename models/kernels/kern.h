/*
 * models/kernels/kern.h - the kernels' building blocks, shared between the
 * kernels and their unit tests (tests/models/kernels/). Not for models:
 * models use cost.h only.
 */
#ifndef MESHSIM_MODELS_KERNELS_KERN_H
#define MESHSIM_MODELS_KERNELS_KERN_H

#include <stddef.h>
#include <stdint.h>

/* ---- AEAD records (k_records.c) ---- */
typedef enum { AEAD_AES128GCM, AEAD_AES256GCM, AEAD_CHACHA20POLY1305 } aead_alg;

typedef struct aead_ctx aead_ctx;
/* One context per direction, keyed once; the nonce is iv XOR seq per record. */
aead_ctx *aead_new(aead_alg alg, const unsigned char *key, const unsigned char iv[12]);
void aead_free(aead_ctx *a);
/* out gets n bytes of ciphertext; tag 16 bytes. Returns 0 or -1. */
int aead_seal(aead_ctx *a, uint64_t seq, const unsigned char *aad, size_t aadlen,
	      const unsigned char *in, size_t n, unsigned char *out, unsigned char tag[16]);
/* Returns 0 if the tag verifies, -1 otherwise. */
int aead_open(aead_ctx *a, uint64_t seq, const unsigned char *aad, size_t aadlen,
	      const unsigned char *in, size_t n, const unsigned char tag[16], unsigned char *out);
size_t aead_key_len(aead_alg alg);

/* ---- TLS (k_tls.c) ---- */
typedef struct tls_pki tls_pki;
enum tls_keytype { TLS_KEY_ECDSA_P256, TLS_KEY_RSA2048 };
/* A CA and two leaves (SPIFFE URI SANs .../sa/client and .../sa/server). */
tls_pki *tls_pki_new(enum tls_keytype kt);
void tls_pki_free(tls_pki *p);

typedef struct {
	int tls12;             /* 1: TLS 1.2 only, else TLS 1.3 only */
	int mtls;              /* client certificate required and verified */
	const char *groups;    /* "X25519" or "P-256" */
	int resume;            /* resume the session of the first handshake */
	int no_tickets;        /* 1: the server issues no TLS 1.3 session tickets
				  (0: OpenSSL's default, two per handshake) */
} tls_variant;

typedef struct {
	int ok;                /* both ends finished the handshake */
	int client_verified_san; /* the client's SPIFFE check of the server ran and passed */
	int server_verified_san; /* the server's check of the client (mTLS) */
	int resumed;
	double client_ns, server_ns;
	long wire_bytes;
	char cipher[64];
	char error[256];
} tls_result;

typedef struct tls_pair tls_pair;
/* The server's certificate comes from server_pki, the client's from
 * client_pki; the client trusts client_trust's CA, the server (for client
 * certificates) server_trust's CA. */
tls_pair *tls_pair_new(const tls_pki *server_pki, const tls_pki *client_pki,
		       const tls_pki *client_trust, const tls_pki *server_trust,
		       const tls_variant *v);
void tls_pair_free(tls_pair *tp);
/* One full (or resumed) handshake between a fresh client and server. */
int tls_handshake(tls_pair *tp, tls_result *r);

/* ---- HTTP/1.1 (k_http1.c) ---- */
#define H1_MAX_HEADERS 64
typedef struct {
	int method;            /* http-parser's enum http_method */
	int status;
	char url[256];
	int nheaders;
	char name[H1_MAX_HEADERS][64];
	char value[H1_MAX_HEADERS][256];
	size_t body_bytes;
	int complete;
} h1_msg;
/* Parse one request (is_request) or response; returns bytes parsed or -1. */
long h1_parse(const char *buf, size_t len, int is_request, h1_msg *out);
/* Build a request with extra headers so that it is about `target` bytes. */
size_t h1_build_request(char *buf, size_t cap, size_t target);
size_t h1_build_response(char *buf, size_t cap, size_t body);

/* ---- HTTP/2 (k_http2.c) ---- */
typedef struct h2_pair h2_pair;
h2_pair *h2_pair_new(void);
void h2_pair_free(h2_pair *p);
/* HBONE CONNECT stream: open (HEADERS both ways) and close (END_STREAM).
 * Returns 0 if the server saw CONNECT to authority and the client saw 200. */
int h2_connect_stream(h2_pair *p, const char *authority, double *client_ns, double *server_ns);
/* One DATA frame of n bytes on an open stream; 0 if the server got n bytes intact. */
int h2_data_frame(h2_pair *p, size_t n, double *send_ns, double *recv_ns);
/* One gRPC unary call with n-byte messages each way; 0 if both sides got them. */
int h2_grpc_call(h2_pair *p, size_t n, double *client_ns, double *server_ns);
/* What the server last saw (for tests). */
const char *h2_last_method(const h2_pair *p);
const char *h2_last_authority(const h2_pair *p);
const char *h2_last_path(const h2_pair *p);

/* ---- Policy (k_policy.c) ---- */
enum pol_match { PM_EXACT, PM_PREFIX, PM_SUFFIX, PM_REGEX };
typedef struct pol_set pol_set;
typedef struct {
	const char *principal, *ns, *method, *path;
} pol_request;
pol_set *pol_new(void);
void pol_free(pol_set *s);
/* A rule: every non-empty field must match (fields are lists, OR inside).
 * action 1 = ALLOW, 0 = DENY. Returns the rule index or -1. */
int pol_add_rule(pol_set *s, int allow);
/* field: 0 principal, 1 namespace, 2 method, 3 path. -1 on bad regex. */
int pol_add_match(pol_set *s, int rule, int field, enum pol_match m, const char *value);
/* Istio semantics: any matching DENY -> deny; no ALLOW rules -> allow;
 * some ALLOW matches -> allow; else deny. Returns 1 allow, 0 deny. */
int pol_eval(const pol_set *s, const pol_request *r);

typedef struct pol_map pol_map;
pol_map *pol_map_new(size_t entries);
void pol_map_free(pol_map *m);
int pol_map_put(pol_map *m, uint32_t identity, uint16_t dport, uint8_t proto, uint8_t dir,
		uint32_t verdict);
/* 1 and *verdict if present, 0 if not. */
int pol_map_get(const pol_map *m, uint32_t identity, uint16_t dport, uint8_t proto, uint8_t dir,
		uint32_t *verdict);

typedef struct lpm_table lpm_table;
lpm_table *lpm_new(size_t entries);
void lpm_free(lpm_table *t);
int lpm_put(lpm_table *t, uint32_t prefix, int len, uint32_t identity);
/* Longest matching prefix's identity, or 0 if none. */
uint32_t lpm_get(const lpm_table *t, uint32_t addr);

/* ---- WireGuard (k_wireguard.c) ---- */
typedef struct {
	unsigned char send[32], recv[32];
} wg_keys;
/* A full Noise IKpsk2 exchange (initiation, response) between two fresh
 * peers; fills both sides' transport keys. Returns 0 on success. */
int wg_handshake(wg_keys *initiator, wg_keys *responder, double *init_ns, double *resp_ns,
		 int corrupt_mac1);

/* ---- eBPF (k_ebpf.c) ---- */
/* 1 if BPF_PROG_TEST_RUN works here, else 0 with reason. */
int ebpf_available(char *reason, size_t n);

/* Reads or writes exactly n bytes (retrying on EINTR and short counts).
 * Returns 0, or -1 on error or end of file. (kio.c) */
int kern_read_full(int fd, void *buf, size_t n);
int kern_write_full(int fd, const void *buf, size_t n);

#endif
