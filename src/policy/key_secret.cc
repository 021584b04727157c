#include "policy/key_secret.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace switchyard::policy {

namespace {

void random_bytes(unsigned char* out, int size) {
  if (RAND_bytes(out, size) != 1) throw std::runtime_error("the random generator failed");
}

}  // namespace

std::string new_secret() {
  std::array<unsigned char, 32> bytes;
  random_bytes(bytes.data(), static_cast<int>(bytes.size()));
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out(kSecretPrefix);
  // base64url without padding: 32 bytes → 43 characters.
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

std::string new_identifier(std::string_view prefix) {
  std::array<unsigned char, 8> bytes;
  random_bytes(bytes.data(), static_cast<int>(bytes.size()));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(prefix);
  for (unsigned char byte : bytes) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

std::string secret_hash(std::string_view secret) {
  // OpenSSL 3 looks the algorithm up on every one-shot call; fetched once, it is cheap.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string digest(32, '\0');
  unsigned size = 0;
  if (!sha256 || !context || EVP_DigestInit_ex2(context.get(), sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), secret.data(), secret.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), reinterpret_cast<unsigned char*>(digest.data()), &size) != 1 || size != 32) {
    throw std::runtime_error("SHA-256 is unavailable");
  }
  return digest;
}

std::string display_prefix(std::string_view secret) { return std::string(secret.substr(0, 10)); }

}  // namespace switchyard::policy
