/* common/datadir.c - finding data files. See datadir.h. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/datadir.h"

/* <dir>/<relpath> (or relpath alone when dir is NULL) if it is a file. */
static bool try_dir(const char *dir, const char *relpath, char *buf, size_t size)
{
	int n = dir ? snprintf(buf, size, "%s/%s", dir, relpath) : snprintf(buf, size, "%s", relpath);
	struct stat st;
	return n > 0 && (size_t)n < size && stat(buf, &st) == 0 && S_ISREG(st.st_mode);
}

int datadir_find(const char *relpath, const char *first_dir, char *buf, size_t size)
{
	if (first_dir && *first_dir && try_dir(first_dir, relpath, buf, size))
		return 0;
	const char *dd = getenv("MESHSIM_DATADIR");
	if (dd && *dd && try_dir(dd, relpath, buf, size))
		return 0;
	if (try_dir(NULL, relpath, buf, size))
		return 0;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 6; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = '\0';
			if (try_dir(exe, relpath, buf, size))
				return 0;
		}
	}
	return -1;
}
