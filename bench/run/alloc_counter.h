// Counts heap allocations of the whole process: kclient-bench-run defines malloc, calloc and
// realloc (forwarding to glibc's), so every allocation is seen, whichever library makes it:
// operator new, librdkafka's C allocations, codecs. Sanitizer builds keep their own allocator
// and count nothing.
// Thread-safety: AllocationCount may be called from any thread.
#pragma once

#include <cstdint>

namespace kclient::bench {

// Allocations made so far by every thread; 0 forever when counting is unavailable.
uint64_t AllocationCount();
// Whether allocations are counted in this build.
bool AllocationsCounted();

}  // namespace kclient::bench
