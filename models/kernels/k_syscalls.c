/*
 * models/kernels/k_syscalls.c - kernel crossings: a raw syscall, write+read
 * over a unix socketpair and over loopback TCP (one process), epoll_wait with
 * one ready fd, a context switch (pipe ping-pong between two processes pinned
 * to the same CPU), and memcpy by size.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

static int syscall_body(void *p, long iters)
{
	pid_t want = *(pid_t *)p;
	long last = 0;
	for (long i = 0; i < iters; i++)
		last = syscall(SYS_getppid);
	return last == (long)want ? 0 : -1;
}

typedef struct {
	int wfd, rfd;
	size_t n;
	unsigned char *in, *out;
} wr_arg;

static int wr_body(void *p, long iters)
{
	wr_arg *a = p;
	for (long i = 0; i < iters; i++) {
		a->in[0] = (unsigned char)i;
		if (kern_write_full(a->wfd, a->in, a->n) || kern_read_full(a->rfd, a->out, a->n))
			return -1;
	}
	return memcmp(a->in, a->out, a->n) ? -1 : 0;
}

static int tcp_pair(int fd[2])
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	int one = 1, big = 1 << 20;
	fd[0] = fd[1] = -1;
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 1) ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl))
		goto fail;
	fd[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (fd[0] < 0)
		goto fail;
	setsockopt(fd[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	setsockopt(fd[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (connect(fd[0], (struct sockaddr *)&sa, sizeof sa))
		goto fail;
	fd[1] = accept(ls, NULL, NULL);
	if (fd[1] < 0)
		goto fail;
	setsockopt(fd[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	setsockopt(fd[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	setsockopt(fd[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	close(ls);
	return 0;
fail:
	if (ls >= 0)
		close(ls);
	if (fd[0] >= 0)
		close(fd[0]);
	fd[0] = -1;
	return -1;
}

typedef struct {
	int ep;
} ep_arg;

static int epoll_body(void *p, long iters)
{
	ep_arg *a = p;
	struct epoll_event ev[8];
	int n = 0;
	for (long i = 0; i < iters; i++)
		n = epoll_wait(a->ep, ev, 8, 0);
	return n == 1 ? 0 : -1;
}

typedef struct {
	unsigned char *src, *dst;
	size_t n;
} mc_arg;

static int memcpy_body(void *p, long iters)
{
	mc_arg *a = p;
	for (long i = 0; i < iters; i++) {
		a->src[0] = (unsigned char)i;
		memcpy(a->dst, a->src, a->n);
		__asm__ __volatile__("" ::: "memory");
	}
	return (a->dst[0] == a->src[0] && a->dst[a->n - 1] == a->src[a->n - 1]) ? 0 : -1;
}

static int pin_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof set, &set);
}

/* Pipe ping-pong with a child: child_cpu < 0 means "same CPU as us". */
static int pingpong(calib_ctx *c, const char *op, int my_cpu, int child_cpu, double *rtt_out,
		    double *kf_out)
{
	int p2c[2], c2p[2];
	if (pipe(p2c) || pipe(c2p))
		return calib_fail(c, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		return calib_fail(c, "fork: %s", strerror(errno));
	if (pid == 0) {
		pin_to(child_cpu);
		close(p2c[1]);
		close(c2p[0]);
		unsigned char b;
		while (read(p2c[0], &b, 1) == 1)
			if (write(c2p[1], &b, 1) != 1)
				break;
		_exit(0);
	}
	close(p2c[0]);
	close(c2p[1]);
	cpu_set_t old;
	sched_getaffinity(0, sizeof old, &old);
	pin_to(my_cpu);
	int rc = CALIB_OK;
	long per = c->quick ? 2000 : 10000;
	double v[CALIB_MAX_REPS];
	double u0 = 0, s0 = 0, u1, s1;
	for (int rep = -1; rep < c->reps && rc == CALIB_OK; rep++) {
		if (rep == 0)
			calib_cpu_ns(&u0, &s0);
		int cp = (int)pid;
		double t0 = calib_group_cpu_ns(&cp, 1), w0 = calib_now_ns();
		for (long i = 0; i < per; i++) {
			unsigned char b = (unsigned char)i, r = 0;
			if (write(p2c[1], &b, 1) != 1 || read(c2p[0], &r, 1) != 1 || r != b) {
				rc = calib_fail(c, "%s: ping-pong broke", op);
				break;
			}
		}
		/* same CPU: both processes' CPU time (blind to unrelated work);
		 * two CPUs: wall time, since the wake-up latency is the point */
		if (rep >= 0)
			v[rep] = (child_cpu == my_cpu ? calib_group_cpu_ns(&cp, 1) - t0
						      : calib_now_ns() - w0) /
				 (double)per;
	}
	calib_cpu_ns(&u1, &s1);
	sched_setaffinity(0, sizeof old, &old);
	close(p2c[1]);
	close(c2p[0]);
	waitpid(pid, NULL, 0);
	if (rc != CALIB_OK)
		return rc;
	double kf = (u1 - u0 + s1 - s0) > 0 ? (s1 - s0) / (u1 - u0 + s1 - s0) : 0.0;
	calib_meas *m = calib_add(c, op, 1, v, c->reps, kf, per);
	*rtt_out = m ? m->median : 0.0;
	if (kf_out)
		*kf_out = kf;
	return CALIB_OK;
}

int kernel_syscalls(calib_ctx *c)
{
	int rc = CALIB_OK;
	pid_t ppid = getppid();
	if (calib_loop(c, "sys.syscall", 0, syscall_body, &ppid))
		return CALIB_FAILED;

	static const size_t wr_full[] = {64, 1024, 4096, 16384, 65536};
	static const size_t wr_quick[] = {64, 4096, 65536};
	const size_t *sizes = c->quick ? wr_quick : wr_full;
	int nsizes = c->quick ? 3 : 5;
	wr_arg a = {0};
	a.in = calloc(1, 65536);
	a.out = calloc(1, 65536);
	int sp[2] = {-1, -1}, tp[2] = {-1, -1};
	if (!a.in || !a.out || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) || tcp_pair(tp)) {
		rc = calib_fail(c, "socket setup: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < 65536; i++)
		a.in[i] = (unsigned char)(i * 7);
	for (int i = 0; i < nsizes && rc == CALIB_OK; i++) {
		a.n = sizes[i];
		a.wfd = sp[0];
		a.rfd = sp[1];
		if (calib_loop(c, "sys.socketpair.write_read", a.n, wr_body, &a)) {
			rc = CALIB_FAILED;
			break;
		}
		a.wfd = tp[0];
		a.rfd = tp[1];
		if (calib_loop(c, "sys.tcp_loopback.write_read", a.n, wr_body, &a))
			rc = CALIB_FAILED;
	}
	if (rc != CALIB_OK)
		goto out;

	/* epoll_wait with one ready descriptor */
	{
		ep_arg e = {epoll_create1(0)};
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = sp[1]};
		unsigned char b = 1;
		if (e.ep < 0 || epoll_ctl(e.ep, EPOLL_CTL_ADD, sp[1], &ev) || write(sp[0], &b, 1) != 1)
			rc = calib_fail(c, "epoll setup: %s", strerror(errno));
		else if (calib_loop(c, "sys.epoll_wait", 0, epoll_body, &e))
			rc = CALIB_FAILED;
		if (rc == CALIB_OK && read(sp[1], &b, 1) != 1)
			rc = calib_fail(c, "epoll: ready byte lost");
		if (e.ep >= 0)
			close(e.ep);
	}
	if (rc != CALIB_OK)
		goto out;

	/* context switch: same-CPU pipe ping-pong minus the pipe calls themselves */
	{
		int pp[2];
		if (pipe(pp)) {
			rc = calib_fail(c, "pipe: %s", strerror(errno));
			goto out;
		}
		wr_arg pa = {pp[1], pp[0], 1, a.in, a.out};
		if (calib_loop(c, "sys.pipe.write_read", 1, wr_body, &pa))
			rc = CALIB_FAILED;
		close(pp[0]);
		close(pp[1]);
		double rtt = 0, kf = 0;
		if (rc == CALIB_OK)
			rc = pingpong(c, "sys.pipe.rtt_same_cpu", 0, 0, &rtt, &kf);
		if (rc == CALIB_OK) {
			const calib_meas *rtm = calib_find(c, "sys.pipe.rtt_same_cpu", 1);
			const calib_meas *wrm = calib_find(c, "sys.pipe.write_read", 1);
			double v[CALIB_MAX_REPS];
			int n = rtm->nreps;
			/* RTT = 2 switches + 2 writes + 2 reads */
			for (int r = 0; r < n; r++)
				v[r] = (rtm->v[r] - 2.0 * wrm->median) / 2.0;
			calib_meas *m = calib_add(c, "sys.context_switch", 0, v, n, kf, rtm->iters);
			if (m)
				m->derived = 1;
			if (!m || m->median <= 0.0)
				rc = calib_fail(c, "context switch: RTT %.0f ns not above pipe cost", rtt);
		}
		if (rc == CALIB_OK && !c->quick && sysconf(_SC_NPROCESSORS_ONLN) > 1)
			rc = pingpong(c, "sys.pipe.rtt_cross_cpu", 0, 1, &rtt, NULL);
	}
	if (rc != CALIB_OK)
		goto out;

	/* memcpy */
	{
		static const size_t mc_full[] = {64,    256,    1024,    4096,    16384,
						 65536, 262144, 1048576, 4194304, 16777216};
		static const size_t mc_quick[] = {64, 1024, 16384, 1048576};
		const size_t *ms = c->quick ? mc_quick : mc_full;
		int nms = c->quick ? 4 : 10;
		size_t max = ms[nms - 1];
		mc_arg m = {malloc(max), malloc(max), 0};
		if (!m.src || !m.dst)
			rc = calib_fail(c, "memcpy: out of memory");
		else {
			memset(m.src, 0x5a, max);
			memset(m.dst, 0, max);
		}
		for (int i = 0; i < nms && rc == CALIB_OK; i++) {
			m.n = ms[i];
			if (calib_loop(c, "sys.memcpy", m.n, memcpy_body, &m))
				rc = CALIB_FAILED;
		}
		free(m.src);
		free(m.dst);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (sp[i] >= 0)
			close(sp[i]);
		if (tp[i] >= 0)
			close(tp[i]);
	}
	free(a.in);
	free(a.out);
	return rc;
}
