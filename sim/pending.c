/*
 * sim/pending.c - radix heap pending-event set. See pending.h.
 *
 * Invariant: an entry whose key k exceeds last_key sits in bucket[b], where
 * b - 1 is the index of the highest bit in which k and last_key differ.
 * When the lowest non-empty bucket is emptied, the key of its least time
 * becomes the new last_key; every entry in it differs from that key only in
 * lower bits, so each moves to a lower bucket (or to `current`), and entries
 * in higher buckets keep their place. An entry moves at most 64 times, and
 * in the hold model only a few.
 */
#include <stdlib.h>
#include <string.h>

#include "pending.h"

/* Aim for about 2^KEY_SLACK events per key: measured best on bench/hold. */
#define KEY_SLACK 2
/* Re-choose the shift only when it is off by this much (hysteresis). */
#define SHIFT_TOLERANCE 2
#define MIN_WINDOW 4096

static int vec_reserve(pending_vec *v, size_t need)
{
	if (need <= v->cap)
		return 0;
	size_t cap = v->cap ? v->cap * 2 : 64;
	while (cap < need)
		cap *= 2;
	pending_entry *items = realloc(v->items, cap * sizeof(*items));
	if (!items)
		return -1;
	v->items = items;
	v->cap = cap;
	return 0;
}

static inline int vec_push(pending_vec *v, pending_entry e)
{
	if (v->len == v->cap && vec_reserve(v, v->len + 1) != 0)
		return -1;
	v->items[v->len++] = e;
	return 0;
}

/* --- 4-ary heaps for `current` and `early`, ordered by (time, tie).
 * Four children share a cache line and the tree is half as deep as a
 * binary heap's. */

#define HEAP_ARITY 4

static inline int entry_less(const pending_set *ps, pending_entry a, pending_entry b)
{
	if (a.time != b.time)
		return a.time < b.time;
	return ps->tie(ps->owner, a.slot) < ps->tie(ps->owner, b.slot);
}

static int heap_push(const pending_set *ps, pending_vec *h, pending_entry e)
{
	if (vec_push(h, e) != 0)
		return -1;
	size_t i = h->len - 1;
	while (i > 0) {
		size_t parent = (i - 1) / HEAP_ARITY;
		if (!entry_less(ps, e, h->items[parent]))
			break;
		h->items[i] = h->items[parent];
		i = parent;
	}
	h->items[i] = e;
	return 0;
}

static pending_entry heap_pop(const pending_set *ps, pending_vec *h)
{
	pending_entry top = h->items[0];
	pending_entry last = h->items[--h->len];
	size_t n = h->len, i = 0;
	for (;;) {
		size_t first = HEAP_ARITY * i + 1;
		if (first >= n)
			break;
		size_t end = first + HEAP_ARITY < n ? first + HEAP_ARITY : n;
		size_t best = first;
		for (size_t c = first + 1; c < end; c++)
			if (entry_less(ps, h->items[c], h->items[best]))
				best = c;
		if (!entry_less(ps, h->items[best], last))
			break;
		h->items[i] = h->items[best];
		i = best;
	}
	if (n > 0)
		h->items[i] = last;
	return top;
}

/* --- the radix heap proper */

static inline uint64_t key_of(const pending_set *ps, sim_time_t t)
{
	return (uint64_t)t >> ps->shift;
}

static inline unsigned bucket_of(uint64_t key, uint64_t last_key)
{
	uint64_t diff = key ^ last_key;
	return diff ? 64u - (unsigned)__builtin_clzll(diff) : 0u;
}

static inline int bucket_push(pending_set *ps, unsigned b, pending_entry e)
{
	uint64_t bit = 1ull << (b - 1);
	if (vec_push(&ps->bucket[b], e) != 0)
		return -1;
	if (!(ps->nonempty & bit) || e.time < ps->bucket_min[b])
		ps->bucket_min[b] = e.time;
	ps->nonempty |= bit;
	return 0;
}

void pending_init(pending_set *ps, pending_tie_fn tie, const void *owner)
{
	memset(ps, 0, sizeof(*ps));
	ps->shift = 10; /* 1 us; adapts after the first window */
	ps->tie = tie;
	ps->owner = owner;
}

void pending_free(pending_set *ps)
{
	for (int b = 0; b < 64; b++)
		free(ps->bucket[b].items);
	free(ps->current.items);
	free(ps->early.items);
	pending_init(ps, ps->tie, ps->owner);
}

