#include "dialects/codec.h"

#include <array>

#include "dialects/anthropic/codec.h"
#include "dialects/gemini/codec.h"
#include "dialects/openai/codec.h"
#include "http/server.h"

namespace switchyard {
namespace {

// Every dialect, in the order credentials are looked for: a bearer token first.
const std::array<const DialectCodec*, 4>& all_codecs() {
  static const std::array<const DialectCodec*, 4> codecs{&openai::codec(), &anthropic::codec(), &gemini::codec(),
                                                         &openai::responses_codec()};
  return codecs;
}

}  // namespace

const DialectCodec& codec_for(Dialect dialect) {
  for (const DialectCodec* codec : all_codecs()) {
    if (codec->dialect == dialect) return *codec;
  }
  return *all_codecs().front();
}

std::string_view presented_credential(const http::ClientRequest& request) {
  for (const DialectCodec* codec : all_codecs()) {
    if (std::string_view credential = codec->auth.credential(request); !credential.empty()) return credential;
  }
  return {};
}

const DialectCodec& model_list_codec(Dialect route_dialect, bool shared_path, const http::ClientRequest& request) {
  if (!shared_path) return codec_for(route_dialect);
  for (const DialectCodec* codec : all_codecs()) {
    std::string_view marker = codec->model_list.marker_header;
    if (!marker.empty() && !request.header(marker).empty()) return *codec;
  }
  return codec_for(route_dialect);
}

}  // namespace switchyard
