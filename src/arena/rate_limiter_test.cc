#include "arena/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace kaif::arena {
namespace {

TEST(RateLimiterTest, AddressesAndTheirNetworks) {
  struct Case {
    const char* remote;
    const char* address;
    const char* network;
  };
  for (const Case& c : std::vector<Case>{
           {"203.0.113.7:5123", "203.0.113.7", "203.0.113.0/24"},
           {"203.0.113.7", "203.0.113.7", "203.0.113.0/24"},
           {"[2001:db8::1]:443", "2001:db8::1", "2001:db8::/48"},
           {"[2001:db8:aaaa:bbbb::1]", "2001:db8:aaaa:bbbb::1", "2001:db8:aaaa::/48"},
           {"2001:DB8:0:0:0:0:0:1", "2001:db8::1", "2001:db8::/48"},  // canonical text
           {"2001:db8::1", "2001:db8::1", "2001:db8::/48"},
           // What printing address + ":" + port gives for IPv6 (no brackets).
           {"2001:db8:1:2:3:4:5:6:8080", "2001:db8:1:2:3:4:5:6", "2001:db8:1::/48"},
           {"2001:db8::1:443", "2001:db8::1", "2001:db8::/48"},
           {"::1", "::1", "::/48"},
           {"::1:50000", "::1", "::/48"},
           // IPv4-mapped IPv6 is IPv4, in every spelling.
           {"::ffff:1.2.3.4", "1.2.3.4", "1.2.3.0/24"},
           {"::ffff:1.2.3.4:5123", "1.2.3.4", "1.2.3.0/24"},
           {"[::ffff:1.2.3.4]:80", "1.2.3.4", "1.2.3.0/24"},
           {"[::FFFF:102:304]:80", "1.2.3.4", "1.2.3.0/24"},
           {"fe80::1%eth0", "fe80::1", "fe80::/48"},
           {"[fe80::1%eth0]:22", "fe80::1", "fe80::/48"},
           // No IP address: its own address and network.
           {"", "", ""},
           {"/run/kaif.sock", "/run/kaif.sock", "/run/kaif.sock"},
           {"localhost:8080", "localhost", "localhost"},
           {"999.1.1.1:80", "999.1.1.1", "999.1.1.1"},
       }) {
    const ClientAddress a = ParseClientAddress(c.remote);
    EXPECT_EQ(a.address, c.address) << c.remote;
    EXPECT_EQ(a.network, c.network) << c.remote;
    EXPECT_EQ(NetworkPrefix(c.remote), c.network) << c.remote;
  }
}

TEST(RateLimiterTest, BucketDrainsAndRefillsAtItsRate) {
  RateLimiterOptions o;
  o.per_client_per_minute = 6;  // one every 10 s, 6 at once
  o.per_network_per_minute = 0;
  RateLimiter limiter(o);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(limiter.Allow("c", "n", 100).allowed) << i;
  RateDecision d = limiter.Allow("c", "n", 100);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.hit, RateLimitHit::kClient);
  EXPECT_EQ(d.limit, "this address");
  EXPECT_EQ(d.retry_after_seconds, 10);
  // A denied request spends nothing: 4 s later the wait is 6 s, not 10.
  d = limiter.Allow("c", "n", 104);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 6);
  EXPECT_TRUE(limiter.Allow("c", "n", 110).allowed);  // waiting what it said suffices
  EXPECT_FALSE(limiter.Allow("c", "n", 110).allowed);
  // Another client is unaffected; an hour later the bucket is full again, not fuller.
  EXPECT_TRUE(limiter.Allow("other", "n", 110).allowed);
  int allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += limiter.Allow("c", "n", 4000).allowed;
  EXPECT_EQ(allowed, 6);
}

TEST(RateLimiterTest, RetryAfterIsWholeSecondsRoundedUp) {
  RateLimiterOptions o;
  o.per_client_per_minute = 7;  // 60/7 = 8.57 s per token
  o.per_network_per_minute = 0;
  o.burst = 0;  // a bucket of one
  RateLimiter limiter(o);
  EXPECT_TRUE(limiter.Allow("c", "n", 0).allowed);
  EXPECT_EQ(limiter.Allow("c", "n", 0).retry_after_seconds, 9);
  EXPECT_EQ(limiter.Allow("c", "n", 8.5).retry_after_seconds, 1);  // 0.07 s left: still 1
  EXPECT_TRUE(limiter.Allow("c", "n", 9).allowed);
}

