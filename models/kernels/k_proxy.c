/*
 * models/kernels/k_proxy.c - a minimal user-space proxy hop.
 *
 * Three processes pinned to one CPU (so the figure is CPU work, not this
 * VM's cross-CPU wake-ups): a client (this process), a single-threaded,
 * level-triggered epoll proxy that parses each request and response with
 * http-parser and forwards it, and a backend answering a fixed 1 KiB
 * response. HTTP/1.1 keep-alive, 320 B requests. A round trip's cost is the
 * CPU time of all its processes (process CPU clocks: time preempted by
 * unrelated work does not count); the hop's cost is the round trip through
 * the proxy minus the direct one. The proxy counts its syscalls in shared
 * memory.
 */
#include <errno.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

typedef struct {
	volatile long epoll_waits, reads, writes, requests;
	volatile double user_ns, sys_ns;
	volatile int ready;
} proxy_stats;

static int listen_any(uint16_t *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) || listen(s, 4) ||
	    getsockname(s, (struct sockaddr *)&sa, &sl)) {
		if (s >= 0)
			close(s);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return s;
}

static int connect_to(uint16_t port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1;
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa)) {
		if (s >= 0)
			close(s);
		return -1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return s;
}

/* Backend: serve fixed-size requests on successive connections. */
static void backend_main(int ls, size_t reqlen, const char *resp, size_t resplen)
{
	char *buf = malloc(reqlen);
	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c < 0)
			_exit(1);
		int one = 1;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		while (kern_read_full(c, buf, reqlen) == 0)
			if (kern_write_full(c, resp, resplen))
				break;
		close(c);
	}
}

typedef struct {
	int complete;
} pstate;

static int on_complete(http_parser *hp)
{
	((pstate *)hp->data)->complete++;
	return 0;
}

/* Proxy: one downstream connection, one upstream; parse and forward. */
static void proxy_main(int ls, uint16_t backend, proxy_stats *st)
{
	int down = accept(ls, NULL, NULL);
	int up = connect_to(backend);
	int ep = epoll_create1(0);
	if (down < 0 || up < 0 || ep < 0)
		_exit(1);
	int one = 1;
	setsockopt(down, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = down};
	epoll_ctl(ep, EPOLL_CTL_ADD, down, &ev);
	ev.data.fd = up;
	epoll_ctl(ep, EPOLL_CTL_ADD, up, &ev);
	http_parser_settings set = {.on_message_complete = on_complete};
	http_parser preq, presp;
	pstate sreq = {0}, sresp = {0};
	http_parser_init(&preq, HTTP_REQUEST);
	http_parser_init(&presp, HTTP_RESPONSE);
	preq.data = &sreq;
	presp.data = &sresp;
	static char buf[65536];
	st->ready = 1;
	for (;;) {
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, -1);
		st->epoll_waits++;
		if (n < 0 && errno == EINTR)
			continue;
		for (int i = 0; i < n; i++) {
			int from = evs[i].data.fd, to = from == down ? up : down;
			ssize_t r = read(from, buf, sizeof buf);
			st->reads++;
			if (r <= 0) {
				struct rusage ru;
				getrusage(RUSAGE_SELF, &ru);
				st->user_ns = (double)ru.ru_utime.tv_sec * 1e9 +
					      (double)ru.ru_utime.tv_usec * 1e3;
				st->sys_ns = (double)ru.ru_stime.tv_sec * 1e9 +
					     (double)ru.ru_stime.tv_usec * 1e3;
				st->ready = 2;
				_exit(0);
			}
			http_parser *hp = from == down ? &preq : &presp;
			size_t k = http_parser_execute(hp, &set, buf, (size_t)r);
			if (k != (size_t)r || HTTP_PARSER_ERRNO(hp) != HPE_OK)
				_exit(2);
			if (kern_write_full(to, buf, (size_t)r))
				_exit(3);
			st->writes++;
			if (from == up)
				st->requests = sresp.complete;
		}
	}
}

static int pin_cpu0(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof set, &set);
}

/* Round trips on one connection: per repetition `per` requests. */
static int rtts(calib_ctx *c, int fd, const char *req, size_t reqlen, size_t resplen, long per,
		const int *pids, int npids, double *v)
{
	char *buf = malloc(resplen);
	int rc = 0;
	for (int r = -1; r < c->reps && !rc; r++) {
		double t0 = calib_group_cpu_ns(pids, npids);
		for (long i = 0; i < per; i++)
			if (kern_write_full(fd, req, reqlen) || kern_read_full(fd, buf, resplen)) {
				rc = -1;
				break;
			}
		if (r >= 0)
			v[r] = (calib_group_cpu_ns(pids, npids) - t0) / (double)per;
	}
	if (!rc && (memcmp(buf, "HTTP/1.1 200 OK", 15) || buf[resplen - 1] != '{'))
		rc = -1;
	free(buf);
	return rc;
}

