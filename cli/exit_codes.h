/*
 * cli/exit_codes.h - process exit statuses (documented in meshsim.1).
 * The values follow sysexits.h where one fits, as fio and many Unix tools do.
 */
#ifndef MESHSIM_CLI_EXIT_CODES_H
#define MESHSIM_CLI_EXIT_CODES_H

enum {
	EXIT_OK = 0,
	EXIT_RUN_FAILED = 1,     /* a run failed, or plan found nothing feasible */
	EXIT_USAGE = 2,          /* bad command line */
	EXIT_DATAERR = 65,       /* invalid scenario or profile */
	EXIT_NOINPUT = 66,       /* input file missing or unreadable */
	EXIT_SOFTWARE = 70,      /* internal error */
	EXIT_CANTCREAT = 73,     /* cannot create the output */
	EXIT_IOERR = 74,         /* error writing the output */
	EXIT_INTERRUPTED = 130   /* SIGINT/SIGTERM: finished runs kept */
};

#endif
