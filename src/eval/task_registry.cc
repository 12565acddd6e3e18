#include "eval/task_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "util/file.h"

namespace kaif::eval {

using nlohmann::json;

Result<TaskRegistry> TaskRegistry::Scan(const std::vector<std::filesystem::path>& dirs) {
  TaskRegistry registry;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return Status::NotFound(dir.string() + ": no such task folder");
    std::vector<std::filesystem::path> files;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::end(it);
         it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".yaml") files.push_back(it->path());
    }
    if (ec) return Status::IoError(dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) KAIF_RETURN_IF_ERROR(registry.AddFile(f));
  }
  for (auto& [tag, members] : registry.tags_) std::sort(members.begin(), members.end());
  return registry;
}

Status TaskRegistry::AddFile(const std::filesystem::path& file) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  KAIF_ASSIGN_OR_RETURN(json doc, ReadTaskYaml(text, file));
  auto taken = [&](const std::string& name) -> Status {
    const std::filesystem::path* other = tasks_.count(name)    ? &tasks_.at(name)
                                         : groups_.count(name) ? &groups_.at(name).source
                                                               : nullptr;
    if (!other) return Status::Ok();
    return Status::InvalidInput(fmt::format("{} is defined twice: {} and {}", name, other->string(), file.string()));
  };
  if (doc.contains("group")) {
    KAIF_ASSIGN_OR_RETURN(GroupConfig g, ParseGroupConfig(doc, file));
    KAIF_RETURN_IF_ERROR(taken(g.group));
    groups_[g.group] = std::move(g);
  } else if (doc.contains("task") && doc["task"].is_string()) {
    const std::string name = doc["task"].get<std::string>();
    KAIF_RETURN_IF_ERROR(taken(name));
    tasks_[name] = file;
    if (doc.contains("tag")) {
      for (const json& t : doc["tag"].is_array() ? doc["tag"] : json::array({doc["tag"]})) {
        if (t.is_string()) tags_[t.get<std::string>()].push_back(name);
      }
    }
  }
  return Status::Ok();
}

Status TaskRegistry::Expand(const std::string& name, std::vector<std::string>& leaves,
                            std::vector<SelectedGroup>& groups, std::vector<std::string>& stack) const {
  if (std::find(stack.begin(), stack.end(), name) != stack.end()) {
    return Status::InvalidInput("group " + name + " contains itself");
  }
  auto add_leaf = [&](const std::string& task) {
    if (std::find(leaves.begin(), leaves.end(), task) == leaves.end()) leaves.push_back(task);
  };
  if (tasks_.count(name)) {
    add_leaf(name);
    return Status::Ok();
  }
  auto g = groups_.find(name);
  if (g == groups_.end()) {
    if (!tags_.count(name)) {
      return Status::NotFound(fmt::format("no task, group or tag named {} (see kaif eval --list)", name));
    }
    for (const std::string& t : tags_.at(name)) add_leaf(t);
    return Status::Ok();
  }
  stack.push_back(name);
  SelectedGroup selected{g->second, {}};
  for (const std::string& member : g->second.members) {
    Status s = Expand(member, selected.leaves, groups, stack);
    if (!s.ok()) return s.WithContext("group " + name);
  }
  stack.pop_back();
  for (const std::string& t : selected.leaves) add_leaf(t);
  if (!selected.config.aggregate.empty() &&
      std::none_of(groups.begin(), groups.end(), [&](const SelectedGroup& s) { return s.config.group == name; })) {
    groups.push_back(std::move(selected));
  }
  return Status::Ok();
}

Result<TaskSelection> TaskRegistry::Select(const std::vector<std::string>& names) const {
  TaskRegistry local = *this;  // files named by path join the registry for this selection
  std::vector<std::string> resolved;
  for (const std::string& name : names) {
    std::filesystem::path path(name);
    if (path.extension() == ".yaml" || path.extension() == ".yml") {
      KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
      KAIF_ASSIGN_OR_RETURN(json doc, ReadTaskYaml(text, path));
      std::string defined = doc.value("group", doc.contains("task") && doc["task"].is_string() ? doc["task"].get<std::string>() : "");
      if (defined.empty()) return Status::InvalidInput(name + ": neither a task nor a group file");
      local.tasks_.erase(defined);  // the file named wins over a registered one of the same name
      local.groups_.erase(defined);
      KAIF_RETURN_IF_ERROR(local.AddFile(path));
      resolved.push_back(defined);
    } else {
      resolved.push_back(name);
    }
  }
  TaskSelection out;
  out.named = resolved;
  std::vector<std::string> leaves, stack;
  for (const std::string& name : resolved) KAIF_RETURN_IF_ERROR(local.Expand(name, leaves, out.groups, stack));
  for (const std::string& task : leaves) {
    KAIF_ASSIGN_OR_RETURN(TaskConfig config, LoadTaskConfig(local.tasks_.at(task)));
    out.tasks.push_back(std::move(config));
  }
  return out;
}

std::vector<std::string> TaskRegistry::task_names() const {
  std::vector<std::string> out;
  for (const auto& [name, file] : tasks_) out.push_back(name);
  return out;
}

std::vector<std::string> TaskRegistry::group_names() const {
  std::vector<std::string> out;
  for (const auto& [name, g] : groups_) out.push_back(name);
  return out;
}

std::vector<std::string> TaskRegistry::tag_names() const {
  std::vector<std::string> out;
  for (const auto& [name, members] : tags_) out.push_back(name);
  return out;
}

const std::filesystem::path* TaskRegistry::TaskFile(const std::string& name) const {
  auto it = tasks_.find(name);
  return it == tasks_.end() ? nullptr : &it->second;
}

}  // namespace kaif::eval
