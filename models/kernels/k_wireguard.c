/* models/kernels/k_wireguard.c - (being written) */
#include "models/kernels/calib.h"

int kernel_wireguard(calib_ctx *c)
{
	return calib_skip(c, "not implemented yet");
}
