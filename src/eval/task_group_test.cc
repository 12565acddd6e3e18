#include "eval/task_group.h"

#include <gtest/gtest.h>

#include <fstream>

#include "eval/task_registry.h"
#include "support/example_paths.h"

namespace kaif::eval {
namespace {

std::filesystem::path BundledTasks() { return std::filesystem::path(KAIF_SOURCE_DIR) / "tasks"; }

GroupConfig Group(bool weight_by_size) {
  nlohmann::json doc = {{"group", "g"},
                        {"task", {"a", "b"}},
                        {"aggregate_metric_list", {{{"metric", "acc"}, {"weight_by_size", weight_by_size}}}}};
  return ParseGroupConfig(doc, "g.yaml").value();
}

TEST(TaskGroupTest, MicroAndMacroAveragesLikeLmEvaluationHarness) {
  std::map<std::string, LeafMetrics> leaves = {{"a", {{{"acc,none", {0.5, 0.25}}}, 4}},
                                               {"b", {{{"acc,none", {0.75, 0.2}}}, 6}}};
  Result<GroupResult> micro = AggregateGroup(Group(true), {"a", "b"}, leaves);
  ASSERT_TRUE(micro.ok()) << micro.status().message();
  EXPECT_DOUBLE_EQ(micro->metrics["acc,none"].value, 0.65);
  EXPECT_DOUBLE_EQ(micro->metrics["acc,none"].stderr, 0.15612494995995996);  // pooled_sample_stderr
  EXPECT_EQ(micro->documents, 10u);
  Result<GroupResult> macro = AggregateGroup(Group(false), {"a", "b"}, leaves);
  EXPECT_DOUBLE_EQ(macro->metrics["acc,none"].value, 0.625);
  EXPECT_DOUBLE_EQ(macro->metrics["acc,none"].stderr, 0.16007810593582122);

  leaves["b"].metrics.clear();
  Result<GroupResult> missing = AggregateGroup(Group(true), {"a", "b"}, leaves);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("task b has no acc,none"), std::string::npos);
}

TEST(TaskGroupTest, BadGroupFilesAreClearErrors) {
  auto error = [](const nlohmann::json& doc) { return ParseGroupConfig(doc, "g.yaml").status().message(); };
  EXPECT_NE(error({{"group", "g"}}).find("a group needs member tasks"), std::string::npos);
  EXPECT_NE(error({{"group", "g"}, {"task", {{{"task", "inline"}}}}}).find("define a task in its own file"),
            std::string::npos);
  EXPECT_NE(error({{"group", "g"}, {"task", {"a"}}, {"aggregate_metric_list", {{{"metric", "acc"}, {"aggregation", "median"}}}}})
                .find("only mean"),
            std::string::npos);
  EXPECT_NE(error({{"group", "g"}, {"task", {"a"}}, {"colour", "red"}}).find("colour: unknown key"), std::string::npos);
}

TEST(TaskRegistryTest, EveryBundledGroupSelectsTasksThatParse) {
  Result<TaskRegistry> registry = TaskRegistry::Scan({BundledTasks()});
  ASSERT_TRUE(registry.ok()) << registry.status().message();
  EXPECT_GE(registry->task_names().size(), 170u);
  for (const std::string& group : registry->group_names()) {
    Result<TaskSelection> s = registry->Select({group});
    ASSERT_TRUE(s.ok()) << group << ": " << s.status().message();
    EXPECT_FALSE(s->tasks.empty()) << group;
  }
  Result<TaskSelection> kmmlu = registry->Select({"kmmlu"});
  EXPECT_EQ(kmmlu->tasks.size(), 45u);
  // Nested groups come before the groups that contain them.
  ASSERT_FALSE(kmmlu->groups.empty());
  EXPECT_EQ(kmmlu->groups.back().config.group, "kmmlu");
  EXPECT_EQ(kmmlu->groups.back().leaves.size(), 45u);
  Result<TaskSelection> tag = registry->Select({"ai2_arc"});
  EXPECT_EQ(tag->tasks.size(), 2u);
  EXPECT_TRUE(tag->groups.empty());
  // A task asked for twice (directly and through a group) runs once.
  Result<TaskSelection> twice = registry->Select({"haerae_history", "haerae"});
  EXPECT_EQ(twice->tasks.size(), 5u);
  EXPECT_EQ(registry->Select({"no_such_task"}).status().code(), Status::Code::kNotFound);
}

TEST(TaskRegistryTest, DuplicateNamesAndCyclesAreErrors) {
  kaif::testing::ScratchDir dir("kaif-registry");
  std::ofstream(dir.path() / "a.yaml") << "task: same\ndataset_path: x\noutput_type: generate_until\ndoc_to_text: q\n";
  std::ofstream(dir.path() / "b.yaml") << "task: same\ndataset_path: y\noutput_type: generate_until\ndoc_to_text: q\n";
  Result<TaskRegistry> dup = TaskRegistry::Scan({dir.path()});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("same is defined twice"), std::string::npos);
  std::filesystem::remove(dir.path() / "b.yaml");
  std::ofstream(dir.path() / "g1.yaml") << "group: g1\ntask: [g2]\n";
  std::ofstream(dir.path() / "g2.yaml") << "group: g2\ntask: [same, g1]\n";
  Result<TaskRegistry> registry = TaskRegistry::Scan({dir.path()});
  ASSERT_TRUE(registry.ok()) << registry.status().message();
  Result<TaskSelection> cycle = registry->Select({"g1"});
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.status().message().find("contains itself"), std::string::npos);
}

}  // namespace
}  // namespace kaif::eval
