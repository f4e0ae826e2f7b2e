/* common/build_info.c - see build_info.h. */
#include "common/build_info.h"

#ifndef MESHSIM_GIT_REV
#define MESHSIM_GIT_REV "unknown"
#endif
#ifndef MESHSIM_BUILD_FLAGS
#define MESHSIM_BUILD_FLAGS "unknown"
#endif

const char *build_git_rev(void)
{
	return MESHSIM_GIT_REV;
}

const char *build_flags(void)
{
	return MESHSIM_BUILD_FLAGS;
}
