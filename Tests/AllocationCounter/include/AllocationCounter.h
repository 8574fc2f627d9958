// Test-only: counts heap allocations made by the calling thread, so a test
// can prove a loop allocates nothing per batch. Linked into the test binary
// only; it replaces malloc and friends for the whole process by forwarding to
// glibc's own entry points, adding one thread-local increment.
//
// Under AddressSanitizer or ThreadSanitizer it replaces nothing: their runtimes
// must own malloc themselves (ASan's calls malloc while it initialises, before
// the instrumented counter may touch memory, and crashes; TSan must see every
// allocation to know which memory is new). Then nothing is counted, and
// AllocationCounter_isCounting says so.
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

#include <stdbool.h>

/// Allocations (malloc, calloc, realloc, memalign, posix_memalign, aligned_alloc)
/// made by the calling thread since it started; always 0 when not counting.
unsigned long AllocationCounter_thisThread(void);

/// False when the binary was built with a sanitizer that owns malloc (ASan,
/// TSan): malloc is not replaced and AllocationCounter_thisThread stays 0.
bool AllocationCounter_isCounting(void);

#endif
