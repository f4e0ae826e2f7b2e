/*
 * models/kernels/k_http2.c - HTTP/2 framing and HPACK with nghttp2: a client
 * and a server session in one thread exchange bytes through memory buffers
 * (nghttp2_session_mem_send / mem_recv); each side's calls are timed
 * separately.
 *
 * - HBONE CONNECT stream: client HEADERS (:method CONNECT, :authority
 *   pod-ip:port, baggage, forwarded, traceparent), server HEADERS :status 200,
 *   then END_STREAM both ways (empty DATA frames); streams close cleanly (no
 *   RST_STREAM: Debian's nghttp2 1.52 limits rapid resets).
 * - DATA frames of n bytes on one open CONNECT stream (flow control and the
 *   server's WINDOW_UPDATEs included).
 * - a gRPC unary call: request HEADERS + DATA (5-byte prefix + n bytes),
 *   response HEADERS + DATA + trailers (grpc-status).
 * A pair carries one kind of traffic at a time.
 */
#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

#define H2_MAXMSG (16384 + 5)

/* Per-call wall-clock timers, used only to split a batch's CPU time
 * between client and server; off while a batch's total is measured. */
static int timing = 1;
static double tnow(void)
{
	return timing ? calib_now_ns() : 0.0;
}

typedef struct {
	const uint8_t *p;
	size_t n, off;
	int eof;
	int trailers; /* send grpc trailers after the data */
} outbox;

enum { MODE_CONNECT, MODE_GRPC };

struct h2_pair {
	nghttp2_session *cs, *ss;
	uint8_t *c2s, *s2c;
	size_t c2s_n, s2c_n, c2s_cap, s2c_cap;
	outbox cout, sout;
	int mode;
	int32_t sid;      /* the client's current stream */
	int32_t data_sid; /* the open stream used for DATA frames */
	/* what the server saw */
	char method[16], authority[128], path[128];
	int srv_closed;
	size_t srv_bytes;
	uint8_t sink[H2_MAXMSG];
	/* what the client saw */
	int status, cli_closed;
	size_t cli_bytes;
	char grpc_status[8];
	uint8_t req[H2_MAXMSG], resp[H2_MAXMSG];
};

#define NV(n, v)                                                                       \
	{                                                                              \
		(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v),              \
			NGHTTP2_NV_FLAG_NONE                                           \
	}

static int append(uint8_t **buf, size_t *n, size_t *cap, const uint8_t *d, size_t len)
{
	if (*n + len > *cap) {
		size_t nc = (*cap ? *cap : 65536);
		while (nc < *n + len)
			nc *= 2;
		uint8_t *b = realloc(*buf, nc);
		if (!b)
			return -1;
		*buf = b;
		*cap = nc;
	}
	memcpy(*buf + *n, d, len);
	*n += len;
	return 0;
}

static ssize_t read_cb(nghttp2_session *s, int32_t sid, uint8_t *buf, size_t len,
		       uint32_t *flags, nghttp2_data_source *src, void *ud)
{
	(void)ud;
	outbox *o = src->ptr;
	size_t k = o->n - o->off;
	if (k > len)
		k = len;
	if (k)
		memcpy(buf, o->p + o->off, k);
	o->off += k;
	if (o->off == o->n) {
		if (o->eof) {
			*flags |= NGHTTP2_DATA_FLAG_EOF;
			if (o->trailers) {
				nghttp2_nv tr[] = {NV("grpc-status", "0"), NV("grpc-message", "")};
				*flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
				if (nghttp2_submit_trailer(s, sid, tr, 2) != 0)
					return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
			}
		} else if (k == 0) {
			return NGHTTP2_ERR_DEFERRED;
		}
	}
	return (ssize_t)k;
}

static void setfield(char *dst, size_t cap, const uint8_t *v, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int srv_on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
			 size_t nl, const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
	(void)s, (void)f, (void)flags;
	h2_pair *p = ud;
	if (nl == 7 && !memcmp(name, ":method", 7))
		setfield(p->method, sizeof p->method, value, vl);
	else if (nl == 10 && !memcmp(name, ":authority", 10))
		setfield(p->authority, sizeof p->authority, value, vl);
	else if (nl == 5 && !memcmp(name, ":path", 5))
		setfield(p->path, sizeof p->path, value, vl);
	return 0;
}

