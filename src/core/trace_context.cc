#include "core/trace_context.h"

#include <random>

namespace switchyard {

namespace {

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool all_zero(std::string_view text) { return text.find_first_not_of('0') == std::string_view::npos; }

std::string random_hex(std::size_t bytes) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  while (out.size() < bytes * 2) {
    std::uint64_t value = generator();
    for (int i = 0; i < 16 && out.size() < bytes * 2; ++i, value >>= 4) out += kHex[value & 0xf];
  }
  if (all_zero(out)) out.back() = '1';  // an all-zero id is invalid
  return out;
}

}  // namespace

std::optional<TraceParent> parse_traceparent(std::string_view text) {
  // 00-<32 hex>-<16 hex>-<2 hex>
  if (text.size() != 55 || text[2] != '-' || text[35] != '-' || text[52] != '-') return std::nullopt;
  std::string_view version = text.substr(0, 2), trace = text.substr(3, 32), span = text.substr(36, 16),
                   flags = text.substr(53, 2);
  if (version != "00" || !is_lower_hex(trace) || !is_lower_hex(span) || !is_lower_hex(flags)) return std::nullopt;
  if (all_zero(trace) || all_zero(span)) return std::nullopt;
  int flag_bits = std::stoi(std::string(flags), nullptr, 16);
  return TraceParent{std::string(trace), std::string(span), (flag_bits & 1) != 0};
}

std::string format_traceparent(std::string_view trace_id, std::string_view span_id, bool sampled) {
  std::string out = "00-";
  out += trace_id;
  out += '-';
  out += span_id;
  out += sampled ? "-01" : "-00";
  return out;
}

std::string new_trace_id() { return random_hex(16); }
std::string new_span_id() { return random_hex(8); }

}  // namespace switchyard
