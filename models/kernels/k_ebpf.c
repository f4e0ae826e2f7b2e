/*
 * models/kernels/k_ebpf.c - a Cilium-like eBPF policy program run per packet
 * in the kernel with BPF_PROG_TEST_RUN (the kernel times it: mean ns per
 * run over `repeat` runs, JIT on where the kernel has it).
 *
 * The tc (sched_cls) program parses Ethernet/IPv4/TCP with bounds checks,
 * looks the 5-tuple up in a conntrack hash (established: done), else looks
 * the source address up in an ipcache LPM trie (identity; world = 2 when
 * absent) and {identity, dport, proto, dir} in a policy hash: allowed ->
 * TC_ACT_OK, else TC_ACT_SHOT. The program is assembled here from
 * instructions and loaded with the raw bpf(2) syscall (no libbpf or clang
 * needed at run time).
 *
 * Where bpf(2) or BPF_PROG_TEST_RUN is not allowed (not root, no CAP_BPF,
 * a kernel without it), the kernel says so and measures the same lookups
 * in user space (k_policy.c's hash and LPM) instead: the profile's note and
 * the measurement names record which one ran. MESHSIM_CALIB_NO_EBPF=1 forces
 * the fallback (tests).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int map_create(enum bpf_map_type type, unsigned ks, unsigned vs, unsigned n, unsigned fl)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = n;
	a.map_flags = fl;
	return (int)sys_bpf(BPF_MAP_CREATE, &a);
}

static int map_update(int fd, const void *key, const void *val)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_fd = (unsigned)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)val;
	a.flags = BPF_ANY;
	return (int)sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

/* ---- a tiny assembler ---- */
typedef struct {
	int at, label;
} fixup;

typedef struct {
	struct bpf_insn in[128];
	int n;
	int label[16];
	fixup fix[32];
	int nfix;
} prog;

static void emit(prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	p->in[p->n++] = i;
}
#define MOV64_REG(d, s) emit(p, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) emit(p, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i) emit(p, BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o) emit(p, BPF_LDX | (sz) | BPF_MEM, d, s, o, 0)
#define STX(sz, d, s, o) emit(p, BPF_STX | (sz) | BPF_MEM, d, s, o, 0)
#define ST(sz, d, o, i) emit(p, BPF_ST | (sz) | BPF_MEM, d, 0, o, i)
#define CALL(f) emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LABEL(l) (p->label[l] = p->n)
#define JMP_IMM(op, d, i, l) (p->fix[p->nfix++] = (fixup){p->n, l},                 \
			       emit(p, BPF_JMP | (op) | BPF_K, d, 0, 0, i))
#define JMP_REG(op, d, s, l) (p->fix[p->nfix++] = (fixup){p->n, l},                 \
			       emit(p, BPF_JMP | (op) | BPF_X, d, s, 0, 0))
static void ld_map_fd(prog *p, uint8_t dst, int fd)
{
	emit(p, BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd);
	emit(p, 0, 0, 0, 0, 0);
}
static void link_prog(prog *p)
{
	for (int i = 0; i < p->nfix; i++)
		p->in[p->fix[i].at].off = (int16_t)(p->label[p->fix[i].label] - p->fix[i].at - 1);
}

enum { L_OK, L_EST, L_NOID, L_DENY };

