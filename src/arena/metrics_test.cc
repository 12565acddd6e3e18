#include "arena/metrics.h"

#include <gtest/gtest.h>

namespace kaif::arena {
namespace {

TEST(ArenaMetricsTest, RendersPrometheusText) {
  ArenaMetrics m;
  m.Request("/api/battles/:id/vote", 200, 0.003);
  m.Request("/api/battles/:id/vote", 200, 0.5);
  m.Vote("public", "accepted");
  m.BackendError("model \"x\"");
  const std::string text = m.Render();
  EXPECT_NE(text.find("kaif_arena_requests_total{route=\"/api/battles/:id/vote\",status=\"200\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("kaif_arena_request_seconds_bucket{route=\"/api/battles/:id/vote\",le=\"0.005\"} 1"), std::string::npos);
  EXPECT_NE(text.find("le=\"+Inf\"} 2"), std::string::npos);
  EXPECT_NE(text.find("kaif_arena_votes_total{mode=\"public\",result=\"accepted\"} 1"), std::string::npos);
  EXPECT_NE(text.find("model=\"model \\\"x\\\"\""), std::string::npos);  // quotes escaped
  EXPECT_NE(text.find("# TYPE kaif_arena_request_seconds histogram"), std::string::npos);
}

}  // namespace
}  // namespace kaif::arena
