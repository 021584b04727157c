// jemalloc's start-up settings (linked only with jemalloc; see SWITCHYARD_JEMALLOC).
// A background thread returns freed pages to the system within seconds, so the memory a
// burst of traffic took is given back once it passes, even if no request follows.
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:2000,muzzy_decay_ms:0";
}
