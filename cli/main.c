/*
 * cli/main.c - `meshsim`: dispatch to a subcommand (cli/commands.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"

typedef struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
	{"run", cmd_run, "run a scenario and print (and store) its results"},
	{"validate", cmd_validate, "check scenario files without running them"},
	{"explain", cmd_explain, "document a scenario field, e.g. Scenario.spec.workloads"},
	{"query", cmd_query, "print results from a results database"},
	{"merge", cmd_merge, "merge results databases into one"},
	{"calibrate", cmd_calibrate, "measure the calibrated kernels on this host"},
	{"version", cmd_version, "print version, git revision, build flags and libraries"},
	{"help", NULL, "this list, or `meshsim help TOPIC` (exit-codes, units, or a command)"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: meshsim COMMAND [ARGS]...\n\n"
	           "Predicts latency, throughput, CPU and memory of service-mesh\n"
	           "architectures with a discrete-event simulation.\n\n"
	           "examples:\n"
	           "  meshsim run configs/scenarios/default.yaml\n"
	           "  meshsim run configs/scenarios/default.yaml -o results.db --replications 5\n"
	           "  meshsim query results.db compare\n\n"
	           "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n`meshsim COMMAND --help` describes a command; man meshsim (meshsim.1) all of them.\n");
}

static void help_exit_codes(void)
{
	printf("exit status:\n"
	       "   0  success\n"
	       "   1  a run failed\n"
	       "   2  usage error\n"
	       "  65  invalid scenario or profile (every error is listed as FILE:LINE:COL)\n"
	       "  66  input file missing or unreadable\n"
	       "  70  internal error\n"
	       "  73  cannot create or open the results database\n"
	       "  74  error writing the results database (locked, full, I/O error)\n"
	       " 130  interrupted by SIGINT or SIGTERM (finished runs are kept)\n");
}

static void help_units(void)
{
	printf("units in scenario files:\n"
	       "  durations  250ms, 1.5s, 5m, 1h, 10us, 100ns, 1m30s; a bare number is seconds\n"
	       "  cpu        500m (millicores), 2 (cores)\n"
	       "  sizes      128Mi, 1Gi (binary), 1G, 100k (decimal); a bare number is bytes\n"
	       "  rates      1000/s, 60/m; a bare number is per second\n"
	       "results are stored in SI units: seconds, bytes, cores, per second.\n");
}

static int help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "exit-codes")) {
		help_exit_codes();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "units")) {
		help_units();
		return EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].fn && !strcmp(argv[1], commands[i].name)) {
			char *args[] = {argv[1], "--help", NULL};
			return commands[i].fn(2, args);
		}
	fprintf(stderr, "meshsim help: no topic '%s' (try exit-codes, units or a command)\n", argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "-h") || !strcmp(name, "--help"))
		return help(1, argv + 1);
	if (!strcmp(name, "--version"))
		name = "version";
	if (!strcmp(name, "help"))
		return help(argc - 1, argv + 1);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].fn && !strcmp(name, commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "meshsim: unknown command '%s'\n\n", name);
	usage(stderr);
	return EXIT_USAGE;
}
