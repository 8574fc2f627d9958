// Test-only: counts heap allocations made by the calling thread, so a test
// can prove a loop allocates nothing per batch. Linked into the test binary
// only; it replaces malloc and friends for the whole process by forwarding to
// glibc's own entry points, adding one thread-local increment.
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// Allocations (malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc)
/// made by the calling thread since it started.
unsigned long AllocationCounter_thisThread(void);

#endif