static int srv_on_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	h2_pair *p = ud;
	int32_t sid = f->hd.stream_id;
	nghttp2_data_provider prd = {.source.ptr = &p->sout, .read_callback = read_cb};
	if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST &&
	    p->mode == MODE_CONNECT) {
		nghttp2_nv h[] = {NV(":status", "200")};
		p->sout = (outbox){NULL, 0, 0, 0, 0};
		if (nghttp2_submit_response(s, sid, h, 1, &prd) != 0)
			return NGHTTP2_ERR_CALLBACK_FAILURE;
	}
	if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
	    (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
		if (p->mode == MODE_CONNECT) {
			p->sout.eof = 1;
			nghttp2_session_resume_data(s, sid);
		} else {
			/* gRPC: echo a message of the request's size, then trailers */
			nghttp2_nv h[] = {NV(":status", "200"), NV("content-type", "application/grpc")};
			size_t n = p->srv_bytes;
			if (n > sizeof p->resp)
				n = sizeof p->resp;
			memcpy(p->resp, p->sink, n);
			p->sout = (outbox){p->resp, n, 0, 1, 1};
			if (nghttp2_submit_response(s, sid, h, 2, &prd) != 0)
				return NGHTTP2_ERR_CALLBACK_FAILURE;
		}
	}
	return 0;
}

static int srv_on_data(nghttp2_session *s, uint8_t flags, int32_t sid, const uint8_t *d, size_t len,
		       void *ud)
{
	(void)s, (void)flags, (void)sid;
	h2_pair *p = ud;
	if (p->srv_bytes + len <= sizeof p->sink)
		memcpy(p->sink + p->srv_bytes, d, len);
	p->srv_bytes += len;
	return 0;
}

static int srv_on_close(nghttp2_session *s, int32_t sid, uint32_t err, void *ud)
{
	(void)s, (void)sid;
	((h2_pair *)ud)->srv_closed = err == NGHTTP2_NO_ERROR ? 1 : -1;
	return 0;
}

static int cli_on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
			 size_t nl, const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
	(void)s, (void)f, (void)flags;
	h2_pair *p = ud;
	if (nl == 7 && !memcmp(name, ":status", 7)) {
		char b[8];
		setfield(b, sizeof b, value, vl);
		p->status = atoi(b);
	} else if (nl == 11 && !memcmp(name, "grpc-status", 11)) {
		setfield(p->grpc_status, sizeof p->grpc_status, value, vl);
	}
	return 0;
}

static int cli_on_data(nghttp2_session *s, uint8_t flags, int32_t sid, const uint8_t *d, size_t len,
		       void *ud)
{
	(void)s, (void)flags, (void)sid, (void)d;
	((h2_pair *)ud)->cli_bytes += len;
	return 0;
}

static int cli_on_close(nghttp2_session *s, int32_t sid, uint32_t err, void *ud)
{
	(void)s, (void)sid;
	((h2_pair *)ud)->cli_closed = err == NGHTTP2_NO_ERROR ? 1 : -1;
	return 0;
}

/* Move bytes both ways until both sessions are idle. */
static int pump(h2_pair *p, double *cns, double *sns)
{
	for (int round = 0; round < 1000; round++) {
		int moved = 0;
		const uint8_t *d;
		ssize_t n;
		double t0 = tnow();
		while ((n = nghttp2_session_mem_send(p->cs, &d)) > 0) {
			if (append(&p->c2s, &p->c2s_n, &p->c2s_cap, d, (size_t)n))
				return -1;
			moved = 1;
		}
		if (n < 0)
			return -1;
		if (p->s2c_n) {
			if (nghttp2_session_mem_recv(p->cs, p->s2c, p->s2c_n) != (ssize_t)p->s2c_n)
				return -1;
			p->s2c_n = 0;
			moved = 1;
		}
		double t1 = tnow();
		if (p->c2s_n) {
			if (nghttp2_session_mem_recv(p->ss, p->c2s, p->c2s_n) != (ssize_t)p->c2s_n)
				return -1;
			p->c2s_n = 0;
			moved = 1;
		}
		while ((n = nghttp2_session_mem_send(p->ss, &d)) > 0) {
			if (append(&p->s2c, &p->s2c_n, &p->s2c_cap, d, (size_t)n))
				return -1;
			moved = 1;
		}
		double t2 = tnow();
		if (cns)
			*cns += t1 - t0;
		if (sns)
			*sns += t2 - t1;
		if (n < 0)
			return -1;
		if (!moved)
			return 0;
	}
	return -1;
}

h2_pair *h2_pair_new(void)
{
	h2_pair *p = calloc(1, sizeof *p);
	nghttp2_session_callbacks *cb = NULL;
	if (!p || nghttp2_session_callbacks_new(&cb)) {
		free(p);
		return NULL;
	}
	nghttp2_session_callbacks_set_on_header_callback(cb, srv_on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, srv_on_frame);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, srv_on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, srv_on_close);
	int bad = nghttp2_session_server_new(&p->ss, cb, p);
	nghttp2_session_callbacks_del(cb);
	cb = NULL;
	if (!bad && !nghttp2_session_callbacks_new(&cb)) {
		nghttp2_session_callbacks_set_on_header_callback(cb, cli_on_header);
		nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, cli_on_data);
		nghttp2_session_callbacks_set_on_stream_close_callback(cb, cli_on_close);
		bad = nghttp2_session_client_new(&p->cs, cb, p);
		nghttp2_session_callbacks_del(cb);
	} else {
		bad = 1;
	}
	nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
	if (bad || nghttp2_submit_settings(p->cs, NGHTTP2_FLAG_NONE, iv, 1) ||
	    nghttp2_submit_settings(p->ss, NGHTTP2_FLAG_NONE, iv, 1) || pump(p, NULL, NULL)) {
		h2_pair_free(p);
		return NULL;
	}
	return p;
}