TEST(RateLimiterTest, NetworkLimitCatchesManyAddressesInOnePrefix) {
  RateLimiterOptions o;
  o.per_client_per_minute = 10;
  o.per_network_per_minute = 20;
  RateLimiter limiter(o);
  int allowed = 0;
  for (int host = 1; host <= 50; ++host) {
    const ClientAddress a = ParseClientAddress("198.51.100." + std::to_string(host) + ":4000");
    allowed += limiter.Allow(a.address, a.network, 0).allowed;
  }
  EXPECT_EQ(allowed, 20);
  const ClientAddress a = ParseClientAddress("198.51.100.77:1");
  const RateDecision d = limiter.Allow(a.address, a.network, 0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.hit, RateLimitHit::kNetwork);
  EXPECT_EQ(d.limit, "this network");
  EXPECT_EQ(d.retry_after_seconds, 3);  // 20 a minute: one every 3 s
  // Another /24 is another network.
  EXPECT_TRUE(limiter.Allow("198.51.101.1", NetworkPrefix("198.51.101.1:9"), 0).allowed);
  // A request denied by the network spends nothing of its client's bucket.
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(limiter.Allow("198.51.100.1", "198.51.100.0/24", 1).allowed);
  int later = 0;
  for (int i = 0; i < 20; ++i) later += limiter.Allow("198.51.100.1", "198.51.100.0/24", 300).allowed;
  EXPECT_EQ(later, 10);  // the client's own limit, not less
}

TEST(RateLimiterTest, RatesPerCallAndZeroMeansOff) {
  RateLimiter limiter(RateLimiterOptions{});
  int votes = 0, battles = 0;
  for (int i = 0; i < 100; ++i) {
    votes += limiter.Allow("vote c", "vote n", 3, 0, 0).allowed;
    battles += limiter.Allow("battle c", "battle n", 0, 0, 0).allowed;
  }
  EXPECT_EQ(votes, 3);
  EXPECT_EQ(battles, 100);
  EXPECT_EQ(limiter.Keys(), 1u);  // an unlimited key takes no memory
}

TEST(RateLimiterTest, MemoryIsBoundedAndTheIdlestKeyGoes) {
  RateLimiterOptions o;
  o.per_client_per_minute = 1;
  o.per_network_per_minute = 1;
  o.max_keys = 100;
  o.shards = 1;  // one shard: the least recently used key is exactly the one forgotten
  RateLimiter limiter(o);
  EXPECT_TRUE(limiter.Allow("victim", "victim-net", 0).allowed);
  for (int i = 0; i < 99; ++i) EXPECT_TRUE(limiter.Allow("c" + std::to_string(i), "n" + std::to_string(i), 1).allowed);
  EXPECT_EQ(limiter.Keys(), 200u);
  EXPECT_FALSE(limiter.Allow("victim", "victim-net", 2).allowed);  // used recently: remembered
  // A spray of 20,000 addresses keeps the memory at the bound.
  for (int i = 0; i < 20000; ++i) limiter.Allow("spray" + std::to_string(i), "spray-net" + std::to_string(i), 3);
  EXPECT_EQ(limiter.Keys(), 200u);

  o.shards = 16;
  RateLimiter sharded(o);
  for (int i = 0; i < 20000; ++i) sharded.Allow("spray" + std::to_string(i), "net" + std::to_string(i % 5000), 0);
  EXPECT_LE(sharded.Keys(), 2 * 112u);  // ceil(100 / 16) = 7 per shard
  EXPECT_GE(sharded.Keys(), 100u);
}

TEST(RateLimiterTest, ClockGoingBackwardsRefillsNothing) {
  RateLimiterOptions o;
  o.per_client_per_minute = 60;
  o.per_network_per_minute = 0;
  o.burst = 0;
  RateLimiter limiter(o);
  EXPECT_TRUE(limiter.Allow("c", "n", 1000).allowed);
  EXPECT_FALSE(limiter.Allow("c", "n", 10).allowed);
  EXPECT_FALSE(limiter.Allow("c", "n", 1000.5).allowed);
  EXPECT_TRUE(limiter.Allow("c", "n", 1001).allowed);
}

TEST(RateLimiterTest, ManyThreadsSpendEachTokenOnce) {
  RateLimiterOptions o;
  o.per_client_per_minute = 0;
  o.per_network_per_minute = 500;  // 500 tokens, no refill at a frozen clock
  RateLimiter limiter(o);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) allowed += limiter.Allow("c" + std::to_string(t * 1000 + i), "shared", 5).allowed;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 500);
}

}  // namespace
}  // namespace kaif::arena
