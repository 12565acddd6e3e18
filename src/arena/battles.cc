#include "arena/battles.h"

#include <nlohmann/json.hpp>

#include "util/file.h"

namespace kaif::arena {
namespace {

using nlohmann::json;

// A style count: a number, or FastChat's per-kind object ({"h1": 0, "h2": 2}) summed.
Result<double> Count(const json& metadata, const std::string& field) {
  auto it = metadata.find(field);
  if (it == metadata.end()) return Status::InvalidInput("conv_metadata lacks " + field);
  if (it->is_number()) return it->get<double>();
  if (it->is_object()) {
    double sum = 0;
    for (const auto& [kind, n] : it->items()) {
      if (!n.is_number()) return Status::InvalidInput(field + "." + kind + " is not a number");
      sum += n.get<double>();
    }
    return sum;
  }
  return Status::InvalidInput(field + " is neither a number nor an object of numbers");
}

Result<Battle> BattleOf(const json& j) {
  if (!j.is_object()) return Status::InvalidInput("a battle is a JSON object");
  Battle b;
  for (auto [field, target] : {std::pair{"model_a", &b.model_a}, std::pair{"model_b", &b.model_b}}) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
      return Status::InvalidInput(std::string(field) + " is missing or not a model name");
    }
    *target = it->get<std::string>();
  }
  if (b.model_a == b.model_b) return Status::InvalidInput("a model battles itself (" + b.model_a + ")");
  auto winner = j.find("winner");
  if (winner == j.end() || !winner->is_string()) return Status::InvalidInput("winner is missing");
  std::optional<Outcome> outcome = ParseOutcome(winner->get<std::string>());
  if (!outcome) return Status::InvalidInput("winner \"" + winner->get<std::string>() + "\" is not model_a, model_b, tie or tie (bothbad)");
  b.outcome = *outcome;
  if (auto m = j.find("conv_metadata"); m != j.end() && m->is_object()) {
    std::array<AnswerStyle, 2> style;
    for (int side = 0; side < 2; ++side) {
      const std::string s = side == 0 ? "a" : "b";
      KAIF_ASSIGN_OR_RETURN(style[side].tokens, Count(*m, "sum_assistant_" + s + "_tokens"));
      KAIF_ASSIGN_OR_RETURN(style[side].headers, Count(*m, "header_count_" + s));
      KAIF_ASSIGN_OR_RETURN(style[side].lists, Count(*m, "list_count_" + s));
      KAIF_ASSIGN_OR_RETURN(style[side].bold, Count(*m, "bold_count_" + s));
    }
    b.style = style;
  }
  return b;
}

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kModelA: return "model_a";
    case Outcome::kModelB: return "model_b";
    case Outcome::kTie: return "tie";
    case Outcome::kBothBad: return "tie (bothbad)";
  }
  return "tie";
}

std::optional<Outcome> ParseOutcome(const std::string& winner) {
  if (winner == "model_a") return Outcome::kModelA;
  if (winner == "model_b") return Outcome::kModelB;
  if (winner == "tie") return Outcome::kTie;
  if (winner == "tie (bothbad)" || winner == "both_bad") return Outcome::kBothBad;
  return std::nullopt;
}

Result<std::vector<Battle>> ParseBattles(const std::string& text, const std::string& source, const std::string& pool) {
  std::vector<Battle> out;
  auto add = [&](const json& j, const std::string& where) -> Status {
    Result<Battle> b = BattleOf(j);
    if (!b.ok()) return Status::InvalidInput(source + ", " + where + ": " + b.status().message());
    out.push_back(std::move(*b));
    return Status::Ok();
  };
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '{') {
    // kaif's own arena export: its counted battles.
    const json all = json::parse(text, nullptr, false);
    if (all.is_object() && all.value("format", "") == kArenaExportFormat) {
      const std::string list = pool == "public" ? "battles" : "expert_battles";
      if (!all.contains(list) || !all[list].is_array()) return Status::InvalidInput(source + ": the export has no " + list + " array");
      for (size_t i = 0; i < all[list].size(); ++i) KAIF_RETURN_IF_ERROR(add(all[list][i], list + " " + std::to_string(i + 1)));
      return out;
    }
  }
  if (first != std::string::npos && text[first] == '[') {
    const json all = json::parse(text, nullptr, false);
    if (all.is_discarded()) return Status::InvalidInput(source + ": not valid JSON");
    for (size_t i = 0; i < all.size(); ++i) KAIF_RETURN_IF_ERROR(add(all[i], "battle " + std::to_string(i + 1)));
    return out;
  }
  size_t line_no = 0, begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded()) return Status::InvalidInput(source + ", line " + std::to_string(line_no) + ": not valid JSON");
    KAIF_RETURN_IF_ERROR(add(j, "line " + std::to_string(line_no)));
  }
  return out;
}

Result<std::vector<Battle>> ReadBattles(const std::filesystem::path& path, const std::string& pool) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseBattles(text, path.string(), pool);
}

std::map<std::string, std::string> ExportTeams(const std::string& text) {
  std::map<std::string, std::string> teams;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '{') return teams;
  const json all = json::parse(text, nullptr, false);
  if (!all.is_object() || all.value("format", "") != kArenaExportFormat || !all.contains("models") || !all["models"].is_array()) {
    return teams;
  }
  for (const json& m : all["models"]) {
    if (!m.is_object() || !m.contains("name") || !m["name"].is_string() || !m.contains("team") || !m["team"].is_string()) continue;
    if (!m["team"].get<std::string>().empty()) teams[m["name"].get<std::string>()] = m["team"].get<std::string>();
  }
  return teams;
}

}  // namespace kaif::arena
