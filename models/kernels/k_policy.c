/* models/kernels/k_policy.c - (being written) */
#include "models/kernels/calib.h"

int kernel_policy(calib_ctx *c)
{
	return calib_skip(c, "not implemented yet");
}
