/*
 * models/kernels/k_iptables.c - the cost of iptables REDIRECT interception
 * (Istio/Linkerd sidecar style), measured in a throwaway network namespace.
 *
 * A child process unshares its network namespace (loopback only, private:
 * nothing outside it changes; without root, inside a new user namespace), brings lo up, starts an echo server
 * listening on 8080 and 15001, and times from one CPU: per connection
 * (connect, 64 B request, 64 B reply, close with RST) and per round trip
 * on an established connection, in three states:
 *   plain     no netfilter rules
 *   nat       the nat rules loaded (conntrack active), flow to 15001 not redirected
 *   redirect  flow to 8080 REDIRECTed to 15001 (the server says which port answered)
 * Rules, as Istio's chain shape (shortened): nat OUTPUT -p tcp -j MESH_OUTPUT,
 * 10 non-matching RETURN rules, then --dport 8080 -j REDIRECT --to-ports 15001.
 * Times are the CPU time of client and server (process CPU clocks), so time
 * preempted by unrelated work does not count. The interception cost is
 * redirect minus plain.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

extern char **environ;

enum { ST_PLAIN, ST_NAT, ST_REDIRECT, NSTATES };

typedef struct {
	int status; /* CALIB_* */
	char msg[400];
	double conn[NSTATES][CALIB_MAX_REPS], rtt[NSTATES][CALIB_MAX_REPS];
	long nconn, nrtt;
} ipt_result;

static int run_cmd(char *const argv[], char *err, size_t errlen)
{
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	/* a user's PATH often lacks the sbin directories */
	static const char *const dirs[] = {"/usr/sbin/", "/sbin/"};
	for (size_t i = 0; rc == ENOENT && i < sizeof dirs / sizeof dirs[0]; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s%s", dirs[i], argv[0]);
		rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", argv[0], strerror(rc));
		return -1;
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "'%s %s %s %s ...' failed (exit %d)", argv[0], argv[1],
			 argv[2], argv[3], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1; /* setgroups is absent on old kernels */
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int write_idmap(const char *path, unsigned id)
{
	char b[64];
	snprintf(b, sizeof b, "0 %u 1", id);
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, b, strlen(b));
	close(fd);
	return n == (ssize_t)strlen(b) ? 0 : -1;
}

static int lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	int rc = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 ? 0 : -1;
	if (!rc) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (s >= 0)
		close(s);
	return rc;
}

static int listen_on(uint16_t port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) || listen(s, 64))
		return -1;
	return s;
}

/* Echo server: one connection at a time; the reply's first byte says which
 * listener accepted (1 = 8080, 2 = 15001). */
static void server_main(int l1, int l2)
{
	unsigned char buf[64];
	for (;;) {
		struct pollfd pf[2] = {{l1, POLLIN, 0}, {l2, POLLIN, 0}};
		if (poll(pf, 2, -1) < 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (!(pf[i].revents & POLLIN))
				continue;
			int c = accept(pf[i].fd, NULL, NULL);
			if (c < 0)
				continue;
			int one = 1;
			setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			for (;;) {
				ssize_t r = read(c, buf, sizeof buf);
				if (r <= 0)
					break;
				buf[0] = (unsigned char)(i + 1);
				if (write(c, buf, (size_t)r) != r)
					break;
			}
			close(c);
		}
	}
}

static int xfer(int fd, unsigned char *buf, unsigned char *tag)
{
	size_t got = 0;
	if (write(fd, buf, 64) != 64)
		return -1;
	while (got < 64) {
		ssize_t r = read(fd, buf + got, 64 - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	*tag = buf[0];
	return 0;
}

static int dial(uint16_t port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int one = 1;
	struct linger lg = {1, 0}; /* close with RST: no TIME_WAIT pile-up */
	if (s < 0)
		return -1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa)) {
		close(s);
		return -1;
	}
	return s;
}

static int measure(int reps, long nconn, long nrtt, uint16_t port, unsigned char want,
		   int srv, double *conn, double *rtt)
{
	unsigned char buf[64], tag = 0;
	memset(buf, 0x61, sizeof buf);
	for (int r = -1; r < reps; r++) {
		double t0 = calib_group_cpu_ns(&srv, 1);
		for (long i = 0; i < nconn; i++) {
			int fd = dial(port);
			if (fd < 0 || xfer(fd, buf, &tag) || tag != want) {
				if (fd >= 0)
					close(fd);
				return -1;
			}
			close(fd);
		}
		double t1 = calib_group_cpu_ns(&srv, 1);
		int fd = dial(port);
		if (fd < 0)
			return -1;
		for (long i = 0; i < nrtt; i++)
			if (xfer(fd, buf, &tag) || tag != want) {
				close(fd);
				return -1;
			}
		close(fd);
		double t2 = calib_group_cpu_ns(&srv, 1);
		if (r >= 0) {
			conn[r] = (t1 - t0) / (double)nconn;
			rtt[r] = (t2 - t1) / (double)nrtt;
		}
	}
	return 0;
}

