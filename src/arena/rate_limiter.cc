#include "arena/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace kaif::arena {
namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "fe80::1%eth0" -> "fe80::1": a zone names the local interface, not the peer.
std::string WithoutZone(const std::string& host) { return host.substr(0, host.find('%')); }

bool IsIpv6(const std::string& host) {
  std::array<unsigned char, 16> bytes;
  return inet_pton(AF_INET6, WithoutZone(host).c_str(), bytes.data()) == 1;
}

std::optional<ClientAddress> FromHost(const std::string& host) {
  std::array<unsigned char, 16> b{};
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_pton(AF_INET, host.c_str(), b.data()) == 1) {
  } else if (inet_pton(AF_INET6, WithoutZone(host).c_str(), b.data()) == 1) {
    const bool mapped = std::all_of(b.begin(), b.begin() + 10, [](unsigned char c) { return c == 0; }) && b[10] == 0xff &&
                        b[11] == 0xff;
    if (mapped) {
      std::copy(b.begin() + 12, b.end(), b.begin());
    } else {
      ClientAddress out;
      inet_ntop(AF_INET6, b.data(), text, sizeof(text));
      out.address = text;
      std::fill(b.begin() + 6, b.end(), 0);
      inet_ntop(AF_INET6, b.data(), text, sizeof(text));
      out.network = std::string(text) + "/48";
      return out;
    }
  } else {
    return std::nullopt;
  }
  ClientAddress out;
  inet_ntop(AF_INET, b.data(), text, sizeof(text));
  out.address = text;
  b[3] = 0;
  inet_ntop(AF_INET, b.data(), text, sizeof(text));
  out.network = std::string(text) + "/24";
  return out;
}

}  // namespace

ClientAddress ParseClientAddress(const std::string& remote) {
  std::string host = remote;
  if (!remote.empty() && remote[0] == '[') {
    const size_t close = remote.find(']');
    if (close != std::string::npos) host = remote.substr(1, close - 1);
  } else {
    const size_t colons = std::count(remote.begin(), remote.end(), ':');
    const size_t last = remote.rfind(':');
    if (colons == 1 && AllDigits(remote.substr(last + 1))) {
      host = remote.substr(0, last);  // "203.0.113.7:5123", "localhost:80"
    } else if (colons > 2 && AllDigits(remote.substr(last + 1)) && IsIpv6(remote.substr(0, last))) {
      host = remote.substr(0, last);  // "2001:db8::1:443": an unbracketed address and its port
    }
  }
  if (std::optional<ClientAddress> parsed = FromHost(host)) return *parsed;
  return ClientAddress{host, host};
}

std::string NetworkPrefix(const std::string& remote) { return ParseClientAddress(remote).network; }

struct RateLimiter::Shard {
  struct Bucket {
    std::string key;
    double tokens = 0, last = 0;
  };
  std::mutex mu;
  std::list<Bucket> lru;  // most recently used first
  std::unordered_map<std::string, std::list<Bucket>::iterator> index;

