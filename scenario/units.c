/* scenario/units.c - values with units (see units.h). */
#include "scenario/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...)                                         \
	do {                                              \
		if (err && errlen)                        \
			snprintf(err, errlen, __VA_ARGS__); \
		return -1;                                \
	} while (0)

/*
 * Scans a decimal number at s: [+-]digits[.digits][e[+-]digits]. The exponent
 * is taken only when allow_exp and digits follow the 'e' (so "1E" stays
 * "1" + unit "E"). Returns the number of characters used, 0 if none.
 */
static size_t scan_decimal(const char *s, bool allow_sign, bool allow_exp, long double *v)
{
	size_t i = 0, digits = 0;
	if (allow_sign && (s[i] == '+' || s[i] == '-'))
		i++;
	while (isdigit((unsigned char)s[i]))
		i++, digits++;
	if (s[i] == '.') {
		i++;
		while (isdigit((unsigned char)s[i]))
			i++, digits++;
	}
	if (digits == 0)
		return 0;
	if (allow_exp && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		if (s[j] == '+' || s[j] == '-')
			j++;
		if (isdigit((unsigned char)s[j])) {
			while (isdigit((unsigned char)s[j]))
				j++;
			i = j;
		}
	}
	char buf[128];
	if (i >= sizeof buf)
		return 0;
	memcpy(buf, s, i);
	buf[i] = '\0';
	*v = strtold(buf, NULL);
	return i;
}

int units_parse_number(const char *s, double *v, char *err, size_t errlen)
{
	long double x;
	size_t n = scan_decimal(s, true, true, &x);
	if (n == 0 || s[n] != '\0')
		FAIL("expected a number, got \"%s\"", s);
	if (!isfinite((double)x))
		FAIL("number \"%s\" is out of range", s);
	*v = (double)x;
	return 0;
}

int units_parse_int(const char *s, int64_t *v, char *err, size_t errlen)
{
	size_t i = 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	if (!isdigit((unsigned char)s[i]))
		FAIL("expected an integer, got \"%s\"", s);
	while (isdigit((unsigned char)s[i]))
		i++;
	if (s[i] != '\0')
		FAIL("expected an integer, got \"%s\"", s);
	errno = 0;
	char *end;
	long long x = strtoll(s, &end, 10);
	if (errno == ERANGE)
		FAIL("integer \"%s\" is out of range", s);
	*v = (int64_t)x;
	return 0;
}

static int to_int64(long double x, int64_t *out)
{
	long double r = roundl(x);
	if (!(r >= -9.2233720368547758e18L && r <= 9.2233720368547758e18L))
		return -1;
	*out = (int64_t)r;
	return 0;
}

/* ---- durations ---- */

static const struct {
	const char *name;
	int64_t ns;
} duration_units[] = {
	{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000}, {"ms", 1000000},
	{"s", 1000000000}, {"m", 60000000000LL}, {"h", 3600000000000LL},
};

int units_parse_duration(const char *s, int64_t *ns, char *err, size_t errlen)
{
	long double x;
	size_t n = scan_decimal(s, true, false, &x);
	if (n == 0)
		FAIL("expected a duration like 250ms, 1.5s or 1m30s, got \"%s\"", s);
	if (s[n] == '\0') { /* bare number: seconds */
		if (to_int64(x * 1e9L, ns) != 0)
			FAIL("duration \"%s\" is out of range", s);
		return 0;
	}
	/* Go-style: [sign] (number unit)+ */
	const char *p = s;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = (*p++ == '-');
	long double total = 0;
	while (*p) {
		n = scan_decimal(p, false, false, &x);
		if (n == 0)
			FAIL("expected a duration like 250ms, 1.5s or 1m30s, got \"%s\"", s);
		p += n;
		size_t ul = 0;
		while (p[ul] && !isdigit((unsigned char)p[ul]) && p[ul] != '.')
			ul++;
		if (ul == 0)
			FAIL("missing unit after a number in duration \"%s\" (use ns, us, ms, s, m, h)", s);
		int64_t unit = 0;
		for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++)
			if (strlen(duration_units[i].name) == ul &&
			    strncmp(duration_units[i].name, p, ul) == 0)
				unit = duration_units[i].ns;
		if (unit == 0)
			FAIL("unknown unit \"%.*s\" in duration \"%s\" (use ns, us, ms, s, m, h)",
			     (int)ul, p, s);
		total += x * (long double)unit;
		p += ul;
	}
	if (neg)
		total = -total;
	if (to_int64(total, ns) != 0)
		FAIL("duration \"%s\" is out of range", s);
	return 0;
}