static void child_main(int quick, int reps, int out)
{
	ipt_result *res = calloc(1, sizeof *res);
	res->status = CALIB_SKIPPED;
	res->nconn = quick ? 200 : 1000;
	res->nrtt = quick ? 1000 : 5000;
	pid_t srv = -1;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof set, &set);
	if (unshare(CLONE_NEWNET) != 0) {
		/* not root: a user namespace may still give us a network namespace */
		int e1 = errno;
		uid_t uid = geteuid();
		gid_t gid = getegid();
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0 ||
		    write_file("/proc/self/setgroups", "deny") ||
		    write_idmap("/proc/self/uid_map", (unsigned)uid) ||
		    write_idmap("/proc/self/gid_map", (unsigned)gid)) {
			snprintf(res->msg, sizeof res->msg,
				 "cannot make a network namespace (unshare: %s; with a user "
				 "namespace: %s; needs root, CAP_SYS_ADMIN or unprivileged user "
				 "namespaces): no iptables figures",
				 strerror(e1), strerror(errno));
			goto done;
		}
	}
	if (lo_up()) {
		snprintf(res->msg, sizeof res->msg, "cannot bring lo up in the namespace: %s",
			 strerror(errno));
		goto done;
	}
	int l1 = listen_on(8080), l2 = listen_on(15001);
	if (l1 < 0 || l2 < 0) {
		snprintf(res->msg, sizeof res->msg, "listen: %s", strerror(errno));
		goto done;
	}
	srv = fork();
	if (srv == 0)
		server_main(l1, l2);
	close(l1);
	close(l2);
	res->status = CALIB_FAILED;
	if (measure(reps, res->nconn, res->nrtt, 8080, 1, srv, res->conn[ST_PLAIN], res->rtt[ST_PLAIN])) {
		snprintf(res->msg, sizeof res->msg, "plain loopback exchange failed");
		goto done;
	}
	/* the rules */
	char err[256];
	char *cmds[16][16] = {
		{"iptables", "-w", "-t", "nat", "-N", "MESH_OUTPUT", NULL},
		{"iptables", "-w", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-j", "MESH_OUTPUT", NULL},
	};
	int nc = 2;
	static char ports[10][12];
	for (int i = 0; i < 10; i++) {
		snprintf(ports[i], sizeof ports[i], "%d", 9000 + i);
		char *c[] = {"iptables", "-w", "-t", "nat", "-A", "MESH_OUTPUT", "-p", "tcp", "--dport",
			     ports[i], "-j", "RETURN", NULL};
		memcpy(cmds[nc++], c, sizeof c);
	}
	char *red[] = {"iptables", "-w", "-t", "nat", "-A", "MESH_OUTPUT", "-p", "tcp", "--dport",
		       "8080", "-j", "REDIRECT", "--to-ports", "15001", NULL};
	memcpy(cmds[nc++], red, sizeof red);
	for (int i = 0; i < nc; i++)
		if (run_cmd(cmds[i], err, sizeof err)) {
			res->status = CALIB_SKIPPED;
			snprintf(res->msg, sizeof res->msg, "iptables unusable here: %s", err);
			goto done;
		}
	if (measure(reps, res->nconn, res->nrtt, 15001, 2, srv, res->conn[ST_NAT], res->rtt[ST_NAT])) {
		snprintf(res->msg, sizeof res->msg, "exchange with the nat table loaded failed");
		goto done;
	}
	if (measure(reps, res->nconn, res->nrtt, 8080, 2, srv, res->conn[ST_REDIRECT],
		    res->rtt[ST_REDIRECT])) {
		snprintf(res->msg, sizeof res->msg,
			 "the REDIRECT rule did not send port 8080 to 15001");
		goto done;
	}
	res->status = CALIB_OK;
done:
	if (srv > 0) {
		kill(srv, SIGKILL);
		waitpid(srv, NULL, 0);
	}
	if (write(out, res, sizeof *res) != (ssize_t)sizeof *res)
		_exit(1);
	_exit(0);
}

int kernel_iptables(calib_ctx *c)
{
	int pfd[2];
	if (pipe(pfd))
		return calib_fail(c, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		return calib_fail(c, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(pfd[0]);
		child_main(c->quick, c->reps, pfd[1]);
	}
	close(pfd[1]);
	ipt_result *res = calloc(1, sizeof *res);
	size_t got = 0;
	while (res && got < sizeof *res) {
		ssize_t r = read(pfd[0], (char *)res + got, sizeof *res - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	if (!res || got != sizeof *res) {
		free(res);
		return calib_fail(c, "iptables child died");
	}
	int rc = res->status;
	if (rc != CALIB_OK) {
		snprintf(c->note, sizeof c->note, "%s", res->msg);
		free(res);
		return rc;
	}
	static const char *names[NSTATES] = {"plain", "nat", "redirect"};
	char key[64];
	for (int s = 0; s < NSTATES; s++) {
		snprintf(key, sizeof key, "net.loopback_conn.%s", names[s]);
		calib_add(c, key, 64, res->conn[s], c->reps, 1.0, res->nconn);
		snprintf(key, sizeof key, "net.loopback_rtt.%s", names[s]);
		calib_add(c, key, 64, res->rtt[s], c->reps, 1.0, res->nrtt);
	}
	double dc[CALIB_MAX_REPS], dr[CALIB_MAX_REPS];
	double pc = calib_median(res->conn[ST_PLAIN], c->reps);
	double pr = calib_median(res->rtt[ST_PLAIN], c->reps);
	for (int r = 0; r < c->reps; r++) {
		dc[r] = res->conn[ST_REDIRECT][r] - pc;
		dr[r] = res->rtt[ST_REDIRECT][r] - pr;
	}
	calib_meas *m1 = calib_add(c, "net.iptables_redirect.connection", 0, dc, c->reps, 1.0,
				   res->nconn);
	calib_meas *m2 = calib_add(c, "net.iptables_redirect.rtt", 0, dr, c->reps, 1.0, res->nrtt);
	if (m1)
		m1->derived = 1;
	if (m2)
		m2->derived = 1;
	snprintf(c->note, sizeof c->note,
		 "throwaway netns, one CPU; connection %.1f -> %.1f us, round trip %.2f -> %.2f us "
		 "(plain -> redirected)",
		 pc / 1e3, calib_median(res->conn[ST_REDIRECT], c->reps) / 1e3, pr / 1e3,
		 calib_median(res->rtt[ST_REDIRECT], c->reps) / 1e3);
	free(res);
	return CALIB_OK;
}
