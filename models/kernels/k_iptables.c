/* models/kernels/k_iptables.c - (being written) */
#include "models/kernels/calib.h"

int kernel_iptables(calib_ctx *c)
{
	return calib_skip(c, "not implemented yet");
}
