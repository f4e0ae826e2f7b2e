/* models/kernels/k_http2.c - (being written) */
#include "models/kernels/calib.h"

int kernel_http2(calib_ctx *c)
{
	return calib_skip(c, "not implemented yet");
}
