/*
 * tests/models/kernels/test_http.c - HTTP/1.1 parsing (method, path,
 * headers, body, sizes of the built messages, malformed input) and HTTP/2
 * (HBONE CONNECT stream seen by the server, DATA frames intact, gRPC calls,
 * many streams on one connection).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <http_parser.h>
#include <string.h>

#include "models/kernels/kern.h"

static h1_msg m;

static void parse_request(void **state)
{
	(void)state;
	const char *req = "POST /v1/orders?id=7 HTTP/1.1\r\n"
			  "Host: orders.default.svc\r\n"
			  "Content-Type: application/json\r\n"
			  "X-Multi: a\r\n"
			  "Content-Length: 5\r\n"
			  "\r\n"
			  "hello";
	assert_int_equal(h1_parse(req, strlen(req), 1, &m), (long)strlen(req));
	assert_int_equal(m.method, HTTP_POST);
	assert_string_equal(m.url, "/v1/orders?id=7");
	assert_int_equal(m.nheaders, 4);
	assert_string_equal(m.name[0], "Host");
	assert_string_equal(m.value[0], "orders.default.svc");
	assert_string_equal(m.name[1], "Content-Type");
	assert_string_equal(m.value[1], "application/json");
	assert_string_equal(m.name[3], "Content-Length");
	assert_string_equal(m.value[3], "5");
	assert_int_equal((int)m.body_bytes, 5);
	assert_true(m.complete);
}

static void built_messages(void **state)
{
	(void)state;
	static char buf[32768];
	const size_t targets[] = {320, 321, 1024, 2000, 4096, 8192};
	for (int i = 0; i < 6; i++) {
		size_t n = h1_build_request(buf, sizeof buf, targets[i]);
		assert_int_equal(n, targets[i]);
		assert_int_equal(h1_parse(buf, n, 1, &m), (long)n);
		assert_int_equal(m.method, HTTP_GET);
		assert_string_equal(m.url, "/api/v1/items/12345?view=full");
		assert_string_equal(m.name[0], "Host");
		assert_string_equal(m.value[0], "productpage.default.svc.cluster.local:9080");
		assert_string_equal(m.name[5], "traceparent");
		assert_true(m.complete);
	}
	size_t n = h1_build_response(buf, sizeof buf, 1024);
	assert_int_equal(h1_parse(buf, n, 0, &m), (long)n);
	assert_int_equal(m.status, 200);
	assert_int_equal((int)m.body_bytes, 1024);
	assert_string_equal(m.name[1], "content-length");
	assert_string_equal(m.value[1], "1024");
}

static void malformed(void **state)
{
	(void)state;
	const char *bad = "GET /x HTTP/1.1\r\nContent-Length: abc\r\n\r\n";
	assert_int_equal(h1_parse(bad, strlen(bad), 1, &m), -1);
	const char *bad2 = "GE T / HTTP/1.1\r\n\r\n";
	assert_int_equal(h1_parse(bad2, strlen(bad2), 1, &m), -1);
	/* an incomplete message parses but is not complete */
	const char *part = "GET /x HTTP/1.1\r\nHost: a\r\n";
	assert_int_equal(h1_parse(part, strlen(part), 1, &m), (long)strlen(part));
	assert_false(m.complete);
}

static void h2_connect(void **state)
{
	(void)state;
	h2_pair *p = h2_pair_new();
	assert_non_null(p);
	double c, s;
	assert_int_equal(h2_connect_stream(p, "10.244.1.17:8080", &c, &s), 0);
	assert_string_equal(h2_last_method(p), "CONNECT");
	assert_string_equal(h2_last_authority(p), "10.244.1.17:8080");
	assert_string_equal(h2_last_path(p), "");
	assert_true(c > 0 && s > 0);
	/* many streams opened and closed cleanly on one connection (well past
	 * nghttp2's rapid-reset limit, which only counts resets) */
	for (int i = 0; i < 3000; i++)
		assert_int_equal(h2_connect_stream(p, "10.244.2.9:15008", &c, &s), 0);
	assert_string_equal(h2_last_authority(p), "10.244.2.9:15008");
	h2_pair_free(p);
}

static void h2_data(void **state)
{
	(void)state;
	h2_pair *p = h2_pair_new();
	double a, b;
	const size_t sizes[] = {1, 64, 1024, 16384};
	/* more than the 64 KiB flow-control window: WINDOW_UPDATEs must flow */
	for (int r = 0; r < 20; r++)
		for (int i = 0; i < 4; i++)
			assert_int_equal(h2_data_frame(p, sizes[i], &a, &b), 0);
	assert_int_equal(h2_data_frame(p, 16385, &a, &b), -1); /* above one frame */
	h2_pair_free(p);
}

static void h2_grpc(void **state)
{
	(void)state;
	h2_pair *p = h2_pair_new();
	double a, b;
	const size_t sizes[] = {0, 100, 4096, 16384};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(h2_grpc_call(p, sizes[i], &a, &b), 0);
		assert_string_equal(h2_last_method(p), "POST");
		assert_string_equal(h2_last_path(p), "/meshsim.v1.Echo/Call");
	}
	h2_pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_request), cmocka_unit_test(built_messages),
		cmocka_unit_test(malformed),     cmocka_unit_test(h2_connect),
		cmocka_unit_test(h2_data),       cmocka_unit_test(h2_grpc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