/* ---- cpu ---- */

int units_parse_cpu(const char *s, double *cores, char *err, size_t errlen)
{
	long double x;
	size_t n = scan_decimal(s, true, true, &x);
	if (n == 0)
		FAIL("expected a CPU quantity like 500m or 2, got \"%s\"", s);
	if (strcmp(s + n, "m") == 0)
		x /= 1000;
	else if (s[n] != '\0')
		FAIL("unknown unit \"%s\" in CPU quantity \"%s\" (use m for millicores, or a bare "
		     "number of cores)", s + n, s);
	if (!isfinite((double)x))
		FAIL("CPU quantity \"%s\" is out of range", s);
	*cores = (double)x;
	return 0;
}

/* ---- bytes ---- */

static const struct {
	const char *name;
	long double factor;
} byte_units[] = {
	{"", 1},
	{"k", 1e3L}, {"M", 1e6L}, {"G", 1e9L}, {"T", 1e12L}, {"P", 1e15L}, {"E", 1e18L},
	{"Ki", 1024.0L}, {"Mi", 1048576.0L}, {"Gi", 1073741824.0L}, {"Ti", 1099511627776.0L},
	{"Pi", 1125899906842624.0L}, {"Ei", 1152921504606846976.0L},
};

int units_parse_bytes(const char *s, int64_t *bytes, char *err, size_t errlen)
{
	long double x;
	size_t n = scan_decimal(s, true, true, &x);
	if (n == 0)
		FAIL("expected a size like 128Mi, 1G or 4096, got \"%s\"", s);
	const char *u = s + n;
	long double f = 0;
	for (size_t i = 0; i < sizeof byte_units / sizeof byte_units[0]; i++)
		if (strcmp(u, byte_units[i].name) == 0)
			f = byte_units[i].factor;
	if (f == 0) {
		const char *hint = "";
		if (!strcmp(u, "K") || !strcmp(u, "KB") || !strcmp(u, "kB"))
			hint = "; did you mean k (1000) or Ki (1024)?";
		else if (strlen(u) == 2 && u[1] == 'B')
			hint = "; sizes use Kubernetes suffixes: M or Mi, not MB";
		FAIL("unknown unit \"%s\" in size \"%s\" (use k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, "
		     "Ei)%s", u, s, hint);
	}
	long double v = x * f;
	if (v != roundl(v))
		FAIL("size \"%s\" is not a whole number of bytes", s);
	if (to_int64(v, bytes) != 0)
		FAIL("size \"%s\" is out of range", s);
	return 0;
}

/* ---- rates ---- */

/* ---- bit rates ---- */

static void fmt_trim(char *buf, size_t size, double v, int prec, const char *unit);

int units_parse_bitrate(const char *s, double *bps, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		double factor;
	} units[] = {{"", 1}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}};
	long double x;
	size_t n = scan_decimal(s, true, true, &x);
	if (n == 0)
		FAIL("expected a bit rate like 10G, 25G or 100M (bits per second), got \"%s\"", s);
	char u[16];
	const char *rest = s + n;
	size_t ul = strlen(rest);
	/* an optional "bps" or "bit/s" after the prefix */
	if (ul >= 3 && !strcmp(rest + ul - 3, "bps"))
		ul -= 3;
	else if (ul >= 5 && !strcmp(rest + ul - 5, "bit/s"))
		ul -= 5;
	if (ul >= sizeof u)
		FAIL("unknown unit \"%s\" in bit rate \"%s\" (use k, M, G or T: 10G = 10 Gbit/s)",
		     rest, s);
	memcpy(u, rest, ul);
	u[ul] = '\0';
	double f = 0;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(u, units[i].name))
			f = units[i].factor;
	if (f == 0) {
		const char *hint = "";
		if (!strcmp(u, "Gi") || !strcmp(u, "Mi") || !strcmp(u, "Ki") || !strcmp(u, "Ti"))
			hint = "; bit rates are decimal: G, not Gi";
		else if (strchr(u, 'B'))
			hint = "; bit rates are in bits: 10G is 10 Gbit/s";
		FAIL("unknown unit \"%s\" in bit rate \"%s\" (use k, M, G or T: 10G = 10 Gbit/s)%s",
		     u, s, hint);
	}
	double v = (double)(x * f);
	if (!isfinite(v) || v > 1e18 || v < -1e18)
		FAIL("bit rate \"%s\" is out of range", s);
	*bps = v;
	return 0;
}

