// Property tests: on thousands of random programs, allocations respect every pool, cap,
// request and node size, and rank priority leaves no node a team could still take.
#include "program/gpu_allocation.h"

#include <gtest/gtest.h>

#include <random>

#include "program/money_allocation.h"

namespace kaif::program {
namespace {

constexpr double kEps = 1e-6;

struct RandomRound {
  Program program;
  Stage stage;
  std::vector<GpuCandidate> ranked;
};

std::unique_ptr<RandomRound> MakeRandomRound(std::mt19937& rng) {
  auto r = std::make_unique<RandomRound>();
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Program& p = r->program;
  const double rates[] = {0.5, 1.0, 2.0, 1.5};
  const int nodes[] = {1, 4, 8};
  int types = uniform(1, 3);
  for (int i = 0; i < types; ++i) {
    GpuType t;
    t.id = "T" + std::to_string(i);
    t.h100_equivalent = rates[uniform(0, 3)];
    t.gpus_per_node = nodes[uniform(0, 2)];
    t.per_team_cap = uniform(0, 1200);
    t.cost_per_gpu_month = uniform(1, 9) * 1e6;
    p.gpu_types.push_back(t);
    r->stage.gpu_pool[t.id] = uniform(0, 400) * t.gpus_per_node;
  }
  r->stage.period_start = Date{2026, 1, 1};
  r->stage.period_end = Date{2026, uniform(1, 12), 28};
  p.gpu_rule.method = uniform(0, 1) ? GpuMethod::kRankPriority : GpuMethod::kProportional;
  p.gpu_rule.base_h100e = uniform(0, 1024);
  p.gpu_rule.rank_multipliers.clear();
  for (int i = uniform(1, 4); i > 0; --i) p.gpu_rule.rank_multipliers.push_back(uniform(0, 30) / 10.0);
  p.gpu_rule.team_cap_h100e = uniform(0, 2000);
  p.gpu_rule.cap_by_request = uniform(0, 1);
  p.gpu_rule.score_exponent = uniform(0, 30) / 10.0;
  p.open_source_levels = {"open", "closed"};
  for (const std::string& level : p.open_source_levels) {
    for (CompanySize size : {CompanySize::kLarge, CompanySize::kSme, CompanySize::kStartup}) {
      p.self_pay.ratio[level][size] = uniform(0, 100) / 100.0;
    }
  }
  p.data_rule.method = uniform(0, 1) ? DataMethod::kRequestCapped : DataMethod::kScoreProportional;
  p.data_rule.per_team_cap_per_year = uniform(0, 50) * 1e8;
  p.data_rule.team_pool_per_year = uniform(0, 200) * 1e8;
  p.talent_rule.per_team_per_year_max = uniform(0, 30) * 1e8;
  p.talent_rule.pool_per_year = uniform(0, 200) * 1e8;
  p.talent_rule.continues_until = Date{2026, uniform(1, 12), 1};
  int teams = uniform(1, 25);
  for (int i = 0; i < teams; ++i) {
    Team t;
    t.id = "team" + std::to_string(i);
    t.open_source_level = p.open_source_levels[uniform(0, 1)];
    t.company_size = static_cast<CompanySize>(uniform(0, 2));
    std::vector<std::string> ids;
    for (const GpuType& g : p.gpu_types) ids.push_back(g.id);
    std::shuffle(ids.begin(), ids.end(), rng);
    ids.resize(uniform(1, static_cast<int>(ids.size())));
    t.request.gpu_types = ids;
    t.request.gpus_h100e = uniform(0, 2048);
    t.request.data_money_per_year = uniform(0, 60) * 1e8;
    t.request.talent_money_per_year = uniform(0, 30) * 1e8;
    p.teams.push_back(t);
  }
  for (const Team& t : p.teams) r->ranked.push_back({&t, static_cast<double>(uniform(0, 1000)) / 10.0});
  return r;
}

class AllocationPropertyTest : public ::testing::TestWithParam<int> {};

TEST_P(AllocationPropertyTest, GpusRespectPoolsCapsRequestsAndNodes) {
  std::mt19937 rng(static_cast<unsigned>(GetParam()));
  for (int iteration = 0; iteration < 250; ++iteration) {
    auto r = MakeRandomRound(rng);
    const Program& p = r->program;
    GpuAllocationResult result = AllocateGpus(p, r->stage, r->ranked);
    ASSERT_EQ(result.allocations.size(), r->ranked.size());
    std::map<std::string, int> granted;
    for (size_t i = 0; i < r->ranked.size(); ++i) {
      const Team& team = *r->ranked[i].team;
      const Allocation& a = result.allocations[i];
      SCOPED_TRACE("seed " + std::to_string(GetParam()) + " iteration " + std::to_string(iteration) + " " + team.id);
      double h100e = 0;
      for (const GpuGrant& g : a.gpus) {
        const GpuType& type = *p.FindGpuType(g.gpu_type);
        EXPECT_NE(std::find(team.request.gpu_types.begin(), team.request.gpu_types.end(), g.gpu_type),
                  team.request.gpu_types.end());
        EXPECT_GT(g.gpus, 0);
        EXPECT_EQ(g.gpus % type.gpus_per_node, 0);
        EXPECT_EQ(g.nodes * type.gpus_per_node, g.gpus);
        EXPECT_LE(g.gpus, type.per_team_cap);
        granted[g.gpu_type] += g.gpus;
        h100e += g.gpus * type.h100_equivalent;
      }
      EXPECT_NEAR(h100e, a.gpus_h100e, kEps);
      EXPECT_LE(a.gpus_h100e, a.entitlement_h100e + kEps);
      EXPECT_LE(a.entitlement_h100e, p.gpu_rule.team_cap_h100e + kEps);
      if (p.gpu_rule.cap_by_request) EXPECT_LE(a.gpus_h100e, team.request.gpus_h100e + kEps);
      EXPECT_FALSE(a.explanation.empty());

      if (p.gpu_rule.method == GpuMethod::kRankPriority) {
        // Maximality: one more node of any accepted type would break a cap, the pool or the entitlement.
        for (const std::string& type_id : team.request.gpu_types) {
          const GpuType& type = *p.FindGpuType(type_id);
          int held = 0;
          for (const GpuGrant& g : a.gpus) held += g.gpu_type == type_id ? g.gpus : 0;
          bool over_entitlement = a.gpus_h100e + type.gpus_per_node * type.h100_equivalent > a.entitlement_h100e + kEps;
          bool over_cap = held + type.gpus_per_node > type.per_team_cap;
          bool pool_empty = result.pool_left.at(type_id) < type.gpus_per_node;
          EXPECT_TRUE(over_entitlement || over_cap || pool_empty) << "team could take another node of " << type_id;
        }
      }
    }
    double pool_h100e = 0, entitled = 0;
    for (const auto& [type, pool] : r->stage.gpu_pool) {
      EXPECT_LE(granted[type], pool) << type;
      EXPECT_EQ(result.pool_left.at(type), pool - granted[type]);
      pool_h100e += pool * p.FindGpuType(type)->h100_equivalent;
    }
    for (const Allocation& a : result.allocations) entitled += a.entitlement_h100e;
    if (p.gpu_rule.method == GpuMethod::kProportional) EXPECT_LE(entitled, pool_h100e + kEps);
  }
}

TEST_P(AllocationPropertyTest, MoneyRespectsPoolsCapsAndRequests) {
  std::mt19937 rng(static_cast<unsigned>(GetParam()) + 1000);
  for (int iteration = 0; iteration < 250; ++iteration) {
    auto r = MakeRandomRound(rng);
    const Program& p = r->program;
    std::vector<Allocation> allocations(r->ranked.size());
    std::vector<Allocation*> pointers;
    std::vector<MoneyCandidate> candidates;
    for (size_t i = 0; i < r->ranked.size(); ++i) {
      int role = static_cast<int>(rng() % 3);  // advances, eliminated (talent only), or neither
      candidates.push_back({r->ranked[i].team, role == 0, role == 1, r->ranked[i].composite});
      pointers.push_back(&allocations[i]);
    }
    MoneyPools pools = AllocateMoney(p, r->stage, candidates, pointers);
    double years = r->stage.period_months() / 12.0;
    double data = 0, talent = 0;
    for (size_t i = 0; i < allocations.size(); ++i) {
      const Allocation& a = allocations[i];
      const Team& team = *candidates[i].team;
      SCOPED_TRACE("iteration " + std::to_string(iteration) + " " + team.id);
      EXPECT_GE(a.data_money, 0);
      EXPECT_LE(a.data_money, p.data_rule.per_team_cap_per_year * years + kEps);
      EXPECT_LE(a.data_money, team.request.data_money_per_year * years + kEps);
      if (!candidates[i].advances) EXPECT_EQ(a.data_money, 0);
      EXPECT_LE(a.talent_money, p.talent_rule.per_team_per_year_max * years + kEps);
      if (!candidates[i].advances && !candidates[i].talent_only) EXPECT_EQ(a.talent_money, 0);
      EXPECT_NEAR(a.self_pay_amount, a.self_pay_ratio * (a.gpu_value + a.data_money), kEps);
      data += a.data_money;
      talent += a.talent_money;
    }
    EXPECT_LE(data, pools.data_pool * (1 + 1e-12) + kEps);
    EXPECT_LE(talent, pools.talent_pool * (1 + 1e-12) + kEps);
    EXPECT_NEAR(data, pools.data_granted, 1e-3);
    EXPECT_NEAR(talent, pools.talent_granted, 1e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, AllocationPropertyTest, ::testing::Range(1, 9));

TEST(GpuAllocationTest, RankPriorityServesTheTopFirstInPreferredType) {
  Program p;
  p.gpu_types = {{"H100", 1.0, 8, 1024, 1}, {"B200", 2.0, 8, 512, 2}};
  p.gpu_rule.base_h100e = 512;
  p.gpu_rule.rank_multipliers = {2.0, 1.0};
  p.gpu_rule.team_cap_h100e = 1024;
  Stage stage;
  stage.gpu_pool = {{"H100", 1024}, {"B200", 256}};
  Team a, b, c;
  a.id = "a";
  a.request = {{"B200", "H100"}, 2000, 0, 0};
  b.id = "b";
  b.request = {{"B200"}, 512, 0, 0};
  c.id = "c";
  c.request = {{"H100"}, 300, 0, 0};
  GpuAllocationResult r = AllocateGpus(p, stage, {{&a, 90}, {&b, 80}, {&c, 70}});
  // a: entitled 1024 H100e, takes all 256 B200 (512 H100e) then 512 H100.
  ASSERT_EQ(r.allocations[0].gpus.size(), 2u);
  EXPECT_EQ(r.allocations[0].gpus[0].gpu_type, "B200");
  EXPECT_EQ(r.allocations[0].gpus[0].gpus, 256);
  EXPECT_EQ(r.allocations[0].gpus[1].gpus, 512);
  // b accepts only B200, and none is left.
  EXPECT_TRUE(r.allocations[1].gpus.empty());
  EXPECT_NE(r.allocations[1].explanation.back().find("the pool or whole nodes allowed no more"), std::string::npos);
  // c asked for 300: rounded down to whole 8-GPU nodes.
  ASSERT_EQ(r.allocations[2].gpus.size(), 1u);
  EXPECT_EQ(r.allocations[2].gpus[0].gpus, 296);
  EXPECT_EQ(r.pool_left.at("H100"), 1024 - 512 - 296);
}

TEST(GpuAllocationTest, ProportionalSharesPastCaps) {
  Program p;
  p.gpu_types = {{"H100", 1.0, 1, 10000, 1}};
  p.gpu_rule.method = GpuMethod::kProportional;
  p.gpu_rule.team_cap_h100e = 10000;
  Stage stage;
  stage.gpu_pool = {{"H100", 1000}};
  Team a, b, c;
  a.id = "a";
  a.request = {{"H100"}, 100, 0, 0};  // capped by its request: the rest goes to b and c
  b.id = "b";
  b.request = {{"H100"}, 5000, 0, 0};
  c.id = "c";
  c.request = {{"H100"}, 5000, 0, 0};
  GpuAllocationResult r = AllocateGpus(p, stage, {{&a, 50}, {&b, 30}, {&c, 10}});
  EXPECT_EQ(r.allocations[0].gpus[0].gpus, 100);
  EXPECT_EQ(r.allocations[1].gpus[0].gpus, 675);  // 900 x 3/4
  EXPECT_EQ(r.allocations[2].gpus[0].gpus, 225);  // 900 x 1/4
}

}  // namespace
}  // namespace kaif::program
