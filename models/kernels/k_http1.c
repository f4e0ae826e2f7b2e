/*
 * models/kernels/k_http1.c - HTTP/1.1 parsing with http-parser (nodejs
 * http-parser 2.9, Debian libhttp-parser). Callbacks record name/value
 * spans without copying, as a proxy's codec does; size is the message's
 * length in bytes (headers + body).
 */
#include <http_parser.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels/calib.h"
#include "models/kernels/kern.h"

typedef struct {
	const char *p;
	size_t n;
} span;

typedef struct {
	span url;
	span name[H1_MAX_HEADERS], value[H1_MAX_HEADERS];
	int nh;
	int in_value;
	size_t body;
	int complete;
} spans;

static void extend(span *s, const char *at, size_t len)
{
	if (s->p && s->p + s->n == at)
		s->n += len;
	else if (!s->p) {
		s->p = at;
		s->n = len;
	}
}

static int on_url(http_parser *hp, const char *at, size_t len)
{
	spans *s = hp->data;
	extend(&s->url, at, len);
	return 0;
}

static int on_hfield(http_parser *hp, const char *at, size_t len)
{
	spans *s = hp->data;
	if (s->in_value || s->nh == 0) {
		if (s->nh >= H1_MAX_HEADERS)
			return 1;
		s->nh++;
		s->in_value = 0;
		s->name[s->nh - 1] = (span){at, len};
		s->value[s->nh - 1] = (span){NULL, 0};
		return 0;
	}
	extend(&s->name[s->nh - 1], at, len);
	return 0;
}

static int on_hvalue(http_parser *hp, const char *at, size_t len)
{
	spans *s = hp->data;
	if (s->nh == 0)
		return 1;
	s->in_value = 1;
	extend(&s->value[s->nh - 1], at, len);
	return 0;
}

static int on_body(http_parser *hp, const char *at, size_t len)
{
	(void)at;
	((spans *)hp->data)->body += len;
	return 0;
}

static int on_complete(http_parser *hp)
{
	((spans *)hp->data)->complete = 1;
	return 0;
}

static http_parser_settings settings = {
	.on_url = on_url,
	.on_header_field = on_hfield,
	.on_header_value = on_hvalue,
	.on_body = on_body,
	.on_message_complete = on_complete,
};

static long parse_spans(const char *buf, size_t len, int is_request, http_parser *hp, spans *s)
{
	s->nh = 0;
	s->in_value = 0;
	s->body = 0;
	s->complete = 0;
	s->url = (span){NULL, 0};
	http_parser_init(hp, is_request ? HTTP_REQUEST : HTTP_RESPONSE);
	hp->data = s;
	size_t n = http_parser_execute(hp, &settings, buf, len);
	if (HTTP_PARSER_ERRNO(hp) != HPE_OK || n != len)
		return -1;
	return (long)n;
}

