/* sim/time.c - conversions between simulated time and seconds. */
#include <math.h>

#include "time.h"

sim_time_t sim_time_from_seconds(double seconds)
{
	return (sim_time_t)llround(seconds * 1e9);
}

double sim_time_to_seconds(sim_time_t t)
{
	return (double)t / 1e9;
}