static void build_policy_prog(prog *p, int ct, int ipc, int pol)
{
	memset(p, 0, sizeof *p);
	MOV64_REG(BPF_REG_6, BPF_REG_1);
	LDX(BPF_W, BPF_REG_2, BPF_REG_6, offsetof(struct __sk_buff, data));
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, offsetof(struct __sk_buff, data_end));
	MOV64_REG(BPF_REG_4, BPF_REG_2);
	ADD64_IMM(BPF_REG_4, 54); /* Ethernet 14 + IPv4 20 + TCP 20 */
	JMP_REG(BPF_JGT, BPF_REG_4, BPF_REG_3, L_OK);
	LDX(BPF_H, BPF_REG_5, BPF_REG_2, 12); /* ethertype */
	JMP_IMM(BPF_JNE, BPF_REG_5, 0x0008, L_OK); /* htons(ETH_P_IP) as loaded */
	/* conntrack key {saddr, daddr, sport, dport, proto, pad} at fp-16 */
	LDX(BPF_W, BPF_REG_7, BPF_REG_2, 26);
	STX(BPF_W, BPF_REG_10, BPF_REG_7, -16);
	LDX(BPF_W, BPF_REG_5, BPF_REG_2, 30);
	STX(BPF_W, BPF_REG_10, BPF_REG_5, -12);
	LDX(BPF_H, BPF_REG_5, BPF_REG_2, 34);
	STX(BPF_H, BPF_REG_10, BPF_REG_5, -8);
	LDX(BPF_H, BPF_REG_8, BPF_REG_2, 36);
	STX(BPF_H, BPF_REG_10, BPF_REG_8, -6);
	LDX(BPF_B, BPF_REG_9, BPF_REG_2, 23);
	STX(BPF_W, BPF_REG_10, BPF_REG_9, -4);
	ld_map_fd(p, BPF_REG_1, ct);
	MOV64_REG(BPF_REG_2, BPF_REG_10);
	ADD64_IMM(BPF_REG_2, -16);
	CALL(BPF_FUNC_map_lookup_elem);
	JMP_IMM(BPF_JNE, BPF_REG_0, 0, L_EST);
	/* ipcache LPM key {prefixlen 32, saddr} at fp-24 */
	ST(BPF_W, BPF_REG_10, -24, 32);
	STX(BPF_W, BPF_REG_10, BPF_REG_7, -20);
	ld_map_fd(p, BPF_REG_1, ipc);
	MOV64_REG(BPF_REG_2, BPF_REG_10);
	ADD64_IMM(BPF_REG_2, -24);
	CALL(BPF_FUNC_map_lookup_elem);
	MOV64_IMM(BPF_REG_1, 2); /* world */
	JMP_IMM(BPF_JEQ, BPF_REG_0, 0, L_NOID);
	LDX(BPF_W, BPF_REG_1, BPF_REG_0, 0);
	LABEL(L_NOID);
	/* policy key {identity, dport, proto, dir 0} at fp-32 */
	STX(BPF_W, BPF_REG_10, BPF_REG_1, -32);
	STX(BPF_H, BPF_REG_10, BPF_REG_8, -28);
	STX(BPF_B, BPF_REG_10, BPF_REG_9, -26);
	ST(BPF_B, BPF_REG_10, -25, 0);
	ld_map_fd(p, BPF_REG_1, pol);
	MOV64_REG(BPF_REG_2, BPF_REG_10);
	ADD64_IMM(BPF_REG_2, -32);
	CALL(BPF_FUNC_map_lookup_elem);
	JMP_IMM(BPF_JEQ, BPF_REG_0, 0, L_DENY);
	LABEL(L_OK);
	MOV64_IMM(BPF_REG_0, TC_ACT_OK);
	EXIT();
	LABEL(L_EST);
	MOV64_IMM(BPF_REG_0, TC_ACT_OK);
	EXIT();
	LABEL(L_DENY);
	MOV64_IMM(BPF_REG_0, TC_ACT_SHOT);
	EXIT();
	link_prog(p);
}

static int prog_load(const prog *p, char *log, size_t loglen)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insns = (uint64_t)(uintptr_t)p->in;
	a.insn_cnt = (unsigned)p->n;
	a.license = (uint64_t)(uintptr_t) "GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = (unsigned)loglen;
	a.log_level = log ? 1 : 0;
	return (int)sys_bpf(BPF_PROG_LOAD, &a);
}

