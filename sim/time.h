/*
 * sim/time.h - simulated time.
 *
 * Simulated time is a signed 64-bit count of nanoseconds since the start of
 * the run. Integer time keeps runs bit-for-bit reproducible across compilers
 * and machines; 2^63 ns is about 292 years, far beyond any scenario.
 */
#ifndef MESHSIM_SIM_TIME_H
#define MESHSIM_SIM_TIME_H

#include <stdint.h>

typedef int64_t sim_time_t;

#define SIM_NS ((sim_time_t)1)
#define SIM_US ((sim_time_t)1000)
#define SIM_MS ((sim_time_t)1000000)
#define SIM_S ((sim_time_t)1000000000)

/* Largest representable time: "never". */
#define SIM_TIME_MAX INT64_MAX

/* Seconds (double) to nanoseconds, rounded to nearest. */
sim_time_t sim_time_from_seconds(double seconds);

/* Nanoseconds to seconds as a double, for reporting only. */
double sim_time_to_seconds(sim_time_t t);

#endif
