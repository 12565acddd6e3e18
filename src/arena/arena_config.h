// arena.toml: what `kaif arena serve` serves - where it listens, where the records are,
// the models that battle (native weights or OpenAI-compatible endpoints), the published
// pair-sampling rule, limits, the expert prompts and the rubric. Every field is checked
// when the file is read; a mistake names the file, line and key.
//
//   [server]
//   host = "127.0.0.1"
//   port = 8080
//   database = "arena.sqlite"            # or "postgresql://user@host/db"
//   admin_token_env = "KAIF_ARENA_ADMIN_TOKEN"
//   secret_env = "KAIF_ARENA_SECRET"     # signs proof-of-work challenges; shared by every process
//   threads = 16                         # answers streamed at once (battles, turns, expert assignments)
//   io_threads = 4                       # read and write the sockets and answer votes and small reads
//   idle_timeout_seconds = 15            # a client that sends no whole request for this long is cut off
//
//   [battles]
//   sampling = "uniform"                 # or "uncertainty"
//   max_prompt_chars = 4000
//   max_turns = 4
//   max_tokens = 256
//   pow_bits = 16
//   backend_timeout_seconds = 60
//
//   [limits]                             # per minute; 0: no limit
//   battles_per_client = 20
//   battles_per_network = 200
//   votes_per_client = 30
//   votes_per_network = 300
//
//   [[models]]
//   name = "hanbit-7b"
//   team = "hanbit"
//   weights = "models/hanbit-7b"         # native engine; tokenizer = "..." if not in the folder
//
//   [[models]]
//   name = "frontier"
//   team = "reference"
//   endpoint = "https://api.example/v1"
//   endpoint_model = "model-name"
//   api_key_env = "EXAMPLE_API_KEY"
//
//   [expert]
//   prompts = "expert_prompts.jsonl"     # {"text": "...", "category": "..."} per line
//   kinds = ["pairwise", "single"]
//
//   [[rubric]]                           # default: accuracy, helpfulness, korean, safety on 1..5
//   id = "accuracy"
//   ko = "정확성"
//   en = "Accuracy"
//   min = 1
//   max = 5
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/status.h"

namespace kaif::arena {

struct ArenaModelConfig {
  std::string name, team;
  std::filesystem::path weights, tokenizer;  // a native model
  std::string endpoint, endpoint_model, api_key_env;  // an endpoint model
  bool native() const { return !weights.empty(); }
};

struct RubricCriterion {
  std::string id, ko, en;
  int min = 1, max = 5;
};

enum class PairSampling { kUniform, kUncertainty };

struct ArenaConfig {
  std::filesystem::path file;  // where it was read from
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string database = "arena.sqlite";  // relative paths are relative to the config file
  std::string admin_token_env = "KAIF_ARENA_ADMIN_TOKEN";
  std::string secret_env = "KAIF_ARENA_SECRET";
  int threads = 16;
  int io_threads = 4;
  double idle_timeout_seconds = 15;

  PairSampling sampling = PairSampling::kUniform;
  int max_prompt_chars = 4000;
  int max_turns = 4;
  int max_tokens = 256;
  int pow_bits = 16;
  double backend_timeout_seconds = 60;

  int battles_per_client = 20, battles_per_network = 200;
  int votes_per_client = 30, votes_per_network = 300;

  std::vector<ArenaModelConfig> models;
  std::filesystem::path expert_prompts;
  bool expert_pairwise = true, expert_single = true;
  std::vector<RubricCriterion> rubric;
};

// The Korean default rubric: accuracy, helpfulness, Korean fluency, safety, each 1..5.
std::vector<RubricCriterion> DefaultRubric();

Result<ArenaConfig> ReadArenaConfig(const std::filesystem::path& path);

}  // namespace kaif::arena
