// Hands memory the allocator holds but nothing uses back to the system, whichever
// allocator the binary was linked with. For the moment a burst of traffic is over.
#pragma once

namespace switchyard {

// Flushes the calling thread's allocator cache and returns free pages: jemalloc's
// thread.tcache.flush and arena purge when it is linked in, glibc's malloc_trim otherwise.
void release_free_memory();

}  // namespace switchyard
