#ifndef CPREFETCH_H
#define CPREFETCH_H

/// Asks the CPU to start loading the cache line at `address`. A prefetch never faults, even on
/// a stale or freed address, so the model checker may prefetch visited-set slots it has not
/// locked: the misses of several successors then overlap instead of queueing.
static inline void raftcheck_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
