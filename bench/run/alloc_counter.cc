#include "run/alloc_counter.h"

#include <atomic>
#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KCLIENT_BENCH_NO_MALLOC_HOOK 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KCLIENT_BENCH_NO_MALLOC_HOOK 1
#endif

namespace {
// Relaxed: a count, not a synchronisation point. One atomic add per allocation is the whole
// cost the counting adds to a run (a few nanoseconds, charged to every client alike).
std::atomic<uint64_t> allocations{0};
}  // namespace

#ifndef KCLIENT_BENCH_NO_MALLOC_HOOK
// glibc exports its allocator under these names; a program that defines malloc replaces it for
// every shared library it loads, and forwarding keeps glibc's allocator behind the count.
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* ptr, size_t size);

void* malloc(size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
void* calloc(size_t count, size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(count, size);
}
void* realloc(void* ptr, size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(ptr, size);
}
}
#endif

namespace kclient::bench {

uint64_t AllocationCount() { return allocations.load(std::memory_order_relaxed); }

bool AllocationsCounted() {
#ifdef KCLIENT_BENCH_NO_MALLOC_HOOK
  return false;
#else
  return true;
#endif
}

}  // namespace kclient::bench
