/*
 * cli/cmd_query.c - `meshsim query DB [NAME] [--sql Q] [--format F] [-o FILE]`.
 * Named queries and read-only SQL over a results database (db/query.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "db/query.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: meshsim query DB [QUERY] [--sql SQL] [--format table|csv|json] [-o FILE]\n"
		"\n"
		"Prints results from a meshsim database, opened read-only.\n"
		"  QUERY          runs (default), stats, scalars, compare (mean and 95%% t\n"
		"                 interval per scenario point across replications), kpi\n"
		"  --sql SQL      one read-only SQL statement instead; tables run, run_param,\n"
		"                 scalar, stat, series, series_point, cost, verdict; views\n"
		"                 v_run, v_stat, v_scalar, v_kpi, v_metric, v_point_ci\n"
		"  -F, --format   table (default), csv or json\n"
		"  -o, --output   write to FILE instead of standard output\n"
		"\n"
		"examples:\n"
		"  meshsim query results.db compare\n"
		"  meshsim query results.db --sql 'SELECT * FROM v_kpi' --format csv\n");
}

int cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sql", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sql = NULL, *outpath = NULL;
	query_format fmt = QUERY_TABLE;
	int c;

	optind = 0; /* full getopt reset: options may follow DB and QUERY */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "s:F:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sql = optarg;
			break;
		case 'F':
			if (query_format_parse(optarg, &fmt) != 0) {
				fprintf(stderr, "meshsim query: unknown format '%s' (table, csv, json)\n",
				        optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "meshsim query: bad option or missing value: %s\n",
			        argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	int npos = argc - optind;
	if (npos < 1 || npos > 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *db = argv[optind];
	const char *name = npos == 2 ? argv[optind + 1] : NULL;
	if (name && sql) {
		fprintf(stderr, "meshsim query: give a query name or --sql, not both\n");
		return EXIT_USAGE;
	}
	if (!sql) {
		sql = query_named_sql(name ? name : "runs");
		if (!sql) {
			fprintf(stderr, "meshsim query: unknown query '%s' (one of: %s)\n", name,
			        query_names());
			return EXIT_USAGE;
		}
	}

	FILE *out = stdout;
	if (outpath && strcmp(outpath, "-") != 0) {
		out = fopen(outpath, "w");
		if (!out) {
			fprintf(stderr, "meshsim query: %s: %s\n", outpath, strerror(errno));
			return EXIT_CANTCREAT;
		}
	}
	char err[512];
	int code = store_query(db, sql, fmt, out, err, sizeof err);
	if (out != stdout && fclose(out) != 0 && code == 0) {
		snprintf(err, sizeof err, "%s: %s", outpath, strerror(errno));
		code = EXIT_IOERR;
	}
	if (code)
		fprintf(stderr, "meshsim query: %s\n", err);
	return code;
}