int kernel_proxy(calib_ctx *c)
{
	char req[512], resp[2048];
	size_t reqlen = h1_build_request(req, sizeof req, 320);
	size_t resplen = h1_build_response(resp, sizeof resp, 1024);
	proxy_stats *st = mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			       -1, 0);
	if (st == MAP_FAILED || !reqlen || !resplen)
		return calib_fail(c, "setup failed");
	memset((void *)st, 0, sizeof *st);
	cpu_set_t old;
	sched_getaffinity(0, sizeof old, &old);
	pin_cpu0(); /* the children inherit it */
	uint16_t bport = 0, pport = 0;
	int bls = listen_any(&bport), pls = listen_any(&pport);
	pid_t backend = -1, proxy = -1;
	int fd = -1, rc = CALIB_OK;
	if (bls < 0 || pls < 0) {
		rc = calib_fail(c, "listen: %s", strerror(errno));
		goto out;
	}
	backend = fork();
	if (backend == 0) {
		close(pls);
		backend_main(bls, reqlen, resp, resplen);
		_exit(0);
	}
	proxy = fork();
	if (proxy == 0) {
		close(bls);
		proxy_main(pls, bport, st);
		_exit(0);
	}
	if (backend < 0 || proxy < 0) {
		rc = calib_fail(c, "fork: %s", strerror(errno));
		goto out;
	}
	long per = c->quick ? 1000 : 5000;
	double vd[CALIB_MAX_REPS], vp[CALIB_MAX_REPS];
	/* direct */
	fd = connect_to(bport);
	int both[2] = {backend, proxy};
	if (fd < 0 || rtts(c, fd, req, reqlen, resplen, per, both, 1, vd)) {
		rc = calib_fail(c, "direct round trips failed");
		goto out;
	}
	close(fd);
	/* through the proxy */
	fd = connect_to(pport);
	long e0 = 0, r0 = 0, w0 = 0, q0 = 0;
	while (fd >= 0 && st->ready == 0)
		usleep(1000);
	e0 = st->epoll_waits, r0 = st->reads, w0 = st->writes, q0 = st->requests;
	if (fd < 0 || rtts(c, fd, req, reqlen, resplen, per, both, 2, vp)) {
		rc = calib_fail(c, "round trips through the proxy failed");
		goto out;
	}
	close(fd);
	fd = -1;
	for (int i = 0; i < 2000 && st->ready != 2; i++)
		usleep(1000);
	/* the counts include the final EOF wake-up and read: leave them out */
	long nreq = st->requests - q0;
	double ew = (double)(st->epoll_waits - e0 - 1) / (double)nreq;
	double rd = (double)(st->reads - r0 - 1) / (double)nreq;
	double wr = (double)(st->writes - w0) / (double)nreq;
	if (nreq != per * (c->reps + 1)) {
		rc = calib_fail(c, "proxy parsed %ld responses, expected %ld", nreq,
				per * (c->reps + 1));
		goto out;
	}
	double kf = (st->user_ns + st->sys_ns) > 0 ? st->sys_ns / (st->user_ns + st->sys_ns) : 0.0;
	calib_add(c, "proxy.rtt_direct", reqlen, vd, c->reps, 0.0, per);
	calib_add(c, "proxy.rtt_via_proxy", reqlen, vp, c->reps, 0.0, per);
	double md = calib_median(vd, c->reps), hop[CALIB_MAX_REPS];
	for (int r = 0; r < c->reps; r++)
		hop[r] = vp[r] - md;
	calib_meas *m = calib_add(c, "proxy.epoll_hop", 0, hop, c->reps, kf, per);
	if (m)
		m->derived = 1;
	snprintf(c->note, sizeof c->note,
		 "one CPU; %zu B request, %zu B response; per request the proxy made %.2f "
		 "epoll_wait, %.2f read, %.2f write; proxy kernel share %.2f",
		 reqlen, resplen, ew, rd, wr, kf);
out:
	if (fd >= 0)
		close(fd);
	if (proxy > 0) {
		kill(proxy, SIGTERM);
		waitpid(proxy, NULL, 0);
	}
	if (backend > 0) {
		kill(backend, SIGTERM);
		waitpid(backend, NULL, 0);
	}
	if (bls >= 0)
		close(bls);
	if (pls >= 0)
		close(pls);
	sched_setaffinity(0, sizeof old, &old);
	munmap((void *)st, sizeof *st);
	return rc;
}