void h2_pair_free(h2_pair *p)
{
	if (!p)
		return;
	nghttp2_session_del(p->cs);
	nghttp2_session_del(p->ss);
	free(p->c2s);
	free(p->s2c);
	free(p);
}

const char *h2_last_method(const h2_pair *p)
{
	return p->method;
}
const char *h2_last_authority(const h2_pair *p)
{
	return p->authority;
}
const char *h2_last_path(const h2_pair *p)
{
	return p->path;
}

static int open_connect(h2_pair *p, const char *authority, double *cns, double *sns)
{
	nghttp2_nv h[] = {
		NV(":method", "CONNECT"),
		NV(":authority", authority),
		NV("baggage", "k8s.namespace.name=default,k8s.pod.name=client-7d9f8b6c5-x2x4z"),
		NV("forwarded", "for=10.244.0.12"),
		NV("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
	};
	nghttp2_data_provider prd = {.source.ptr = &p->cout, .read_callback = read_cb};
	p->mode = MODE_CONNECT;
	p->method[0] = p->authority[0] = p->path[0] = '\0';
	p->status = 0;
	p->srv_closed = p->cli_closed = 0;
	p->cout = (outbox){NULL, 0, 0, 0, 0};
	double t0 = tnow();
	int32_t sid = nghttp2_submit_request(p->cs, NULL, h, 5, &prd, NULL);
	*cns += tnow() - t0;
	if (sid < 0 || pump(p, cns, sns))
		return -1;
	p->sid = sid;
	if (p->status != 200 || strcmp(p->method, "CONNECT") || strcmp(p->authority, authority))
		return -1;
	return 0;
}

int h2_connect_stream(h2_pair *p, const char *authority, double *client_ns, double *server_ns)
{
	double c = 0, s = 0;
	int rc = open_connect(p, authority, &c, &s);
	if (rc == 0) {
		double t0 = tnow();
		p->cout.eof = 1;
		nghttp2_session_resume_data(p->cs, p->sid);
		c += tnow() - t0;
		if (pump(p, &c, &s) || p->cli_closed != 1 || p->srv_closed != 1)
			rc = -1;
	}
	*client_ns = c;
	*server_ns = s;
	return rc;
}

int h2_data_frame(h2_pair *p, size_t n, double *send_ns, double *recv_ns)
{
	double c = 0, s = 0;
	if (n > 16384)
		return -1;
	if (!p->data_sid) {
		if (open_connect(p, "10.244.1.17:8080", &c, &s))
			return -1;
		p->data_sid = p->sid;
		for (size_t i = 0; i < sizeof p->req; i++)
			p->req[i] = (uint8_t)(i * 31 + 7);
		c = s = 0;
	}
	p->req[0]++;
	p->cout = (outbox){p->req, n, 0, 0, 0};
	p->srv_bytes = 0;
	double t0 = tnow();
	int bad = nghttp2_session_resume_data(p->cs, p->data_sid);
	c += tnow() - t0;
	if (bad || pump(p, &c, &s))
		return -1;
	*send_ns = c;
	*recv_ns = s;
	return (p->srv_bytes == n && !memcmp(p->sink, p->req, n)) ? 0 : -1;
}

int h2_grpc_call(h2_pair *p, size_t n, double *client_ns, double *server_ns)
{
	nghttp2_nv h[] = {
		NV(":method", "POST"),
		NV(":scheme", "http"),
		NV(":path", "/meshsim.v1.Echo/Call"),
		NV(":authority", "echo.default.svc.cluster.local:9090"),
		NV("content-type", "application/grpc"),
		NV("te", "trailers"),
		NV("grpc-timeout", "5S"),
		NV("user-agent", "grpc-go/1.60.0"),
	};
	if (n + 5 > sizeof p->req)
		return -1;
	p->req[0] = 0; /* not compressed */
	p->req[1] = (uint8_t)(n >> 24);
	p->req[2] = (uint8_t)(n >> 16);
	p->req[3] = (uint8_t)(n >> 8);
	p->req[4] = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		p->req[5 + i] = (uint8_t)(i * 13 + n);
	p->mode = MODE_GRPC;
	p->srv_bytes = p->cli_bytes = 0;
	p->srv_closed = p->cli_closed = 0;
	p->status = 0;
	p->grpc_status[0] = '\0';
	p->cout = (outbox){p->req, n + 5, 0, 1, 0};
	nghttp2_data_provider prd = {.source.ptr = &p->cout, .read_callback = read_cb};
	double c = 0, s = 0;
	double t0 = tnow();
	int32_t sid = nghttp2_submit_request(p->cs, NULL, h, sizeof h / sizeof h[0], &prd, NULL);
	c += tnow() - t0;
	int rc = (sid < 0 || pump(p, &c, &s)) ? -1 : 0;
	*client_ns = c;
	*server_ns = s;
	if (rc || p->status != 200 || strcmp(p->grpc_status, "0") || p->cli_closed != 1 ||
	    p->srv_closed != 1 || p->srv_bytes != n + 5 || p->cli_bytes != n + 5 ||
	    strcmp(p->path, "/meshsim.v1.Echo/Call") || memcmp(p->sink, p->req, n + 5))
		return -1;
	return 0;
}

/* ---- the kernel ---- */

typedef int (*h2_op)(h2_pair *p, size_t n, double *a, double *b);

static int op_connect(h2_pair *p, size_t n, double *a, double *b)
{
	(void)n;
	return h2_connect_stream(p, "10.244.1.17:8080", a, b);
}

/* Per repetition: `per` operations; both sides' times recorded. */
static int run_op(calib_ctx *c, h2_op fn, size_t n, const char *ka, const char *kb)
{
	h2_pair *p = h2_pair_new();
	if (!p)
		return calib_fail(c, "nghttp2 session setup failed");
	double a, b, va[CALIB_MAX_REPS], vb[CALIB_MAX_REPS];
	long per = 1;
	int rc = CALIB_OK;
	/* warm-up, then sizing */
	double el = 0;
	for (int pass = 0; pass < 2; pass++) {
		double t0 = calib_now_ns();
		for (long i = 0; i < 16 && rc == CALIB_OK; i++)
			if (fn(p, n, &a, &b))
				rc = calib_fail(c, "%s (size %zu): check failed", ka, n);
		el = (calib_now_ns() - t0) / 16;
	}
	per = el > 0 ? (long)(c->rep_ns / el) + 1 : 1;
	double u0, s0, u1, s1;
	calib_cpu_ns(&u0, &s0);
	for (int r = 0; r < c->reps && rc == CALIB_OK; r++) {
		/* the batch's CPU time with the per-call timers off ... */
		timing = 0;
		double t0 = calib_cpu_now_ns();
		for (long i = 0; i < per; i++)
			if (fn(p, n, &a, &b)) {
				rc = calib_fail(c, "%s (size %zu): check failed", ka, n);
				break;
			}
		double total = (calib_cpu_now_ns() - t0) / per;
		timing = 1;
		/* ... split by the sides' shares measured on a quarter batch */
		double sa = 0, sb = 0;
		for (long i = 0; i < per / 4 + 1 && rc == CALIB_OK; i++) {
			if (fn(p, n, &a, &b))
				rc = calib_fail(c, "%s (size %zu): check failed", ka, n);
			sa += a;
			sb += b;
		}
		double fa = (sa + sb) > 0 ? sa / (sa + sb) : 0.5;
		va[r] = total * fa;
		vb[r] = total * (1.0 - fa);
	}
	timing = 1;
	calib_cpu_ns(&u1, &s1);
	if (rc == CALIB_OK) {
		double kf = (u1 - u0 + s1 - s0) > 0 ? (s1 - s0) / (u1 - u0 + s1 - s0) : 0.0;
		calib_add(c, ka, fn == op_connect ? 0 : n, va, c->reps, kf, per);
		calib_add(c, kb, fn == op_connect ? 0 : n, vb, c->reps, kf, per);
	}
	h2_pair_free(p);
	return rc;
}

int kernel_http2(calib_ctx *c)
{
	static const size_t full[] = {64, 256, 1024, 4096, 16384};
	static const size_t quick[] = {64, 1024, 16384};
	const size_t *sizes = c->quick ? quick : full;
	int ns = c->quick ? 3 : 5;
	int rc = run_op(c, op_connect, 0, "h2.connect.client", "h2.connect.server");
	for (int i = 0; i < ns && rc == CALIB_OK; i++)
		rc = run_op(c, h2_data_frame, sizes[i], "h2.data.send", "h2.data.recv");
	for (int i = 0; i < ns && rc == CALIB_OK; i++)
		rc = run_op(c, h2_grpc_call, sizes[i], "h2.grpc.client", "h2.grpc.server");
	if (rc == CALIB_OK)
		snprintf(c->note, sizeof c->note, "nghttp2 %s", nghttp2_version(0)->version_str);
	return rc;
}
