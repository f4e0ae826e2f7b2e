/*
 * models/kernels/cost.h - the calibrated cost API the models use.
 *
 * A calibration profile (JSON, written by `meshsim calibrate`, reference in
 * configs/calibration/reference.json) gives, for every operation below, a
 * cost model measured on the calibration host:
 *
 *   COST_CONST   cost = fixed                       (size ignored)
 *   COST_LINEAR  cost = fixed + per_unit * size     (GSL least-squares fit)
 *   COST_INTERP  piecewise-linear between the measured points, for costs
 *                that follow the caches (memcpy, RBAC over many rules, table
 *                lookups): linear in size for bytes and rules (above the
 *                last point: the linear fit's slope, or proportional
 *                without one), linear in log2(size) for table
 *                entries (clamped at both ends). The profile still records
 *                the linear fit of these operations.
 * The model in cost.h is the default; the profile's own "model" field wins
 * (a linear operation whose fit misses a measured median by more than 10 %
 * is written as interp by the calibration, with its reason).
 *
 * and the fraction of it spent in the kernel (getrusage over the
 * measurement, or 1 for work that runs in the kernel by construction).
 *
 * A model builds one cost_table per node type (profile + CPU speed factor)
 * once, then calls cost_of() on the hot path: O(1), no allocation, no I/O.
 */
#ifndef MESHSIM_MODELS_KERNELS_COST_H
#define MESHSIM_MODELS_KERNELS_COST_H

#include <stddef.h>
#include <stdint.h>

enum cost_model { COST_CONST = 0, COST_LINEAR = 1, COST_INTERP = 2 };

/*
 * X(ENUM, "profile key", model, "unit of size")
 * The key is the operation's name in the profile and in the kernels'
 * measurements; the unit says what `size` counts.
 */
