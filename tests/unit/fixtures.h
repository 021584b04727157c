// Reads payloads recorded from the real APIs (tests/fixtures/).
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace switchyard::testing {

inline std::string read_fixture(const std::string& relative_path) {
  std::ifstream file(std::string(SWITCHYARD_FIXTURES) + "/" + relative_path, std::ios::binary);
  if (!file) throw std::runtime_error("missing fixture " + relative_path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace switchyard::testing
