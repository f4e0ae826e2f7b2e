/*
 * scenario/units.h - values with units, as users write them.
 *
 *   durations  "250ms", "1.5s", "5m", "1h", "10us", "100ns", Go-style compound
 *              "1m30s"; units ns, us (or µs), ms, s, m, h. Bare number = seconds.
 *              Result: int64 nanoseconds (rounded to the nearest ns).
 *   cpu        Kubernetes CPU quantity: "500m" (millicores), "2", "0.25".
 *              Bare number = cores. Result: double cores.
 *   bytes      Kubernetes memory quantity: "128Mi", "1Gi" (binary: Ki Mi Gi Ti Pi Ei),
 *              "1G", "100k" (decimal: k M G T P E), "1e6". Bare number = bytes.
 *              Result: int64 bytes; must be a whole number of bytes.
 *   rates      "1000/s", "60/m" (or /min), "3600/h", "5/ms". Bare number = per
 *              second. Result: double per second.
 *   bit rates  "10G" (10 Gbit/s), "25G", "100M", "1e10", optionally followed by
 *              "bps" or "bit/s" ("10Gbps"); decimal prefixes k M G T only.
 *              Bare number = bits per second. Result: double bits per second.
 *
 * Every parser returns 0 on success, or -1 with a one-line reason in err
 * (e.g. `unknown unit "sec" in "5sec" (use ns, us, ms, s, m, h)`).
 * The *_format functions write a value back in the same notation, for
 * messages and documentation.
 */
#ifndef MESHSIM_SCENARIO_UNITS_H
#define MESHSIM_SCENARIO_UNITS_H

#include <stddef.h>
#include <stdint.h>

int units_parse_duration(const char *s, int64_t *ns, char *err, size_t errlen);
int units_parse_cpu(const char *s, double *cores, char *err, size_t errlen);
int units_parse_bytes(const char *s, int64_t *bytes, char *err, size_t errlen);
int units_parse_rate(const char *s, double *per_second, char *err, size_t errlen);
int units_parse_bitrate(const char *s, double *bps, char *err, size_t errlen);

/* A plain decimal number (no unit, no hex, no inf/nan): 0 or -1. */
int units_parse_number(const char *s, double *v, char *err, size_t errlen);
/* A plain decimal integer that fits in int64: 0 or -1. */
int units_parse_int(const char *s, int64_t *v, char *err, size_t errlen);

void units_format_duration(int64_t ns, char *buf, size_t size); /* "1m30s", "1.5ms", "0s" */
void units_format_cpu(double cores, char *buf, size_t size);    /* "500m", "2" */
void units_format_bytes(int64_t bytes, char *buf, size_t size); /* "128Mi", "1000" */
void units_format_rate(double per_second, char *buf, size_t size); /* "1000/s" */
void units_format_bitrate(double bps, char *buf, size_t size);    /* "10G" */

#endif