/* Places an entry; the caller counts it. */
static int place(pending_set *ps, pending_entry e)
{
	uint64_t key = key_of(ps, e.time);
	if (key > ps->last_key)
		return bucket_push(ps, bucket_of(key, ps->last_key), e);
	if (key == ps->last_key)
		return heap_push(ps, &ps->current, e);
	return heap_push(ps, &ps->early, e);
}

int pending_push(pending_set *ps, pending_entry e)
{
	if (place(ps, e) != 0)
		return -1;
	ps->count++;
	return 0;
}

/* Empties the lowest non-empty bucket into lower ones, advancing last_key
 * to the key of its least time. Precondition: `current` is empty and some
 * bucket is not. Running out of memory halfway through a move would leave
 * entries in two places, with no sane way to go on: it aborts. */
static void redistribute(pending_set *ps)
{
	unsigned b = (unsigned)__builtin_ctzll(ps->nonempty) + 1;
	pending_vec *src = &ps->bucket[b];
	uint64_t least = key_of(ps, ps->bucket_min[b]);
	ps->last_key = least;
	ps->nonempty &= ~(1ull << (b - 1));
	for (size_t i = 0; i < src->len; i++) {
		pending_entry e = src->items[i];
		unsigned nb = bucket_of(key_of(ps, e.time), least);
		int rc = nb == 0 ? heap_push(ps, &ps->current, e) : bucket_push(ps, nb, e);
		if (rc != 0)
			abort();
	}
	src->len = 0;
}

static unsigned log2_floor(uint64_t x)
{
	return x ? 63u - (unsigned)__builtin_clzll(x) : 0u;
}

/* Re-keys every entry with a new shift. O(count); called at most once per
 * max(count, MIN_WINDOW) pops, so it adds at most one move per event. */
static void rekey(pending_set *ps, unsigned shift)
{
	pending_vec all = {0};
	if (vec_reserve(&all, ps->count) != 0)
		return; /* keep the old shift: still correct, only slower */
	for (unsigned b = 1; b < 64; b++) {
		if (ps->bucket[b].len)
			memcpy(all.items + all.len, ps->bucket[b].items, ps->bucket[b].len * sizeof(pending_entry));
		all.len += ps->bucket[b].len;
		ps->bucket[b].len = 0;
	}
	if (ps->current.len)
		memcpy(all.items + all.len, ps->current.items, ps->current.len * sizeof(pending_entry));
	all.len += ps->current.len;
	ps->current.len = 0;
	ps->nonempty = 0;
	ps->shift = shift;
	/* Early entries stay where they are; everything else is at or after
	 * the last popped time, which becomes the base key. */
	ps->last_key = key_of(ps, ps->last_popped);
	for (size_t i = 0; i < all.len; i++)
		if (place(ps, all.items[i]) != 0)
			abort();
	free(all.items);
}

/* Every window of pops, compare the shift with the spacing of the popped
 * events (time advanced / pops) and re-key if it is off by much. */
static void adapt_shift(pending_set *ps)
{
	uint64_t window = ps->count > MIN_WINDOW ? ps->count : MIN_WINDOW;
	if (++ps->window_pops < window)
		return;
	uint64_t gap = (uint64_t)(ps->last_popped - ps->window_start) / ps->window_pops;
	unsigned want = log2_floor(gap) + KEY_SLACK;
	if (want > 40)
		want = 40;
	if (want + SHIFT_TOLERANCE <= ps->shift || want >= ps->shift + SHIFT_TOLERANCE)
		rekey(ps, want);
	ps->window_pops = 0;
	ps->window_start = ps->last_popped;
}

sim_time_t pending_peek_time(pending_set *ps)
{
	if (ps->early.len)
		return ps->early.items[0].time;
	if (!ps->current.len) {
		if (!ps->nonempty)
			return SIM_TIME_MAX;
		redistribute(ps);
	}
	return ps->current.items[0].time;
}

int pending_pop(pending_set *ps, pending_entry *out)
{
	if (ps->early.len) {
		*out = heap_pop(ps, &ps->early);
	} else {
		if (ps->current.len == 0) {
			if (!ps->nonempty)
				return -1;
			redistribute(ps);
		}
		if (ps->current.len == 1)
			*out = ps->current.items[--ps->current.len];
		else
			*out = heap_pop(ps, &ps->current);
	}
	ps->count--;
	ps->last_popped = out->time;
	adapt_shift(ps);
	return 0;
}