  // The key's bucket refilled to `now`, created full if new (forgetting the least
  // recently used bucket when the shard is full), and marked most recently used.
  Bucket& Touch(const std::string& key, double rate_per_second, double capacity, double now, size_t max_keys) {
    auto it = index.find(key);
    if (it == index.end()) {
      if (index.size() >= max_keys && !lru.empty()) {
        index.erase(lru.back().key);
        lru.pop_back();
      }
      lru.push_front(Bucket{key, capacity, now});
      index.emplace(key, lru.begin());
      return lru.front();
    }
    lru.splice(lru.begin(), lru, it->second);
    Bucket& b = *it->second;
    const double elapsed = now - b.last;
    // A clock that went backwards (or a non-finite time) refills nothing.
    if (std::isfinite(elapsed) && elapsed > 0) {
      b.tokens = std::min(capacity, b.tokens + elapsed * rate_per_second);
      b.last = now;
    }
    b.tokens = std::min(b.tokens, capacity);  // the rate may have changed since
    return b;
  }
};

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(options) {
  const size_t shards = static_cast<size_t>(std::max(1, options_.shards));
  const size_t max_keys = std::max<size_t>(1, options_.max_keys);
  for (Table* t : {&clients_, &networks_}) {
    for (size_t i = 0; i < shards; ++i) t->shards.push_back(std::make_unique<Shard>());
    t->per_shard = (max_keys + shards - 1) / shards;
  }
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Shard& RateLimiter::ShardOf(Table& table, const std::string& key) {
  return *table.shards[std::hash<std::string>{}(key) % table.shards.size()];
}

RateDecision RateLimiter::Allow(const std::string& client, const std::string& network, double now_seconds) {
  return Allow(client, network, options_.per_client_per_minute, options_.per_network_per_minute, now_seconds);
}

RateDecision RateLimiter::Allow(const std::string& client, const std::string& network, double per_client_per_minute,
                                double per_network_per_minute, double now_seconds) {
  const bool limit_client = per_client_per_minute > 0, limit_network = per_network_per_minute > 0;
  if (!limit_client && !limit_network) return RateDecision{};
  // Always the client table's shard before the network table's: one lock order, no deadlock.
  std::unique_lock<std::mutex> client_lock, network_lock;
  Shard* client_shard = limit_client ? &ShardOf(clients_, client) : nullptr;
  Shard* network_shard = limit_network ? &ShardOf(networks_, network) : nullptr;
  if (client_shard) client_lock = std::unique_lock<std::mutex>(client_shard->mu);
  if (network_shard) network_lock = std::unique_lock<std::mutex>(network_shard->mu);

  // Seconds until the bucket holds a whole token; 0 if it does. The epsilons absorb
  // rounding in the refill (0.1 tokens a second is no exact double), so that waiting
  // the promised whole seconds always suffices and is never a second too long.
  auto wait = [](const Shard::Bucket& b, double rate_per_second) {
    return b.tokens >= 1 - 1e-6 ? 0.0 : (1 - b.tokens) / rate_per_second;
  };
  Shard::Bucket* buckets[2] = {nullptr, nullptr};
  double waits[2] = {0, 0};
  const double rates[2] = {per_client_per_minute, per_network_per_minute};
  Shard* shards[2] = {client_shard, network_shard};
  Table* tables[2] = {&clients_, &networks_};
  const std::string* keys[2] = {&client, &network};
  for (int i = 0; i < 2; ++i) {
    if (!shards[i]) continue;
    const double per_second = rates[i] / 60;
    const double capacity = std::max(1.0, rates[i] * std::max(0.0, options_.burst));
    buckets[i] = &shards[i]->Touch(*keys[i], per_second, capacity, now_seconds, tables[i]->per_shard);
    waits[i] = wait(*buckets[i], per_second);
  }
  if (waits[0] == 0 && waits[1] == 0) {
    for (Shard::Bucket* b : buckets) {
      if (b) b->tokens = std::max(0.0, b->tokens - 1);
    }
    return RateDecision{};
  }
  RateDecision d;
  d.allowed = false;
  const bool client_longer = waits[0] >= waits[1];
  d.hit = client_longer ? RateLimitHit::kClient : RateLimitHit::kNetwork;
  d.limit = client_longer ? "this address" : "this network";
  d.retry_after_seconds = std::max(1.0, std::ceil(std::max(waits[0], waits[1]) - 1e-9));
  return d;
}

size_t RateLimiter::Keys() const {
  size_t n = 0;
  for (const Table* t : {&clients_, &networks_}) {
    for (const std::unique_ptr<Shard>& s : t->shards) {
      std::lock_guard<std::mutex> lock(s->mu);
      n += s->index.size();
    }
  }
  return n;
}

}  // namespace kaif::arena
