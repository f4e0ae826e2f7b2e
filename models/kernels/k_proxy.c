/* models/kernels/k_proxy.c - (being written) */
#include "models/kernels/calib.h"

int kernel_proxy(calib_ctx *c)
{
	return calib_skip(c, "not implemented yet");
}
