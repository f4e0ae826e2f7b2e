/*
 * cli/cmd_calibrate.c - `meshsim calibrate`: run the calibration kernels on
 * this host, fit, and write a profile (JSON).
 *
 *   meshsim calibrate [-o FILE] [--quick] [--only KERNEL...] [--list]
 *
 * Progress goes to stderr. With -o the profile goes to FILE (written to a
 * temporary file and renamed) and a summary to stdout; without -o the
 * profile goes to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "models/kernels/calib.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: meshsim calibrate [-o FILE] [--quick] [--only KERNEL...] [--list]\n"
		"\n"
		"Run the calibration kernels (real OpenSSL, nghttp2, http-parser, PCRE2 and\n"
		"syscall code paths) on this host, fit cost = fixed + per_unit * size, and\n"
		"write a calibration profile (JSON).\n"
		"\n"
		"  -o, --output FILE  write the profile to FILE (default: stdout)\n"
		"  -q, --quick        fewer sizes and repetitions (about 20 s; for CI)\n"
		"      --only K...    run only these kernels (names or comma lists)\n"
		"      --list         list the kernels and exit\n"
		"  -h, --help         this help\n");
}

static void summary(FILE *f, const json_t *prof)
{
	const json_t *ops = json_object_get(prof, "operations");
	const char *key;
	const json_t *o;
	fprintf(f, "%-40s %-7s %14s %14s %8s\n", "operation", "model", "fixed_ns", "per_unit_ns",
		"R2");
	json_object_foreach((json_t *)ops, key, o)
	{
		const json_t *fit = json_object_get(o, "fit");
		const json_t *pts = json_object_get(o, "points");
		const char *model = json_string_value(json_object_get(o, "model"));
		if (model && !strcmp(model, "interp")) {
			const json_t *first = json_array_get(pts, 0);
			const json_t *last = json_array_get(pts, json_array_size(pts) - 1);
			fprintf(f, "%-40s %-7s %7.0f..%.0f ns over %lld..%lld\n", key, model,
				json_number_value(json_object_get(first, "median_ns")),
				json_number_value(json_object_get(last, "median_ns")),
				(long long)json_integer_value(json_object_get(first, "size")),
				(long long)json_integer_value(json_object_get(last, "size")));
			continue;
		}
		char r2[16] = "-";
		if (json_is_object(fit))
			snprintf(r2, sizeof r2, "%.4f", json_number_value(json_object_get(fit, "r2")));
		fprintf(f, "%-40s %-7s %14.1f %14.4f %8s\n", key, model ? model : "?",
			json_number_value(json_object_get(o, "fixed_ns")),
			json_number_value(json_object_get(o, "per_unit_ns")), r2);
	}
	const json_t *ks = json_object_get(prof, "kernels");
	json_object_foreach((json_t *)ks, key, o)
	{
		const char *st = json_string_value(json_object_get(o, "status"));
		const char *msg = json_string_value(json_object_get(o, "message"));
		if (st && strcmp(st, "ok"))
			fprintf(f, "kernel %s: %s%s%s\n", key, st, msg && *msg ? ": " : "",
				msg ? msg : "");
	}
}

int cmd_calibrate(int argc, char **argv)
{
	const char *out = NULL;
	int quick = 0;
	const char *only[64] = {0};
	int nonly = 0;
	char *onlybuf[64] = {0};
	int nbuf = 0;
	int rcode = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--list")) {
			for (int k = 0; k < calib_nkernels; k++)
				printf("%-10s %s\n", calib_kernels[k].name, calib_kernels[k].what);
			return EXIT_OK;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quick")) {
			quick = 1;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (++i >= argc) {
				fprintf(stderr, "meshsim calibrate: %s needs a file\n", a);
				return EXIT_USAGE;
			}
			out = argv[i];
		} else if (!strncmp(a, "--output=", 9)) {
			out = a + 9;
		} else if (!strcmp(a, "--only") || !strncmp(a, "--only=", 7)) {
			int eq = a[6] == '=';
			int start = eq ? i : i + 1;
			int got = 0;
			for (int j = start; j < argc; j++) {
				const char *v = (eq && j == i) ? a + 7 : argv[j];
				if (!(eq && j == i) && v[0] == '-')
					break;
				if (nbuf >= 64)
					break;
				char *dup = strdup(v);
				onlybuf[nbuf++] = dup;
				for (char *tok = strtok(dup, ","); tok && nonly < 64;
				     tok = strtok(NULL, ","))
					only[nonly++] = tok;
				got++;
				i = j;
			}
			if (!got || nonly == 0) {
				fprintf(stderr, "meshsim calibrate: --only needs kernel names "
						"(see --list)\n");
				rcode = EXIT_USAGE;
				goto done;
			}
		} else {
			fprintf(stderr, "meshsim calibrate: unknown argument '%s'\n", a);
			usage(stderr);
			rcode = EXIT_USAGE;
			goto done;
		}
	}
	for (int k = 0; k < nonly; k++)
		if (!calib_kernel_find(only[k])) {
			fprintf(stderr, "meshsim calibrate: unknown kernel '%s' (see --list)\n",
				only[k]);
			rcode = EXIT_USAGE;
			goto done;
		}

	char err[256];
	int nfailed = 0;
	json_t *prof = calib_run(quick, only, nonly, stderr, &nfailed, err, sizeof err);
	if (!prof) {
		fprintf(stderr, "meshsim calibrate: %s\n", err);
		rcode = EXIT_SOFTWARE;
		goto done;
	}
	size_t flags = JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17);
	if (!out || !strcmp(out, "-")) {
		if (json_dumpf(prof, stdout, flags) != 0 || fputc('\n', stdout) == EOF ||
		    fflush(stdout) != 0)
			rcode = EXIT_IOERR;
		summary(stderr, prof);
	} else {
		size_t tl = strlen(out) + 16;
		char *tmp = malloc(tl);
		snprintf(tmp, tl, "%s.tmp%ld", out, (long)getpid());
		FILE *f = fopen(tmp, "w");
		if (!f) {
			fprintf(stderr, "meshsim calibrate: %s: %s\n", tmp, strerror(errno));
			rcode = EXIT_CANTCREAT;
		} else {
			int bad = json_dumpf(prof, f, flags) != 0 || fputc('\n', f) == EOF;
			bad |= fclose(f) != 0;
			if (bad || rename(tmp, out) != 0) {
				fprintf(stderr, "meshsim calibrate: cannot write %s: %s\n", out,
					strerror(errno));
				unlink(tmp);
				rcode = EXIT_IOERR;
			} else {
				summary(stdout, prof);
				fprintf(stderr, "calibrate: profile written to %s\n", out);
			}
		}
		free(tmp);
	}
	json_decref(prof);
	if (rcode == EXIT_OK && nfailed) {
		fprintf(stderr, "meshsim calibrate: %d kernel(s) failed their check\n", nfailed);
		rcode = EXIT_RUN_FAILED;
	}
done:
	for (int k = 0; k < nbuf; k++)
		free(onlybuf[k]);
	return rcode;
}