void units_format_bitrate(double bps, char *buf, size_t size)
{
	if (bps >= 1e12 && fmod(bps, 1e12) == 0)
		fmt_trim(buf, size, bps / 1e12, 6, "T");
	else if (bps >= 1e9 && fmod(bps, 1e9) == 0)
		fmt_trim(buf, size, bps / 1e9, 6, "G");
	else if (bps >= 1e6 && fmod(bps, 1e6) == 0)
		fmt_trim(buf, size, bps / 1e6, 6, "M");
	else
		fmt_trim(buf, size, bps, 6, "");
}

int units_parse_rate(const char *s, double *per_second, char *err, size_t errlen)
{
	long double x;
	size_t n = scan_decimal(s, true, true, &x);
	if (n == 0)
		FAIL("expected a rate like 1000/s or 60/m, got \"%s\"", s);
	const char *u = s + n;
	long double per = 1; /* seconds per unit */
	if (*u == '\0') {
		per = 1;
	} else if (*u != '/') {
		FAIL("unknown unit \"%s\" in rate \"%s\" (write N/s, N/m or N/h)", u, s);
	} else {
		u++;
		if (!strcmp(u, "s"))
			per = 1;
		else if (!strcmp(u, "ms"))
			per = 1e-3L;
		else if (!strcmp(u, "us"))
			per = 1e-6L;
		else if (!strcmp(u, "m") || !strcmp(u, "min"))
			per = 60;
		else if (!strcmp(u, "h"))
			per = 3600;
		else
			FAIL("unknown unit \"/%s\" in rate \"%s\" (use /s, /ms, /us, /m or /h)", u, s);
	}
	long double v = x / per;
	if (!isfinite((double)v))
		FAIL("rate \"%s\" is out of range", s);
	*per_second = (double)v;
	return 0;
}

/* ---- formatting ---- */

/* %.*f without trailing zeros. */
static void fmt_trim(char *buf, size_t size, double v, int prec, const char *unit)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%.*f", prec, v);
	if (strchr(tmp, '.')) {
		size_t l = strlen(tmp);
		while (l > 0 && tmp[l - 1] == '0')
			tmp[--l] = '\0';
		if (l > 0 && tmp[l - 1] == '.')
			tmp[--l] = '\0';
	}
	snprintf(buf, size, "%s%s", tmp, unit);
}

void units_format_duration(int64_t ns, char *buf, size_t size)
{
	if (ns == 0) {
		snprintf(buf, size, "0s");
		return;
	}
	const char *sign = ns < 0 ? "-" : "";
	uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	char tail[64];
	if (u < 1000) {
		snprintf(buf, size, "%s%lluns", sign, (unsigned long long)u);
		return;
	}
	if (u < 1000000) {
		fmt_trim(tail, sizeof tail, (double)u / 1e3, 3, "us");
		snprintf(buf, size, "%s%s", sign, tail);
		return;
	}
	if (u < 1000000000) {
		fmt_trim(tail, sizeof tail, (double)u / 1e6, 6, "ms");
		snprintf(buf, size, "%s%s", sign, tail);
		return;
	}
	uint64_t h = u / 3600000000000ULL, m = u / 60000000000ULL % 60;
	uint64_t rest = u % 60000000000ULL; /* ns within the minute */
	char hs[32] = "", ms[32] = "", ss[48] = "";
	if (h)
		snprintf(hs, sizeof hs, "%lluh", (unsigned long long)h);
	if (h || m)
		snprintf(ms, sizeof ms, "%llum", (unsigned long long)m);
	if (rest || !(h || m))
		fmt_trim(ss, sizeof ss, (double)rest / 1e9, 9, "s");
	snprintf(buf, size, "%s%s%s%s", sign, hs, ms, ss);
}

void units_format_cpu(double cores, char *buf, size_t size)
{
	if (cores != floor(cores) && cores * 1000 == floor(cores * 1000))
		fmt_trim(buf, size, cores * 1000, 0, "m");
	else
		fmt_trim(buf, size, cores, 6, "");
}

void units_format_bytes(int64_t bytes, char *buf, size_t size)
{
	static const char *suffix[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
	int k = -1;
	int64_t v = bytes;
	while (v != 0 && v % 1024 == 0 && k < 5) {
		v /= 1024;
		k++;
	}
	if (k < 0)
		snprintf(buf, size, "%lld", (long long)bytes);
	else
		snprintf(buf, size, "%lld%s", (long long)v, suffix[k]);
}

void units_format_rate(double per_second, char *buf, size_t size)
{
	fmt_trim(buf, size, per_second, 6, "/s");
}