static void copy(char *dst, size_t cap, span s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

long h1_parse(const char *buf, size_t len, int is_request, h1_msg *out)
{
	http_parser hp;
	spans s;
	memset(out, 0, sizeof *out);
	long n = parse_spans(buf, len, is_request, &hp, &s);
	if (n < 0)
		return -1;
	out->method = (int)hp.method;
	out->status = (int)hp.status_code;
	copy(out->url, sizeof out->url, s.url);
	out->nheaders = s.nh;
	for (int i = 0; i < s.nh; i++) {
		copy(out->name[i], sizeof out->name[i], s.name[i]);
		copy(out->value[i], sizeof out->value[i], s.value[i]);
	}
	out->body_bytes = s.body;
	out->complete = s.complete;
	return n;
}

#define REQ_HEAD                                                                              \
	"GET /api/v1/items/12345?view=full HTTP/1.1\r\n"                                      \
	"Host: productpage.default.svc.cluster.local:9080\r\n"                                \
	"User-Agent: fortio.org/fortio-1.63.0\r\n"                                            \
	"Accept: application/json\r\n"                                                        \
	"Accept-Encoding: gzip\r\n"                                                           \
	"X-Request-Id: 5b1c3f6a-8a2e-4c8e-9a53-0d6f2b7e9c41\r\n"                              \
	"traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"

size_t h1_build_request(char *buf, size_t cap, size_t target)
{
	size_t n = (size_t)snprintf(buf, cap, "%s", REQ_HEAD);
	int k = 0;
	/* pad with x-pad-NN headers until target - 2 ("\r\n" ends the
	 * head); exact whenever target >= the base request (303 B) + 12 */
	const size_t over = 12; /* "x-pad-NN: " + "\r\n" */
	while (n + 2 + over <= target && k < H1_MAX_HEADERS - 8) {
		size_t room = target - 2 - n;
		size_t vlen = room - over;
		if (vlen > 200) {
			vlen = 200;
			if (room - over - vlen < over) /* leave room for one more header */
				vlen -= over;
		}
		if (n + over + vlen + 3 > cap)
			break;
		n += (size_t)snprintf(buf + n, cap - n, "x-pad-%02d: ", k++);
		memset(buf + n, 'a' + (char)(k % 26), vlen);
		n += vlen;
		memcpy(buf + n, "\r\n", 2);
		n += 2;
	}
	if (n + 3 > cap)
		return 0;
	memcpy(buf + n, "\r\n", 3);
	return n + 2;
}

size_t h1_build_response(char *buf, size_t cap, size_t body)
{
	int h = snprintf(buf, cap,
			 "HTTP/1.1 200 OK\r\n"
			 "content-type: application/json\r\n"
			 "content-length: %zu\r\n"
			 "date: Fri, 27 Nov 2026 12:00:00 GMT\r\n"
			 "x-envoy-upstream-service-time: 3\r\n"
			 "\r\n",
			 body);
	if (h < 0 || (size_t)h + body > cap)
		return 0;
	memset(buf + h, '{', body);
	return (size_t)h + body;
}

/* ---- the kernel ---- */

typedef struct {
	const char *buf;
	size_t len;
	int req;
	int expect_nh;
	size_t expect_body;
} h1_arg;

static int h1_body(void *p, long iters)
{
	h1_arg *a = p;
	http_parser hp;
	spans s;
	for (long i = 0; i < iters; i++)
		if (parse_spans(a->buf, a->len, a->req, &hp, &s) < 0)
			return -1;
	/* check the last parse */
	if (!s.complete || s.nh != a->expect_nh || s.body != a->expect_body)
		return -1;
	if (a->req && (hp.method != HTTP_GET || s.url.n < 10 || memcmp(s.url.p, "/api/v1/", 8)))
		return -1;
	if (!a->req && hp.status_code != 200)
		return -1;
	return 0;
}

int kernel_http1(calib_ctx *c)
{
	static const size_t rq_full[] = {320, 1024, 2048, 4096, 8192};
	static const size_t rq_quick[] = {320, 2048, 8192};
	static const size_t rs_full[] = {0, 1024, 4096, 16384};
	static const size_t rs_quick[] = {0, 4096, 16384};
	char *buf = malloc(32768);
	h1_msg *m = malloc(sizeof *m);
	int rc = CALIB_OK;
	if (!buf || !m) {
		rc = calib_fail(c, "out of memory");
		goto out;
	}
	const size_t *rq = c->quick ? rq_quick : rq_full;
	int nrq = c->quick ? 3 : 5;
	for (int i = 0; i < nrq && rc == CALIB_OK; i++) {
		size_t len = h1_build_request(buf, 32768, rq[i]);
		if (h1_parse(buf, len, 1, m) < 0 || m->nheaders < 6) {
			rc = calib_fail(c, "request of %zu B did not parse", len);
			break;
		}
		h1_arg a = {buf, len, 1, m->nheaders, 0};
		if (calib_loop(c, "http1.parse.request", len, h1_body, &a))
			rc = CALIB_FAILED;
	}
	const size_t *rs = c->quick ? rs_quick : rs_full;
	int nrs = c->quick ? 3 : 4;
	for (int i = 0; i < nrs && rc == CALIB_OK; i++) {
		size_t len = h1_build_response(buf, 32768, rs[i]);
		if (h1_parse(buf, len, 0, m) < 0 || m->body_bytes != rs[i]) {
			rc = calib_fail(c, "response with %zu B body did not parse", rs[i]);
			break;
		}
		h1_arg a = {buf, len, 0, m->nheaders, rs[i]};
		if (calib_loop(c, "http1.parse.response", len, h1_body, &a))
			rc = CALIB_FAILED;
	}
out:
	free(buf);
	free(m);
	return rc;
}
