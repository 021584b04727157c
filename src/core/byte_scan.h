// Finds every occurrence of one byte in a text, 16 bytes at a time.
//
// For a byte that recurs every few dozen bytes (the colons of a JSON chunk), a memchr call
// per occurrence costs more in call overhead than the search itself; one SSE2 compare per
// 16 bytes and a bit scan per hit do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace switchyard {

// Calls `visit(offset)` for each offset of `c` in `text`, in order, until it returns false.
template <class Visit>
void for_each_byte(std::string_view text, char c, Visit visit) {
  const char* data = text.data();
  std::size_t size = text.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i wanted = _mm_set1_epi8(c);
  for (; i + 16 <= size; i += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    auto hits = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, wanted)));
    for (; hits != 0; hits &= hits - 1) {
      if (!visit(i + static_cast<std::size_t>(__builtin_ctz(hits)))) return;
    }
  }
#endif
  for (; i < size; ++i) {
    if (data[i] == c && !visit(i)) return;
  }
}

}  // namespace switchyard
