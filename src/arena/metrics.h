// The arena server's counters and latencies in Prometheus' text format (GET /metrics):
// requests by route and status, request latency histograms by route, votes by mode and
// result, battles by mode, answers being streamed, and backend errors by model. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace kaif::arena {

class ArenaMetrics {
 public:
  void Request(const std::string& route, int status, double seconds);
  void Vote(const std::string& mode, const std::string& result);  // result: "accepted", "rejected"...
  void Battle(const std::string& mode);
  void BackendError(const std::string& model);
  void StreamsOpen(int delta);

  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,  10};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::pair<std::string, std::string>, uint64_t> votes_;
  std::map<std::string, uint64_t> battles_, backend_errors_;
  int64_t streams_ = 0;
};

}  // namespace kaif::arena