/* Run the program `repeat` times on pkt; returns the kernel's mean ns or -1. */
static double test_run(int fd, const void *pkt, unsigned len, unsigned repeat, unsigned *retval)
{
	union bpf_attr a;
	unsigned char out[128];
	memset(&a, 0, sizeof a);
	a.test.prog_fd = (unsigned)fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = len;
	a.test.data_out = (uint64_t)(uintptr_t)out;
	a.test.data_size_out = sizeof out;
	a.test.repeat = repeat;
	if (sys_bpf(BPF_PROG_TEST_RUN, &a) != 0)
		return -1.0;
	*retval = a.test.retval;
	return (double)a.test.duration;
}

static void make_packet(unsigned char pkt[54], uint32_t saddr, uint32_t daddr, uint16_t sport,
			uint16_t dport)
{
	memset(pkt, 0, 54);
	memset(pkt, 0x02, 12);    /* MACs */
	pkt[12] = 0x08;           /* IPv4 */
	pkt[14] = 0x45;           /* version 4, IHL 5 */
	pkt[17] = 40;             /* total length */
	pkt[22] = 64;             /* TTL */
	pkt[23] = 6;              /* TCP */
	for (int i = 0; i < 4; i++) {
		pkt[26 + i] = (unsigned char)(saddr >> (24 - 8 * i));
		pkt[30 + i] = (unsigned char)(daddr >> (24 - 8 * i));
	}
	pkt[34] = (unsigned char)(sport >> 8);
	pkt[35] = (unsigned char)sport;
	pkt[36] = (unsigned char)(dport >> 8);
	pkt[37] = (unsigned char)dport;
	pkt[46] = 0x50;           /* TCP data offset 5 */
	pkt[47] = 0x10;           /* ACK */
}

static int fds[5] = {-1, -1, -1, -1, -1};

