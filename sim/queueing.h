/*
 * sim/queueing.h - closed-form queueing results the models lean on where
 * traffic runs as a rate, not as events (per-flow fidelity).
 */
#ifndef MESHSIM_SIM_QUEUEING_H
#define MESHSIM_SIM_QUEUEING_H

/*
 * M/M/c with c servers and offered load a = lambda / mu (in servers): the
 * probability that an arrival waits (Erlang C) and the probability that
 * every server is idle (P0), for 0 <= a < c; at a >= c (no steady state)
 * 1 and 0. Computed through Erlang B's recursion and the Poisson
 * distribution function in logarithms, so many servers and little load
 * neither overflow nor underflow into NaN. The mean wait is
 * wait_prob / (c mu - lambda).
 */
void mmc_probabilities(int c, double a, double *wait_prob, double *idle_prob);

#endif
