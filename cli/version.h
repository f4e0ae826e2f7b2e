/* cli/version.h - the tool's version string. */
#ifndef MESHSIM_CLI_VERSION_H
#define MESHSIM_CLI_VERSION_H

#define MESHSIM_VERSION "0.1.0"

#ifndef MESHSIM_GIT_REV
#define MESHSIM_GIT_REV "unknown"
#endif
#ifndef MESHSIM_BUILD_FLAGS
#define MESHSIM_BUILD_FLAGS "unknown"
#endif

#endif
