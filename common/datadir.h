/*
 * common/datadir.h - finding meshsim's data files (configs/...) from
 * wherever the binary runs: a directory the caller names, $MESHSIM_DATADIR,
 * the working directory, then the executable's ancestors (a build
 * directory inside the repository).
 */
#ifndef MESHSIM_COMMON_DATADIR_H
#define MESHSIM_COMMON_DATADIR_H

#include <stddef.h>

/* Looks for `relpath` (e.g. "configs/meshes/cilium.yaml") below, in order,
 * first_dir (may be NULL), $MESHSIM_DATADIR, the working directory and up
 * to six ancestors of the executable. Returns 0 with the path of the
 * regular file found in buf, or -1 if there is none. */
int datadir_find(const char *relpath, const char *first_dir, char *buf, size_t size);

#endif
