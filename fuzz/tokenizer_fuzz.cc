// libFuzzer target: any bytes as a tokenizer.json give a tokenizer or a Status; a loaded
// tokenizer encodes and decodes any text (valid UTF-8 or not) without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tokenizer/hf_tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first line is the text to encode; the rest is the tokenizer.json.
  size_t newline = bytes.find('\n');
  std::string_view text = newline == std::string_view::npos ? std::string_view() : bytes.substr(0, newline);
  std::string_view json = newline == std::string_view::npos ? bytes : bytes.substr(newline + 1);
  auto tokenizer = kaif::tokenizer::HfTokenizer::Parse(json, "fuzz");
  if (!tokenizer.ok()) return 0;
  for (bool special : {false, true}) {
    auto ids = (*tokenizer)->Encode(text, special);
    if (ids.ok()) (void)(*tokenizer)->Decode(*ids);
  }
  return 0;
}
