/*
 * cli/cmd_merge.c - `meshsim merge OUT.db IN.db...`: joins the databases of
 * several processes or machines. Runs are matched by UUID, so merging an
 * input twice adds nothing; each input is merged in one transaction.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "db/store.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: meshsim merge OUT.db IN.db...\n"
		"\n"
		"Copies the runs of each IN database into OUT (created if missing).\n"
		"Runs already in OUT (same UUID) are skipped.\n"
		"\n"
		"example:\n"
		"  meshsim merge all.db rank-*.db\n");
}

int cmd_merge(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "meshsim merge: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc < 3) {
		usage(stderr);
		return EXIT_USAGE;
	}
	char err[512];
	size_t added = 0, skipped = 0;
	int code = store_merge(argv[1], (const char *const *)&argv[2], (size_t)(argc - 2),
	                       &added, &skipped, err, sizeof err);
	if (code) {
		fprintf(stderr, "meshsim merge: %s\n", err);
		return code;
	}
	printf("Merged %d database%s into %s: %zu run%s added, %zu already present\n", argc - 2,
	       argc == 3 ? "" : "s", argv[1], added, added == 1 ? "" : "s", skipped);
	return EXIT_OK;
}
