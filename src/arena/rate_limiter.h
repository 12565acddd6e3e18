// Rate limits for the arena's anonymous requests: a token bucket per client address and
// one per network prefix (an IPv4 /24, an IPv6 /48), so that one machine cannot flood
// battles or votes, and neither can a subnet of machines behind one owner (a cloud
// account hands out addresses from the same prefix; a home router, from one /48).
//
// Bounded memory: each kind of key (clients, networks) holds at most `max_keys` buckets;
// beyond that the least recently used bucket is forgotten. A forgotten bucket was idle
// the longest, and an idle bucket refills, so forgetting it usually loses nothing; an
// attacker spraying more addresses than `max_keys` within one refill period does get
// fresh buckets, but each sprayed address still spends from its network's bucket, and
// memory stays bounded either way.
//
// The time is passed in (seconds on any monotonic clock), so tests need no clock.
// Thread-safe: the buckets are sharded by key, each shard behind its own mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kaif::arena {

// A peer's address without its port, and its network prefix.
struct ClientAddress {
  std::string address;  // "203.0.113.7", "2001:db8::1" (canonical text)
  std::string network;  // "203.0.113.0/24", "2001:db8::/48"
};

// Reads "203.0.113.7:5123", "203.0.113.7", "[2001:db8::1]:443", "2001:db8::1",
// "::ffff:1.2.3.4" (IPv4-mapped IPv6 is IPv4: a dual-stack socket reports IPv4 peers
// that way) and a zone ("fe80::1%eth0"). An unbracketed IPv6 address followed by ":port"
// (what "address:port" printing gives) is read as the address and a port when the part
// before the last colon is itself an address, so "2001:db8::1:443" reads as 2001:db8::1
// (and so does a bare address whose last group could be a port: bracket IPv6 to be
// unambiguous).
// Text that is no IP address (a Unix socket's path, a host name) is its own address and
// its own network, without a trailing ":port".
ClientAddress ParseClientAddress(const std::string& remote);

// ParseClientAddress(remote).network.
std::string NetworkPrefix(const std::string& remote);

struct RateLimiterOptions {
  // Requests per minute, sustained; 0 (or less) turns that limit off.
  double per_client_per_minute = 30;
  double per_network_per_minute = 300;
  // The bucket's size in minutes of its rate: 1 lets a minute's worth of requests
  // through at once after a quiet minute. At least one request always fits.
  double burst = 1;
  size_t max_keys = 100000;  // buckets kept per kind of key (clients, networks)
  int shards = 16;
};

enum class RateLimitHit { kNone, kClient, kNetwork };

struct RateDecision {
  bool allowed = true;
  // When denied: whole seconds (at least 1, rounded up) until the request would pass,
  // ready for HTTP's Retry-After.
  double retry_after_seconds = 0;
  RateLimitHit hit = RateLimitHit::kNone;  // the limit with the longer wait
  std::string limit;  // the same in words: "this address", "this network"; empty if allowed
};

class RateLimiter {
 public:
  using Decision = RateDecision;

  explicit RateLimiter(RateLimiterOptions options = {});
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // One request from `client` (any key: an address, "vote 203.0.113.7") in `network`
  // (its prefix key) at `now_seconds`. Allowed only if both buckets hold a token; then
  // both spend one. A denied request spends nothing, so retrying early does not push
  // the time out further.
  Decision Allow(const std::string& client, const std::string& network, double now_seconds);
  // The same with the rates given per call (requests per minute, 0: off), for callers
  // that limit several kinds of request with one limiter (their keys must differ by
  // kind: a bucket is refilled at the rate of the call that touches it).
  Decision Allow(const std::string& client, const std::string& network, double per_client_per_minute,
                 double per_network_per_minute, double now_seconds);

  // Buckets held now, both kinds together (for tests and /metrics).
  size_t Keys() const;

 private:
  struct Shard;
  struct Table {
    std::vector<std::unique_ptr<Shard>> shards;
    size_t per_shard = 0;
  };
  Shard& ShardOf(Table& table, const std::string& key);

  RateLimiterOptions options_;
  Table clients_, networks_;
};

}  // namespace kaif::arena