static void close_fds(void)
{
	for (int i = 0; i < 5; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

int ebpf_available(char *reason, size_t n)
{
	prog pr, *p = &pr;
	memset(p, 0, sizeof *p);
	MOV64_IMM(BPF_REG_0, TC_ACT_OK);
	EXIT();
	int fd = prog_load(p, NULL, 0);
	if (fd < 0) {
		snprintf(reason, n, "bpf(BPF_PROG_LOAD): %s%s", strerror(errno),
			 errno == EPERM ? " (needs root or CAP_BPF)" : "");
		return 0;
	}
	unsigned char pkt[54];
	unsigned rv = 99;
	make_packet(pkt, 1, 2, 3, 4);
	double d = test_run(fd, pkt, sizeof pkt, 1, &rv);
	int e = errno;
	close(fd);
	if (d < 0 || rv != TC_ACT_OK) {
		snprintf(reason, n, "BPF_PROG_TEST_RUN: %s", d < 0 ? strerror(e) : "bad return");
		return 0;
	}
	return 1;
}

/* ---- user-space fallback: the same three lookups with k_policy.c's tables ---- */
typedef struct {
	pol_map *ct, *pol;
	lpm_table *ipc;
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	int expect_ok;
} us_arg;

static int us_body(void *a_, long iters)
{
	us_arg *a = a_;
	int ok = 0;
	uint32_t v;
	for (long i = 0; i < iters; i++) {
		/* conntrack keyed by (saddr ^ daddr, sport<<16|dport): a 64-bit key */
		if (pol_map_get(a->ct, a->saddr ^ a->daddr, a->sport, 6, (uint8_t)(a->dport & 0xff),
				&v)) {
			ok = 1;
			continue;
		}
		uint32_t id = lpm_get(a->ipc, a->saddr);
		ok = pol_map_get(a->pol, id ? id : 2, a->dport, 6, 0, &v);
	}
	return ok == a->expect_ok ? 0 : -1;
}

static int fallback(calib_ctx *c, const char *why)
{
	int n = c->quick ? 1000 : 20000;
	us_arg a = {pol_map_new(1024), pol_map_new((size_t)n), lpm_new((size_t)n + 8),
		    0, 0, 40000, 8080, 1};
	int rc = CALIB_OK;
	if (!a.ct || !a.pol || !a.ipc) {
		rc = calib_fail(c, "fallback: out of memory");
		goto out;
	}
	lpm_put(a.ipc, 0, 0, 2);
	for (int i = 0; i < n; i++) {
		lpm_put(a.ipc, 0x0a000000u + (uint32_t)i, 32, 1000 + (uint32_t)i);
		pol_map_put(a.pol, 1000 + (uint32_t)i, 8080, 6, 0, 1);
	}
	uint32_t est_s = 0x0a000005u, est_d = 0x0a100001u;
	pol_map_put(a.ct, est_s ^ est_d, 40000, 6, 8080 & 0xff, 1);
	a.saddr = est_s;
	a.daddr = est_d;
	if (calib_loop(c, "ebpf.policy.established", 0, us_body, &a)) {
		rc = CALIB_FAILED;
		goto out;
	}
	a.saddr = 0x0a000007u;
	a.sport = 40001;
	if (calib_loop(c, "ebpf.policy.new_flow", 0, us_body, &a))
		rc = CALIB_FAILED;
	if (rc == CALIB_OK)
		snprintf(c->note, sizeof c->note,
			 "eBPF unavailable (%s); measured the user-space fallback (same lookups, "
			 "k_policy.c tables), not the in-kernel program",
			 why);
out:
	pol_map_free(a.ct);
	pol_map_free(a.pol);
	lpm_free(a.ipc);
	return rc;
}

int kernel_ebpf(calib_ctx *c)
{
	char why[256];
	if (getenv("MESHSIM_CALIB_NO_EBPF")) /* tests: force the fallback */
		return fallback(c, "disabled by MESHSIM_CALIB_NO_EBPF");
	if (!ebpf_available(why, sizeof why))
		return fallback(c, why);
	unsigned nent = c->quick ? 2000 : 20000;
	int rc = CALIB_OK;
	fds[0] = map_create(BPF_MAP_TYPE_HASH, 16, 4, 65536, 0);
	fds[1] = map_create(BPF_MAP_TYPE_LPM_TRIE, 8, 4, nent + 16, BPF_F_NO_PREALLOC);
	fds[2] = map_create(BPF_MAP_TYPE_HASH, 8, 4, nent + 16, 0);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
		snprintf(why, sizeof why, "BPF_MAP_CREATE (hash/LPM trie): %s", strerror(errno));
		close_fds();
		return fallback(c, why);
	}
	/* ipcache: world 0/0 -> 2, nent pod /32s 10.0.x.y -> identities 1000+i;
	 * policy: each of those identities may reach dport 8080/TCP */
	{
		struct {
			uint32_t len;
			uint8_t addr[4];
		} lk = {0, {0, 0, 0, 0}};
		uint32_t id = 2;
		if (map_update(fds[1], &lk, &id)) {
			rc = calib_fail(c, "ipcache update: %s", strerror(errno));
			goto out;
		}
		for (unsigned i = 0; i < nent; i++) {
			uint32_t ip = 0x0a000000u + i;
			lk.len = 32;
			for (int k = 0; k < 4; k++)
				lk.addr[k] = (uint8_t)(ip >> (24 - 8 * k));
			id = 1000 + i;
			struct {
				uint32_t id;
				uint16_t dport;
				uint8_t proto, dir;
			} pk = {id, (uint16_t)((8080 >> 8) | ((8080 & 0xff) << 8)), 6, 0};
			uint32_t allow = 1;
			if (map_update(fds[1], &lk, &id) || map_update(fds[2], &pk, &allow)) {
				rc = calib_fail(c, "map update: %s", strerror(errno));
				goto out;
			}
		}
	}
	prog p;
	build_policy_prog(&p, fds[0], fds[1], fds[2]);
	static char log[65536];
	log[0] = '\0';
	fds[3] = prog_load(&p, log, sizeof log);
	if (fds[3] < 0) {
		char *last = log + strlen(log);
		while (last > log && (last[-1] == '\n'))
			*--last = '\0';
		char *nl = strrchr(log, '\n');
		/* a kernel whose verifier or helpers differ: not a wrong result */
		snprintf(why, sizeof why, "BPF_PROG_LOAD of the policy program: %s; verifier: %.150s",
			 strerror(errno), nl ? nl + 1 : log);
		close_fds();
		return fallback(c, why);
	}
	{
		prog e, *pp = &e;
		memset(pp, 0, sizeof *pp);
		emit(pp, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, TC_ACT_OK);
		emit(pp, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		fds[4] = prog_load(pp, NULL, 0);
	}
	/* packets: established (in conntrack), new allowed, new denied (identity
	 * 2 = world has no policy entry) */
	unsigned char est[54], neu[54], deny[54];
	make_packet(est, 0x0a000005u, 0x0a100001u, 40000, 8080);
	make_packet(neu, 0x0a000007u, 0x0a100001u, 40001, 8080);
	make_packet(deny, 0x08080808u, 0x0a100001u, 40002, 8080);
	{
		unsigned char ck[16];
		memcpy(ck, est + 26, 8);     /* saddr, daddr */
		memcpy(ck + 8, est + 34, 4); /* sport, dport */
		ck[12] = 6;
		ck[13] = ck[14] = ck[15] = 0;
		uint32_t one = 1;
		if (map_update(fds[0], ck, &one)) {
			rc = calib_fail(c, "conntrack update: %s", strerror(errno));
			goto out;
		}
	}
	unsigned rv;
	if (test_run(fds[3], deny, 54, 1, &rv) < 0 || rv != TC_ACT_SHOT) {
		rc = calib_fail(c, "program allowed a packet from world (ret %u)", rv);
		goto out;
	}
	unsigned repeat = c->quick ? 100000 : 1000000;
	static const struct {
		const char *op;
		int prog;
		int pkt;
	} runs[] = {{"ebpf.empty", 4, 0},
		    {"ebpf.policy.established", 3, 0},
		    {"ebpf.policy.new_flow", 3, 1},
		    {"ebpf.policy.denied", 3, 2}};
	const unsigned char *pkts[] = {est, neu, deny};
	const unsigned want[] = {TC_ACT_OK, TC_ACT_OK, TC_ACT_SHOT};
	for (size_t r = 0; r < sizeof runs / sizeof runs[0] && rc == CALIB_OK; r++) {
		int fd = fds[runs[r].prog];
		if (fd < 0)
			continue;
		double v[CALIB_MAX_REPS];
		test_run(fd, pkts[runs[r].pkt], 54, repeat / 10, &rv); /* warm-up */
		for (int k = 0; k < c->reps; k++) {
			v[k] = test_run(fd, pkts[runs[r].pkt], 54, repeat, &rv);
			if (v[k] < 0 || rv != want[runs[r].pkt]) {
				rc = calib_fail(c, "%s: test run failed or returned %u", runs[r].op, rv);
				break;
			}
		}
		if (rc == CALIB_OK)
			calib_add(c, runs[r].op, 0, v, c->reps, 1.0, (long)repeat);
	}
	if (rc == CALIB_OK) {
		FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
		int jit = -1;
		if (f) {
			if (fscanf(f, "%d", &jit) != 1)
				jit = -1;
			fclose(f);
		}
		snprintf(c->note, sizeof c->note,
			 "in-kernel tc program via BPF_PROG_TEST_RUN (%u runs per repetition, "
			 "bpf_jit_enable=%d); %u ipcache and policy entries; times include the "
			 "harness floor (ebpf.empty)",
			 repeat, jit, nent);
	}
out:
	close_fds();
	return rc;
}
