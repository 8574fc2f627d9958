// Forwarding allocator for tests: every call goes to glibc's __libc_* entry
// point; the only addition is a per-thread count. No other logic.
#include <stddef.h>
#include <errno.h>
#include "AllocationCounter.h"

// ASan and TSan replace malloc themselves (see AllocationCounter.h): leave it to them.
#if defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#    define ALLOCATION_COUNTER_OFF 1
#  endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define ALLOCATION_COUNTER_OFF 1
#endif

#ifdef ALLOCATION_COUNTER_OFF

unsigned long AllocationCounter_thisThread(void) { return 0; }
bool AllocationCounter_isCounting(void) { return false; }

#else

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static __thread unsigned long allocations __attribute__((tls_model("initial-exec")));

unsigned long AllocationCounter_thisThread(void) { return allocations; }
bool AllocationCounter_isCounting(void) { return true; }

void *malloc(size_t size) { allocations++; return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { allocations++; return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { allocations++; return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { allocations++; return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { allocations++; return __libc_memalign(alignment, size); }
int posix_memalign(void **result, size_t alignment, size_t size) {
    allocations++;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}
void free(void *pointer) { __libc_free(pointer); }

#endif
