// Finds tasks by name: every task and group file under the task folders (kaif's bundled
// tasks/ and any --include-path), and what a list of names on the command line selects:
// task names, group names (their leaf tasks, and the groups to aggregate), tags (every
// task carrying the tag, with no aggregate) or paths of task and group files.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "eval/task_config.h"
#include "eval/task_group.h"
#include "util/status.h"

namespace kaif::eval {

struct SelectedGroup {
  GroupConfig config;
  std::vector<std::string> leaves;  // every task under it, nested groups and tags expanded
};

struct TaskSelection {
  std::vector<std::string> named;      // what was asked for: task, group or tag names
  std::vector<TaskConfig> tasks;       // each once, in the order named
  std::vector<SelectedGroup> groups;   // nested groups before the groups that contain them
};

class TaskRegistry {
 public:
  // Reads every *.yaml under `dirs` (recursively, in path order). A name defined in two
  // files is an error naming both; files with neither `task` nor `group` (bases meant for
  // `include`) are skipped.
  static Result<TaskRegistry> Scan(const std::vector<std::filesystem::path>& dirs);

  Result<TaskSelection> Select(const std::vector<std::string>& names) const;

  // Names for listing: tasks, groups and tags, each sorted.
  std::vector<std::string> task_names() const;
  std::vector<std::string> group_names() const;
  std::vector<std::string> tag_names() const;
  const std::filesystem::path* TaskFile(const std::string& name) const;

 private:
  Status AddFile(const std::filesystem::path& file);
  // Appends the leaf tasks of `name` to `leaves` (and its groups, inner first, to `groups`).
  Status Expand(const std::string& name, std::vector<std::string>& leaves, std::vector<SelectedGroup>& groups,
                std::vector<std::string>& stack) const;

  std::map<std::string, std::filesystem::path> tasks_;
  std::map<std::string, GroupConfig> groups_;
  std::map<std::string, std::vector<std::string>> tags_;  // tag -> tasks
};

}  // namespace kaif::eval
