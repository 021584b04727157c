#include "core/free_memory.h"

#include <malloc.h>

#include <cstddef>

// jemalloc's control interface, present only when jemalloc is linked in (weak: the
// address is null otherwise).
extern "C" int mallctl(const char* name, void* old_value, std::size_t* old_size, void* new_value,
                       std::size_t new_size) __attribute__((weak));

namespace switchyard {

void release_free_memory() {
  if (mallctl) {
    mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0);
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);  // 4096: MALLCTL_ARENAS_ALL
    return;
  }
  malloc_trim(0);
}

}  // namespace switchyard
