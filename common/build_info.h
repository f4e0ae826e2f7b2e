/* common/build_info.h - what this build is: the tool's version, the git
 * revision of its sources and its compiler flags, stored with every result
 * so that a result can be traced to the code that made it.
 *
 * The revision and the flags are compiled into build_info.c alone, which
 * the Makefile rebuilds when the revision changes (build/git-rev.stamp),
 * and with every other object when the flags do (build/flags.stamp): had
 * every file taken the revision on its command line, only the files rebuilt
 * since the last commit would carry the new one. */
#ifndef MESHSIM_COMMON_BUILD_INFO_H
#define MESHSIM_COMMON_BUILD_INFO_H

#define MESHSIM_VERSION "0.1.0"

/* `git describe --always --dirty` of the sources built, or "unknown". */
const char *build_git_rev(void);

/* The CFLAGS (and sanitizer flags) the build used, or "unknown". */
const char *build_flags(void);

#endif