#define COST_OPS(X)                                                                   \
	/* TLS handshakes (OpenSSL libssl, in memory, CPU per side) */                    \
	X(TLS13_MTLS_CLIENT, "tls13.mtls.x25519.ecdsa.client", COST_CONST, "-")           \
	X(TLS13_MTLS_SERVER, "tls13.mtls.x25519.ecdsa.server", COST_CONST, "-")           \
	X(TLS13_MTLS_NOTICKET_CLIENT, "tls13.mtls.noticket.x25519.ecdsa.client", COST_CONST, "-") \
	X(TLS13_MTLS_NOTICKET_SERVER, "tls13.mtls.noticket.x25519.ecdsa.server", COST_CONST, "-") \
	X(TLS13_MTLS_P256_CLIENT, "tls13.mtls.p256.ecdsa.client", COST_CONST, "-")        \
	X(TLS13_MTLS_P256_SERVER, "tls13.mtls.p256.ecdsa.server", COST_CONST, "-")        \
	X(TLS13_MTLS_RSA_CLIENT, "tls13.mtls.x25519.rsa.client", COST_CONST, "-")         \
	X(TLS13_MTLS_RSA_SERVER, "tls13.mtls.x25519.rsa.server", COST_CONST, "-")         \
	X(TLS13_SAUTH_CLIENT, "tls13.server_auth.x25519.ecdsa.client", COST_CONST, "-")   \
	X(TLS13_SAUTH_SERVER, "tls13.server_auth.x25519.ecdsa.server", COST_CONST, "-")   \
	X(TLS13_RESUME_CLIENT, "tls13.resume.mtls.client", COST_CONST, "-")               \
	X(TLS13_RESUME_SERVER, "tls13.resume.mtls.server", COST_CONST, "-")               \
	X(TLS12_MTLS_CLIENT, "tls12.mtls.ecdsa.client", COST_CONST, "-")                  \
	X(TLS12_MTLS_SERVER, "tls12.mtls.ecdsa.server", COST_CONST, "-")                  \
	X(TLS12_RESUME_CLIENT, "tls12.resume.mtls.client", COST_CONST, "-")               \
	X(TLS12_RESUME_SERVER, "tls12.resume.mtls.server", COST_CONST, "-")               \
	/* TLS 1.3 record layer (SSL_write / SSL_read, AES-128-GCM) */                   \
	X(TLS_RECORD_WRITE, "tls13.record.write", COST_LINEAR, "byte")                    \
	X(TLS_RECORD_READ, "tls13.record.read", COST_LINEAR, "byte")                      \
	/* AEAD records (EVP, context reused per direction) */                          \
	X(AES128GCM_SEAL, "aead.aes128gcm.seal", COST_LINEAR, "byte")                     \
	X(AES128GCM_OPEN, "aead.aes128gcm.open", COST_LINEAR, "byte")                     \
	X(AES256GCM_SEAL, "aead.aes256gcm.seal", COST_LINEAR, "byte")                     \
	X(AES256GCM_OPEN, "aead.aes256gcm.open", COST_LINEAR, "byte")                     \
	X(CHACHA_SEAL, "aead.chacha20poly1305.seal", COST_LINEAR, "byte")                 \
	X(CHACHA_OPEN, "aead.chacha20poly1305.open", COST_LINEAR, "byte")                 \
	/* WireGuard */                                                                    \
	X(WG_ENCRYPT, "wg.packet.encrypt", COST_LINEAR, "byte")                           \
	X(WG_DECRYPT, "wg.packet.decrypt", COST_LINEAR, "byte")                           \
	X(WG_HANDSHAKE_INITIATOR, "wg.handshake.initiator", COST_CONST, "-")              \
	X(WG_HANDSHAKE_RESPONDER, "wg.handshake.responder", COST_CONST, "-")              \
	/* HTTP */                                                                         \
	X(HTTP1_PARSE_REQUEST, "http1.parse.request", COST_LINEAR, "byte")                \
	X(HTTP1_PARSE_RESPONSE, "http1.parse.response", COST_LINEAR, "byte")              \
	X(H2_CONNECT_CLIENT, "h2.connect.client", COST_CONST, "-")                        \
	X(H2_CONNECT_SERVER, "h2.connect.server", COST_CONST, "-")                        \
	X(H2_DATA_SEND, "h2.data.send", COST_LINEAR, "byte")                              \
	X(H2_DATA_RECV, "h2.data.recv", COST_LINEAR, "byte")                              \
	X(H2_GRPC_CLIENT, "h2.grpc.client", COST_LINEAR, "byte")                          \
	X(H2_GRPC_SERVER, "h2.grpc.server", COST_LINEAR, "byte")                          \
	/* Policy */                                                                       \
	X(POLICY_RBAC_ALLOW, "policy.rbac.allow_last", COST_INTERP, "rule")               \
	X(POLICY_RBAC_DENY, "policy.rbac.deny", COST_INTERP, "rule")                      \
	X(POLICY_MAP_LOOKUP, "policy.map.hash", COST_INTERP, "entry")                     \
	X(POLICY_IPCACHE_LPM, "policy.ipcache.lpm", COST_INTERP, "entry")                 \
	X(EBPF_NEW_FLOW, "ebpf.policy.new_flow", COST_CONST, "-")                         \
	X(EBPF_ESTABLISHED, "ebpf.policy.established", COST_CONST, "-")                   \
	/* Kernel crossings */                                                             \
	X(SYSCALL, "sys.syscall", COST_CONST, "-")                                        \
	X(SOCKETPAIR_WRITE_READ, "sys.socketpair.write_read", COST_LINEAR, "byte")        \
	X(TCP_LOOPBACK_WRITE_READ, "sys.tcp_loopback.write_read", COST_LINEAR, "byte")    \
	X(EPOLL_WAIT, "sys.epoll_wait", COST_CONST, "-")                                  \
	X(CONTEXT_SWITCH, "sys.context_switch", COST_CONST, "-")                          \
	X(MEMCPY, "sys.memcpy", COST_INTERP, "byte")                                      \
	X(IPTABLES_REDIRECT_CONN, "net.iptables_redirect.connection", COST_CONST, "-")    \
	X(IPTABLES_REDIRECT_RTT, "net.iptables_redirect.rtt", COST_CONST, "-")            \
	X(PROXY_HOP, "proxy.epoll_hop", COST_CONST, "-")

