/* tests/scenario/test_units.c - quantities, durations and rates as users write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scenario/units.h"

typedef struct dcase {
	const char *in;
	int64_t ns;
} dcase;

static void test_durations(void **state)
{
	(void)state;
	static const dcase ok[] = {
		{"250ms", 250000000}, {"1.5s", 1500000000}, {"5m", 300000000000LL},
		{"1h", 3600000000000LL}, {"10us", 10000}, {"10\xc2\xb5s", 10000}, {"100ns", 100},
		{"1m30s", 90000000000LL}, {"1h2m3s4ms", 3723004000000LL}, {"0", 0}, {"0s", 0},
		{"10", 10000000000LL}, {"0.25", 250000000}, {"-1s", -1000000000}, {".5s", 500000000},
		{"1.0000000001s", 1000000000}, {"2562047h", 2562047LL * 3600000000000LL},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t v = -7;
		char err[256] = "";
		int rc = units_parse_duration(ok[i].in, &v, err, sizeof err);
		if (rc != 0 || v != ok[i].ns)
			fprintf(stderr, "%s -> %lld (%s)\n", ok[i].in, (long long)v, err);
		assert_int_equal(rc, 0);
		assert_true(v == ok[i].ns);
	}
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{"10sec", "unknown unit \"sec\" in duration \"10sec\" (use ns, us, ms, s, m, h)"},
		{"1d", "unknown unit \"d\""},
		{"ms", "expected a duration"},
		{"", "expected a duration"},
		{"1s5", "missing unit"},
		{"1 s", "unknown unit \" s\""},
		{"1s-2s", "unknown unit \"s-\""},
		{"3000000h", "out of range"},
		{"0x10s", "unknown unit \"x\""},
		{"inf", "expected a duration"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v = 0;
		char err[256] = "";
		assert_int_equal(units_parse_duration(bad[i].in, &v, err, sizeof err), -1);
		if (!strstr(err, bad[i].msg))
			fprintf(stderr, "%s: %s\n", bad[i].in, err);
		assert_non_null(strstr(err, bad[i].msg));
	}
}

static void test_cpu(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		double cores;
	} ok[] = {{"500m", 0.5}, {"2", 2.0}, {"0.25", 0.25}, {"1500m", 1.5}, {"1e1", 10.0},
		  {"0", 0.0}, {"100m", 0.1}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double v = -1;
		char err[256];
		assert_int_equal(units_parse_cpu(ok[i].in, &v, err, sizeof err), 0);
		assert_true(v == ok[i].cores);
	}
	const char *bad[] = {"2 cores", "500M", "1Ki", "m", "", "nan"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double v;
		char err[256] = "";
		assert_int_equal(units_parse_cpu(bad[i], &v, err, sizeof err), -1);
		assert_true(err[0] != '\0');
	}
}

static void test_bytes(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int64_t bytes;
	} ok[] = {{"128Mi", 128LL << 20}, {"1Gi", 1LL << 30}, {"1G", 1000000000}, {"100k", 100000},
		  {"4096", 4096}, {"1e3", 1000}, {"1.5Ki", 1536}, {"0", 0}, {"2Ti", 2LL << 40},
		  {"1E", 1000000000000000000LL}, {"7Ei", 7LL << 60}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t v = -1;
		char err[256] = "";
		int rc = units_parse_bytes(ok[i].in, &v, err, sizeof err);
		if (rc != 0 || v != ok[i].bytes)
			fprintf(stderr, "%s -> %lld (%s)\n", ok[i].in, (long long)v, err);
		assert_int_equal(rc, 0);
		assert_true(v == ok[i].bytes);
	}
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{"16GB", "sizes use Kubernetes suffixes"}, {"1K", "did you mean k (1000) or Ki (1024)?"},
		{"0.5", "not a whole number of bytes"}, {"1m", "unknown unit \"m\""},
		{"8Ei", "out of range"}, {"Mi", "expected a size"}, {"1 Mi", "unknown unit \" Mi\""},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v;
		char err[256] = "";
		assert_int_equal(units_parse_bytes(bad[i].in, &v, err, sizeof err), -1);
		if (!strstr(err, bad[i].msg))
			fprintf(stderr, "%s: %s\n", bad[i].in, err);
		assert_non_null(strstr(err, bad[i].msg));
	}
}

static void test_rates(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		double per_s;
	} ok[] = {{"1000/s", 1000}, {"60/m", 1}, {"60/min", 1}, {"3600/h", 1}, {"1000", 1000},
		  {"0.5", 0.5}, {"5/ms", 5000}, {"1/us", 1e6}, {"1e3/s", 1000}, {"0", 0}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double v = -1;
		char err[256] = "";
		assert_int_equal(units_parse_rate(ok[i].in, &v, err, sizeof err), 0);
		assert_true(v == ok[i].per_s);
	}
	const char *bad[] = {"100/sec", "100rps", "/s", "100/", "1k/s", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double v;
		char err[256] = "";
		assert_int_equal(units_parse_rate(bad[i], &v, err, sizeof err), -1);
		assert_true(err[0] != '\0');
	}
}

static void test_numbers(void **state)
{
	(void)state;
	int64_t i;
	double d;
	char err[256];
	assert_int_equal(units_parse_int("42", &i, err, sizeof err), 0);
	assert_int_equal(i, 42);
	assert_int_equal(units_parse_int("-7", &i, err, sizeof err), 0);
	assert_int_equal(i, -7);
	assert_int_equal(units_parse_int("9223372036854775807", &i, err, sizeof err), 0);
	assert_int_equal(units_parse_int("9223372036854775808", &i, err, sizeof err), -1);
	assert_int_equal(units_parse_int("1.0", &i, err, sizeof err), -1);
	assert_int_equal(units_parse_int("1e3", &i, err, sizeof err), -1);
	assert_int_equal(units_parse_int("0x10", &i, err, sizeof err), -1);
	assert_int_equal(units_parse_int("", &i, err, sizeof err), -1);
	assert_int_equal(units_parse_number("1.25", &d, err, sizeof err), 0);
	assert_true(d == 1.25);
	assert_int_equal(units_parse_number("2.5e-05", &d, err, sizeof err), 0);
	assert_true(d == 2.5e-05);
	assert_int_equal(units_parse_number("nan", &d, err, sizeof err), -1);
	assert_int_equal(units_parse_number("inf", &d, err, sizeof err), -1);
	assert_int_equal(units_parse_number("1e999", &d, err, sizeof err), -1);
	assert_int_equal(units_parse_number("0x1p3", &d, err, sizeof err), -1);
}

/* What format writes, parse reads back to the same value. */
static void test_format_round_trip(void **state)
{
	(void)state;
	const int64_t durations[] = {0, 1, 999, 1000, 1500, 250000000, 1000000000, 90000000000LL,
				     3723004000000LL, -1500000, 1234567891};
	const char *dtext[] = {"0s", "1ns", "999ns", "1us", "1.5us", "250ms", "1s", "1m30s",
			       "1h2m3.004s", "-1.5ms", "1.234567891s"};
	for (size_t k = 0; k < sizeof durations / sizeof durations[0]; k++) {
		char buf[64];
		int64_t back;
		char err[128];
		units_format_duration(durations[k], buf, sizeof buf);
		assert_string_equal(buf, dtext[k]);
		assert_int_equal(units_parse_duration(buf, &back, err, sizeof err), 0);
		assert_true(back == durations[k]);
	}
	char buf[64];
	units_format_bytes(128LL << 20, buf, sizeof buf);
	assert_string_equal(buf, "128Mi");
	units_format_bytes(1000, buf, sizeof buf);
	assert_string_equal(buf, "1000");
	units_format_bytes(0, buf, sizeof buf);
	assert_string_equal(buf, "0");
	units_format_cpu(0.5, buf, sizeof buf);
	assert_string_equal(buf, "500m");
	units_format_cpu(2, buf, sizeof buf);
	assert_string_equal(buf, "2");
	units_format_rate(1000, buf, sizeof buf);
	assert_string_equal(buf, "1000/s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations), cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_bytes),     cmocka_unit_test(test_rates),
		cmocka_unit_test(test_numbers),   cmocka_unit_test(test_format_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
