/*
 * cli/commands.h - the meshsim subcommands. Each lives in cli/cmd_<name>.c,
 * parses its own options and returns a process exit status
 * (cli/exit_codes.h). argv[0] is the subcommand's name.
 */
#ifndef MESHSIM_CLI_COMMANDS_H
#define MESHSIM_CLI_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_version(int argc, char **argv);

#endif