typedef enum {
#define COST_ENUM_(e, key, model, unit) COST_##e,
	COST_OPS(COST_ENUM_)
#undef COST_ENUM_
	COST_OP_COUNT
} cost_op;

#define COST_MAX_POINTS 12

/* One operation's calibrated cost on the calibration host. */
typedef struct {
	int available;          /* 0: not measured in this profile (costs 0) */
	enum cost_model model;
	double fixed_ns;        /* CONST and LINEAR */
	double per_unit_ns;     /* LINEAR */
	double kernel_frac;     /* 0..1: share of the cost that is kernel time */
	int npoints;            /* INTERP: measured (size, ns) points, sizes ascending */
	/* INTERP, bytes and rules: ns per unit above the last point (the
	 * linear fit's slope, the marginal cost); 0 = proportional to size. */
	double tail_per_unit_ns;
	double px[COST_MAX_POINTS];
	double py[COST_MAX_POINTS];
} cost_entry;

/* A calibration profile as the models see it (no JSON, no files). */
typedef struct {
	cost_entry op[COST_OP_COUNT];
	char host[160];         /* "CPU model, kernel" of the calibration host */
	char source[256];       /* file the profile came from, or "host" */
	char sha256[65];        /* SHA-256 (hex) of the profile's bytes: record it with a run */
} cost_profile;

/* Per node type: the profile scaled by the node's CPU speed. */
typedef struct {
	cost_entry op[COST_OP_COUNT];
	double speed;           /* node CPU speed relative to the calibration host */
	double crossing_speed;  /* the same for kernel crossings (cost_op_is_crossing) */
} cost_table;

/* One item of an operation list. */
typedef struct {
	cost_op op;
	uint64_t size;          /* bytes, rules or entries; ignored by COST_CONST */
} cost_item;

/* Name ("profile key") of an operation, its unit and model; NULL if out of range. */
const char *cost_op_name(cost_op op);
const char *cost_op_unit(cost_op op);
enum cost_model cost_op_model(cost_op op);
/* Operation by key; -1 if unknown. */
int cost_op_from_name(const char *name);

/*
 * Build a node type's table. speed > 0 is the node's CPU speed relative to
 * the calibration host (2.0 = twice as fast: every cost halves). Returns 0,
 * or -1 if speed is not a positive finite number.
 */
int cost_table_init(cost_table *t, const cost_profile *p, double speed);

/*
 * The same with a separate speed for the kernel crossings: syscalls,
 * context switches, TCP/IP stack traversals, iptables. They do not scale
 * with compute: a VM's crossings cost 2-4 times bare metal's on the same
 * CPU (kernel-costs.md sections 2 and 6), while its crypto runs at full
 * speed. Returns -1 unless both speeds are positive and finite.
 */
int cost_table_init_split(cost_table *t, const cost_profile *p, double speed,
			  double crossing_speed);

/* 1 for a kernel crossing: the sys.* operations (memcpy aside), the
 * iptables REDIRECT costs and the minimal proxy hop (its syscalls). */
int cost_op_is_crossing(cost_op op);

/*
 * The CPU cost of one operation of the given size, split into user and
 * kernel nanoseconds (either pointer may be NULL). Returns the total in ns
 * (user + kernel), 0 for an operation the profile does not have.
 * O(1), no allocation.
 */
int64_t cost_of(const cost_table *t, cost_op op, uint64_t size, int64_t *user_ns,
		int64_t *kernel_ns);

/* Same in double nanoseconds, unrounded (sums of many small operations). */
double cost_of_exact(const cost_table *t, cost_op op, uint64_t size, double *user_ns,
		     double *kernel_ns);

/*
 * An operation list: costs are summed unrounded and rounded once.
 * Returns the total ns; user_ns/kernel_ns may be NULL.
 */
int64_t cost_list(const cost_table *t, const cost_item *items, size_t n, int64_t *user_ns,
		  int64_t *kernel_ns);

/* 1 if the profile measured this operation. */
int cost_available(const cost_table *t, cost_op op);

#endif
