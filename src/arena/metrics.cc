#include "arena/metrics.h"

#include <fmt/format.h>

namespace kaif::arena {

void ArenaMetrics::Request(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

void ArenaMetrics::Vote(const std::string& mode, const std::string& result) {
  std::lock_guard<std::mutex> lock(mu_);
  ++votes_[{mode, result}];
}

void ArenaMetrics::Battle(const std::string& mode) {
  std::lock_guard<std::mutex> lock(mu_);
  ++battles_[mode];
}

void ArenaMetrics::BackendError(const std::string& model) {
  std::lock_guard<std::mutex> lock(mu_);
  ++backend_errors_[model];
}

void ArenaMetrics::StreamsOpen(int delta) {
  std::lock_guard<std::mutex> lock(mu_);
  streams_ += delta;
}

namespace {

// Label values escaped as the exposition format asks (backslash, quote, newline).
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string ArenaMetrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP kaif_arena_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE kaif_arena_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += fmt::format("kaif_arena_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", Label(key.first), key.second, n);
  }
  out += "# HELP kaif_arena_request_seconds Time to answer a request (streams: until the header), by route.\n";
  out += "# TYPE kaif_arena_request_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("kaif_arena_request_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", Label(route), kBuckets[i],
                         h.counts[i]);
    }
    out += fmt::format("kaif_arena_request_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", Label(route), h.count);
    out += fmt::format("kaif_arena_request_seconds_sum{{route=\"{}\"}} {}\n", Label(route), h.sum);
    out += fmt::format("kaif_arena_request_seconds_count{{route=\"{}\"}} {}\n", Label(route), h.count);
  }
  out += "# HELP kaif_arena_votes_total Votes received, by mode and result.\n";
  out += "# TYPE kaif_arena_votes_total counter\n";
  for (const auto& [key, n] : votes_) {
    out += fmt::format("kaif_arena_votes_total{{mode=\"{}\",result=\"{}\"}} {}\n", Label(key.first), Label(key.second), n);
  }
  out += "# HELP kaif_arena_battles_total Battles started, by mode.\n";
  out += "# TYPE kaif_arena_battles_total counter\n";
  for (const auto& [mode, n] : battles_) out += fmt::format("kaif_arena_battles_total{{mode=\"{}\"}} {}\n", Label(mode), n);
  out += "# HELP kaif_arena_backend_errors_total Answers a model failed to give, by model.\n";
  out += "# TYPE kaif_arena_backend_errors_total counter\n";
  for (const auto& [model, n] : backend_errors_) {
    out += fmt::format("kaif_arena_backend_errors_total{{model=\"{}\"}} {}\n", Label(model), n);
  }
  out += "# HELP kaif_arena_streams Answers being streamed now.\n# TYPE kaif_arena_streams gauge\n";
  out += fmt::format("kaif_arena_streams {}\n", streams_);
  return out;
}

}  // namespace kaif::arena
