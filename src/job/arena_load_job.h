// The job behind `kaif arena loadtest`: votes sent to a running arena as fast as it takes
// them, over many keep-alive connections, for the throughput and latency figures in
// bench/RESULTS.md and for the durability test (kill -9 under load).
//
// The battles voted on are seeded straight into the arena's database (answered, with
// empty prompts): their answers are not what is measured. So the server must run with
// pow_bits = 0 and no vote limits, as a load test's config says. One vote per battle;
// every request is a real vote the server commits before it answers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "util/status.h"

namespace kaif::job {

struct ArenaLoadJob {
  std::filesystem::path config;  // the served arena's config (its database)
  std::string url;               // where it listens: http://127.0.0.1:PORT
  double seconds = 10;
  size_t connections = 64;
  size_t battles = 0;            // battles to seed; 0: enough for 50,000 votes/s
  std::filesystem::path acked;   // when set: the id of every acknowledged vote, a line each, as it comes
};

struct ArenaLoadOutcome {
  size_t sent = 0, acknowledged = 0, refused = 0, broken = 0;  // refused: a non-200 answer; broken: no answer
  double seconds = 0, votes_per_second = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  std::map<int, size_t> statuses;
  double seed_seconds = 0;
};

Result<ArenaLoadOutcome> RunArenaLoad(const ArenaLoadJob& job);

}  // namespace kaif::job
