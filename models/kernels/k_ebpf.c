/* models/kernels/k_ebpf.c - (being written) */
#include "models/kernels/calib.h"

int kernel_ebpf(calib_ctx *c)
{
	return calib_skip(c, "not implemented yet");
}
