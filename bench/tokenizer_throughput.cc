// Tokenizer throughput, single thread: encodes every line of a corpus (a JSON array of
// strings) with a tokenizer.json, `rounds` times, and prints one JSON line with the time.
// The peers run the same corpus with bench/tokenizer_peer.py (Hugging Face tokenizers) and
// bench/tokenizer_peer.mjs (transformers.js); bench/RESULTS.md has the commands.
//   tokenizer_throughput TOKENIZER.json CORPUS.json [ROUNDS]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tokenizer/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TOKENIZER.json CORPUS.json [ROUNDS]\n", argv[0]);
    return 2;
  }
  int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
  auto load_start = std::chrono::steady_clock::now();
  auto tokenizer = kaif::tokenizer::Tokenizer::Load(argv[1]);
  if (!tokenizer.ok()) {
    std::fprintf(stderr, "%s\n", tokenizer.status().message().c_str());
    return 1;
  }
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
  std::ifstream in(argv[2]);
  std::stringstream text;
  text << in.rdbuf();
  auto lines = nlohmann::json::parse(text.str()).get<std::vector<std::string>>();
  size_t bytes = 0, tokens = 0;
  for (const std::string& line : lines) bytes += line.size();
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const std::string& line : lines) tokens += (*tokenizer)->Encode(line).value().size();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"impl\": \"kaif\", \"load_s\": %.4f, \"encode_s\": %.4f, \"rounds\": %d, \"lines\": %zu, \"tokens\": %zu, "
              "\"MB_per_s\": %.3f}\n",
              load_s, seconds, rounds, lines.size(), tokens, static_cast<double>(bytes) * rounds / seconds / 1e6);
  return 0;
}
