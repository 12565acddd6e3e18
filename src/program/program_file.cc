#include "program/program_file.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "program/toml_reader.h"

namespace kaif::program {
namespace {

// Table entries in the order they were written, so reports list teams and axes as the
// program's authors did (toml++ keeps tables sorted by key).
std::vector<std::string> KeysInFileOrder(const toml::table& table) {
  std::vector<std::pair<std::pair<uint32_t, uint32_t>, std::string>> keyed;
  for (const auto& [key, node] : table) {
    keyed.push_back({{node.source().begin.line, node.source().begin.column}, std::string(key.str())});
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> keys;
  for (auto& [pos, key] : keyed) keys.push_back(std::move(key));
  return keys;
}

Status CheckId(const TomlReader& parent, const std::string& id) {
  bool ok = !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
  if (!ok) return parent.Error(id, "is not a valid id; use letters, digits, '_', '-' or '.'");
  return Status::Ok();
}

// Iterates the sub-tables of table `key` (e.g. every [teams.<id>]) in file order.
template <typename Fn>
Status ForEachSubtable(const TomlReader& root, std::string_view key, bool required, Fn fn) {
  KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> group, root.Table(key, required));
  if (!group) return Status::Ok();
  for (const std::string& id : KeysInFileOrder(group->table())) {
    KAIF_RETURN_IF_ERROR(CheckId(*group, id));
    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> item, group->Table(id));
    KAIF_RETURN_IF_ERROR(fn(id, *item));
  }
  return Status::Ok();
}

Status Positive(const TomlReader& r, std::string_view key, double value, bool allow_zero = false) {
  if (value < 0 || (!allow_zero && value == 0)) {
    return r.Error(key, fmt::format("= {} must be {}", value, allow_zero ? ">= 0" : "> 0"));
  }
  return Status::Ok();
}

Status Fraction(const TomlReader& r, std::string_view key, double value) {
  if (value < 0 || value > 1) return r.Error(key, fmt::format("= {} must be between 0 and 1", value));
  return Status::Ok();
}

std::string JoinQuoted(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "\"" : ", \"") + item + "\"";
  return out;
}

class ProgramParser {
 public:
  ProgramParser(const toml::table& root, std::string file) : root_(root, file, ""), file_(std::move(file)) {}

  Result<Program> Parse() {
    KAIF_RETURN_IF_ERROR(root_.CheckKeys({"schema", "program", "stages", "gpu_types", "teams", "benchmarks", "axes",
                                          "frontier", "gates", "ranking", "allocation", "certification"}));
    std::string schema;
    KAIF_RETURN_IF_ERROR(root_.String("schema", schema));
    if (schema != "kaif.program/1") {
      return root_.Error("schema", "= \"" + schema + "\" is not supported; this kaif reads \"kaif.program/1\"");
    }
    KAIF_RETURN_IF_ERROR(ParseHeader());
    KAIF_RETURN_IF_ERROR(ParseGpuTypes());
    KAIF_RETURN_IF_ERROR(ParseStages());
    KAIF_RETURN_IF_ERROR(ParseBenchmarks());
    KAIF_RETURN_IF_ERROR(ParseTeams());
    KAIF_RETURN_IF_ERROR(ParseAxes());
    KAIF_RETURN_IF_ERROR(ParseFrontier());
    KAIF_RETURN_IF_ERROR(ParseGates());
    KAIF_RETURN_IF_ERROR(ParseRanking());
    KAIF_RETURN_IF_ERROR(ParseAllocation());
    KAIF_RETURN_IF_ERROR(ParseCertification());
    KAIF_RETURN_IF_ERROR(CheckPools());
    p_.BuildIndex();
    return std::move(p_);
  }

 private:
  Status ParseHeader() {
    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> r, root_.Table("program"));
    KAIF_RETURN_IF_ERROR(
        r->CheckKeys({"name", "name_ko", "currency", "start_date", "open_source_levels", "weights_total"}));
    KAIF_RETURN_IF_ERROR(r->String("name", p_.name));
    KAIF_RETURN_IF_ERROR(r->String("name_ko", p_.name_ko, false));
    KAIF_RETURN_IF_ERROR(r->String("currency", p_.currency, false));
    KAIF_RETURN_IF_ERROR(r->DateField("start_date", p_.start_date));
    KAIF_RETURN_IF_ERROR(r->StringList("open_source_levels", p_.open_source_levels));
    if (p_.open_source_levels.empty()) return r->Error("open_source_levels", "is empty; list the levels, most open first");
    std::set<std::string> seen;
    for (const std::string& level : p_.open_source_levels) {
      if (!seen.insert(level).second) return r->Error("open_source_levels", "lists \"" + level + "\" twice");
    }
    KAIF_RETURN_IF_ERROR(r->Number("weights_total", p_.weights_total, false));
    return Positive(*r, "weights_total", p_.weights_total);
  }

  Status ParseGpuTypes() {
    KAIF_RETURN_IF_ERROR(ForEachSubtable(root_, "gpu_types", true, [&](const std::string& id, const TomlReader& r) {
      KAIF_RETURN_IF_ERROR(r.CheckKeys({"h100_equivalent", "gpus_per_node", "per_team_cap", "cost_per_gpu_month"}));
      GpuType t;
      t.id = id;
      KAIF_RETURN_IF_ERROR(r.Number("h100_equivalent", t.h100_equivalent));
      KAIF_RETURN_IF_ERROR(Positive(r, "h100_equivalent", t.h100_equivalent));
      KAIF_RETURN_IF_ERROR(r.Integer("gpus_per_node", t.gpus_per_node, false));
      if (t.gpus_per_node < 1) return r.Error("gpus_per_node", "must be at least 1");
      KAIF_RETURN_IF_ERROR(r.Integer("per_team_cap", t.per_team_cap));
      if (t.per_team_cap < 0) return r.Error("per_team_cap", "must be >= 0");
      KAIF_RETURN_IF_ERROR(r.Number("cost_per_gpu_month", t.cost_per_gpu_month, false));
      KAIF_RETURN_IF_ERROR(Positive(r, "cost_per_gpu_month", t.cost_per_gpu_month, true));
      p_.gpu_types.push_back(t);
      return Status::Ok();
    }));
    if (p_.gpu_types.empty()) return root_.Error("gpu_types", "has no GPU type; add e.g. [gpu_types.H100]");
    return Status::Ok();
  }

  std::vector<std::string> GpuTypeIds() const {
    std::vector<std::string> ids;
    for (const GpuType& t : p_.gpu_types) ids.push_back(t.id);
    return ids;
  }

  Status ParseStages() {
    const toml::node* node = root_.table().get("stages");
    if (!node) return root_.Error("stages", "is missing; add one [[stages]] table per stage evaluation");
    const toml::array* stages = node->as_array();
    if (!stages || stages->empty() || !stages->is_array_of_tables()) {
      return root_.Error("stages", "must be an array of tables: write one [[stages]] per stage evaluation");
    }
    for (size_t i = 0; i < stages->size(); ++i) {
      TomlReader r(*stages->get(i)->as_table(), file_, fmt::format("stages[{}]", i));
      KAIF_RETURN_IF_ERROR(r.CheckKeys({"name", "evaluation_date", "period_start", "period_end", "survivors",
                                        "procurement", "gpu_pool", "advance_min_composite"}));
      Stage s;
      s.number = static_cast<int>(i) + 1;
      s.name = fmt::format("Stage {}", s.number);
      KAIF_RETURN_IF_ERROR(r.String("name", s.name, false));
      KAIF_RETURN_IF_ERROR(r.DateField("evaluation_date", s.evaluation_date));
      KAIF_RETURN_IF_ERROR(r.DateField("period_start", s.period_start));
      KAIF_RETURN_IF_ERROR(r.DateField("period_end", s.period_end));
      if (s.period_end < s.period_start) return r.Error("period_end", "is before period_start");
      if (s.evaluation_date < p_.start_date) return r.Error("evaluation_date", "is before [program] start_date");
      if (!p_.stages.empty() && s.evaluation_date <= p_.stages.back().evaluation_date) {
        return r.Error("evaluation_date", "must come after the previous stage's evaluation_date");
      }
      KAIF_RETURN_IF_ERROR(r.Integer("survivors", s.survivors));
      if (s.survivors < 1) return r.Error("survivors", "must be at least 1");
      if (!p_.stages.empty() && s.survivors > p_.stages.back().survivors + CountJoiners(s.number)) {
        return r.Error("survivors", fmt::format("= {} is more than the {} teams the previous stage keeps",
                                                s.survivors, p_.stages.back().survivors));
      }
      int procurement = 0;
      KAIF_RETURN_IF_ERROR(r.Choice("procurement", {"rental", "purchased"}, procurement, false));
      s.procurement = static_cast<Procurement>(procurement);
      KAIF_RETURN_IF_ERROR(r.OptionalNumber("advance_min_composite", s.advance_min_composite));
      KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> pool, r.Table("gpu_pool"));
      for (const auto& [type, value] : pool->table()) {
        std::string id(type.str());
        if (!p_.FindGpuType(id)) {
          std::string hint = ClosestMatch(id, GpuTypeIds());
          return pool->Error(id, "is not a GPU type in [gpu_types]" +
                                     (hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
        }
        int gpus = 0;
        KAIF_RETURN_IF_ERROR(pool->Integer(id, gpus));
        if (gpus < 0) return pool->Error(id, "must be >= 0");
        int node = p_.FindGpuType(id)->gpus_per_node;
        if (gpus % node != 0) {
          return pool->Error(id, fmt::format("= {} is not a whole number of {}-GPU nodes; use {} or {}", gpus, node,
                                             gpus / node * node, (gpus / node + 1) * node));
        }
        s.gpu_pool[id] = gpus;
      }
      p_.stages.push_back(s);
    }
    return Status::Ok();
  }

  // Teams are parsed after stages, so the survivors check above counts joiners from the raw table.
  int CountJoiners(int stage) const {
    const toml::table* teams = root_.table()["teams"].as_table();
    int count = 0;
    if (!teams) return 0;
    for (const auto& [key, node] : *teams) {
      if (const toml::table* t = node.as_table()) {
        if ((*t)["joins_stage"].value_or<int64_t>(1) == stage) ++count;
      }
    }
    return count;
  }

  Status ParseBenchmarks() {
    KAIF_RETURN_IF_ERROR(ForEachSubtable(root_, "benchmarks", true, [&](const std::string& id, const TomlReader& r) {
      KAIF_RETURN_IF_ERROR(r.CheckKeys({"name", "group", "min", "max", "higher_is_better"}));
      Benchmark b;
      b.id = id;
      b.name = id;
      KAIF_RETURN_IF_ERROR(r.String("name", b.name, false));
      KAIF_RETURN_IF_ERROR(r.String("group", b.group));
      KAIF_RETURN_IF_ERROR(r.Number("min", b.min, false));
      KAIF_RETURN_IF_ERROR(r.Number("max", b.max, false));
      if (b.max <= b.min) return r.Error("max", fmt::format("= {} must be greater than min = {}", b.max, b.min));
      KAIF_RETURN_IF_ERROR(r.Bool("higher_is_better", b.higher_is_better, false));
      p_.benchmarks.push_back(b);
      return Status::Ok();
    }));
    return Status::Ok();
  }

  std::vector<std::string> BenchmarkIds() const {
    std::vector<std::string> ids;
    for (const Benchmark& b : p_.benchmarks) ids.push_back(b.id);
    return ids;
  }

  Status CheckBenchmarkId(const TomlReader& r, std::string_view key, const std::string& id) const {
    if (p_.FindBenchmark(id)) return Status::Ok();
    std::string hint = ClosestMatch(id, BenchmarkIds());
    return r.Error(key, "names benchmark \"" + id + "\", which is not in [benchmarks]" +
                            (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
  }

  int LevelRank(const std::string& level) const {
    auto it = std::find(p_.open_source_levels.begin(), p_.open_source_levels.end(), level);
    return it == p_.open_source_levels.end() ? -1 : static_cast<int>(it - p_.open_source_levels.begin());
  }

  Status ParseTeams() {
    std::map<std::string, std::string> names;
    KAIF_RETURN_IF_ERROR(ForEachSubtable(root_, "teams", true, [&](const std::string& id, const TomlReader& r) {
      KAIF_RETURN_IF_ERROR(r.CheckKeys({"name", "members", "company_size", "open_source_level", "model", "request",
                                        "joins_stage", "chosen_benchmarks"}));
      Team t;
      t.id = id;
      t.declared_line = r.line();
      KAIF_RETURN_IF_ERROR(r.String("name", t.name));
      if (auto [it, inserted] = names.emplace(t.name, id); !inserted) {
        return r.Error("name", "= \"" + t.name + "\" is also the name of team '" + it->second +
                                   "'; each team needs its own name");
      }
      KAIF_RETURN_IF_ERROR(r.StringList("members", t.members, false));
      int size = 0;
      KAIF_RETURN_IF_ERROR(r.Choice("company_size", {"large", "sme", "startup"}, size));
      t.company_size = static_cast<CompanySize>(size);
      KAIF_RETURN_IF_ERROR(r.String("open_source_level", t.open_source_level));
      t.open_source_rank = LevelRank(t.open_source_level);
      if (t.open_source_rank < 0) {
        return r.Error("open_source_level", "= \"" + t.open_source_level + "\" is not in [program] open_source_levels (" +
                                                JoinQuoted(p_.open_source_levels) + ")");
      }
      KAIF_RETURN_IF_ERROR(r.Integer("joins_stage", t.joins_stage, false));
      if (t.joins_stage < 1 || t.joins_stage > static_cast<int>(p_.stages.size())) {
        return r.Error("joins_stage", fmt::format("= {} is not a stage of this program (1..{})", t.joins_stage,
                                                  p_.stages.size()));
      }
      KAIF_RETURN_IF_ERROR(r.StringList("chosen_benchmarks", t.chosen_benchmarks, false));
      for (const std::string& b : t.chosen_benchmarks) KAIF_RETURN_IF_ERROR(CheckBenchmarkId(r, "chosen_benchmarks", b));
      KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> model, r.Table("model", false));
      if (model) {
        KAIF_RETURN_IF_ERROR(model->CheckKeys({"weights_sha256", "endpoint"}));
        KAIF_RETURN_IF_ERROR(model->String("weights_sha256", t.model_weights_sha256, false));
        KAIF_RETURN_IF_ERROR(model->String("endpoint", t.model_endpoint, false));
      }
      KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> request, r.Table("request"));
      KAIF_RETURN_IF_ERROR(
          request->CheckKeys({"gpu_types", "gpus_h100e", "data_money_per_year", "talent_money_per_year"}));
      KAIF_RETURN_IF_ERROR(request->StringList("gpu_types", t.request.gpu_types));
      if (t.request.gpu_types.empty()) return request->Error("gpu_types", "is empty; name at least one GPU type");
      for (const std::string& type : t.request.gpu_types) {
        if (!p_.FindGpuType(type)) return request->Error("gpu_types", "names \"" + type + "\", which is not in [gpu_types]");
      }
      KAIF_RETURN_IF_ERROR(request->Number("gpus_h100e", t.request.gpus_h100e));
      KAIF_RETURN_IF_ERROR(Positive(*request, "gpus_h100e", t.request.gpus_h100e, true));
      KAIF_RETURN_IF_ERROR(request->Number("data_money_per_year", t.request.data_money_per_year, false));
      KAIF_RETURN_IF_ERROR(Positive(*request, "data_money_per_year", t.request.data_money_per_year, true));
      KAIF_RETURN_IF_ERROR(request->Number("talent_money_per_year", t.request.talent_money_per_year, false));
      KAIF_RETURN_IF_ERROR(Positive(*request, "talent_money_per_year", t.request.talent_money_per_year, true));
      p_.teams.push_back(t);
      return Status::Ok();
    }));
    if (p_.teams.empty()) return root_.Error("teams", "has no team; add [teams.<id>] tables");
    return Status::Ok();
  }

  Status ParseAxes() {
    KAIF_RETURN_IF_ERROR(ForEachSubtable(root_, "axes", true, [&](const std::string& id, const TomlReader& r) {
      KAIF_RETURN_IF_ERROR(r.CheckKeys({"name", "name_ko", "category", "weight", "source", "method",
                                        "benchmark_groups", "benchmarks", "team_chosen_benchmarks", "pool", "floor",
                                        "ceiling", "anchor_rating", "anchor", "rating_scale", "full_marks_ratio", "trim",
                                        "saturation", "derivative_weights", "level_points"}));
      Axis a;
      a.id = id;
      a.declared_line = r.line();
      a.name = id;
      KAIF_RETURN_IF_ERROR(r.String("name", a.name, false));
      a.name_ko = a.name;
      KAIF_RETURN_IF_ERROR(r.String("name_ko", a.name_ko, false));
      KAIF_RETURN_IF_ERROR(r.String("category", a.category, false));
      KAIF_RETURN_IF_ERROR(r.Number("weight", a.weight));
      KAIF_RETURN_IF_ERROR(Positive(r, "weight", a.weight, true));
      int source = 0, method = 0;
      KAIF_RETURN_IF_ERROR(
          r.Choice("source", {"benchmarks", "safety", "arena", "expert", "derivatives", "openness"}, source));
      a.source = static_cast<AxisSource>(source);
      KAIF_RETURN_IF_ERROR(r.Choice("method",
                                    {"mean_score", "frontier_ratio", "pass_rate", "win_probability", "linear",
                                     "expert_mean", "log_scaled", "level_points"},
                                    method));
      a.method = static_cast<AxisMethod>(method);
      KAIF_RETURN_IF_ERROR(CheckMethodFitsSource(r, a));
      KAIF_RETURN_IF_ERROR(r.StringList("benchmark_groups", a.benchmark_groups, false));
      KAIF_RETURN_IF_ERROR(r.StringList("benchmarks", a.benchmark_ids, false));
      KAIF_RETURN_IF_ERROR(r.Bool("team_chosen_benchmarks", a.team_chosen_benchmarks, false));
      for (const std::string& b : a.benchmark_ids) KAIF_RETURN_IF_ERROR(CheckBenchmarkId(r, "benchmarks", b));
      for (const std::string& g : a.benchmark_groups) {
        bool found = std::any_of(p_.benchmarks.begin(), p_.benchmarks.end(), [&](const Benchmark& b) { return b.group == g; });
        if (!found) return r.Error("benchmark_groups", "names group \"" + g + "\", which no benchmark in [benchmarks] has");
      }
      if (a.source == AxisSource::kBenchmarks && a.benchmark_groups.empty() && a.benchmark_ids.empty() &&
          !a.team_chosen_benchmarks) {
        return r.Error("source", "= \"benchmarks\" needs benchmark_groups, benchmarks or team_chosen_benchmarks = true");
      }
      KAIF_RETURN_IF_ERROR(r.String("pool", a.pool, a.source == AxisSource::kArena || a.source == AxisSource::kExpert));
      KAIF_RETURN_IF_ERROR(r.Number("floor", a.floor, false));
      KAIF_RETURN_IF_ERROR(r.Number("ceiling", a.ceiling, a.method == AxisMethod::kLinear));
      if (a.method == AxisMethod::kLinear && a.ceiling == a.floor) return r.Error("ceiling", "must differ from floor");
      if (r.Has("anchor")) {
        int anchor = 0;
        KAIF_RETURN_IF_ERROR(r.Choice("anchor", {"team_mean", "fixed"}, anchor));
        a.anchor_is_team_mean = anchor == 0;
      }
      KAIF_RETURN_IF_ERROR(r.Number("anchor_rating", a.anchor_rating, false));
      KAIF_RETURN_IF_ERROR(r.Number("rating_scale", a.rating_scale, false));
      KAIF_RETURN_IF_ERROR(Positive(r, "rating_scale", a.rating_scale));
      KAIF_RETURN_IF_ERROR(r.Number("full_marks_ratio", a.full_marks_ratio, false));
      KAIF_RETURN_IF_ERROR(Positive(r, "full_marks_ratio", a.full_marks_ratio));
      KAIF_RETURN_IF_ERROR(r.Integer("trim", a.trim, false));
      if (a.trim < 0) return r.Error("trim", "must be >= 0");
      KAIF_RETURN_IF_ERROR(r.Number("saturation", a.saturation, false));
      KAIF_RETURN_IF_ERROR(Positive(r, "saturation", a.saturation));
      KAIF_RETURN_IF_ERROR(NumberTable(r, "derivative_weights", a.derivative_weights));
      KAIF_RETURN_IF_ERROR(NumberTable(r, "level_points", a.level_points));
      if (a.method == AxisMethod::kLevelPoints) {
        for (const std::string& level : p_.open_source_levels) {
          if (!a.level_points.count(level)) {
            return r.Error("level_points", "has no points for open-source level \"" + level + "\"; give every level");
          }
        }
        for (const auto& [level, points] : a.level_points) {
          if (LevelRank(level) < 0) return r.Error("level_points", "names \"" + level + "\", not an open_source_level");
          if (points < 0 || points > 100) return r.Error("level_points", "points must be between 0 and 100");
        }
      }
      p_.axes.push_back(a);
      return Status::Ok();
    }));
    if (p_.axes.empty()) return root_.Error("axes", "has no axis; add [axes.<id>] tables");
    double sum = 0;
    std::string terms;
    for (const Axis& a : p_.axes) {
      sum += a.weight;
      terms += fmt::format("{}{} {}", terms.empty() ? "" : " + ", a.id, a.weight);
    }
    if (std::fabs(sum - p_.weights_total) > 1e-9 * std::max(1.0, p_.weights_total)) {
      return Status::InvalidInput(fmt::format(
          "{}: axis weights sum to {} ({}) but [program] weights_total = {}; fix a weight or weights_total", file_, sum,
          terms, p_.weights_total));
    }
    return Status::Ok();
  }

  static Status CheckMethodFitsSource(const TomlReader& r, const Axis& a) {
    static const std::map<AxisSource, std::vector<AxisMethod>> kAllowed = {
        {AxisSource::kBenchmarks, {AxisMethod::kMeanScore, AxisMethod::kFrontierRatio}},
        {AxisSource::kSafety, {AxisMethod::kPassRate, AxisMethod::kLinear}},
        {AxisSource::kArena, {AxisMethod::kWinProbability, AxisMethod::kLinear}},
        {AxisSource::kExpert, {AxisMethod::kExpertMean}},
        {AxisSource::kDerivatives, {AxisMethod::kLogScaled, AxisMethod::kLinear}},
        {AxisSource::kOpenness, {AxisMethod::kLevelPoints}},
    };
    const auto& allowed = kAllowed.at(a.source);
    if (std::find(allowed.begin(), allowed.end(), a.method) != allowed.end()) return Status::Ok();
    std::string list;
    for (AxisMethod m : allowed) list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", ToString(m));
    return r.Error("method", fmt::format("= \"{}\" does not apply to source \"{}\"; use {}", ToString(a.method),
                                         ToString(a.source), list));
  }

  static Status NumberTable(const TomlReader& r, std::string_view key, std::map<std::string, double>& out) {
    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> t, r.Table(key, false));
    if (!t) return Status::Ok();
    for (const auto& [k, v] : t->table()) {
      double value = 0;
      KAIF_RETURN_IF_ERROR(t->Number(k.str(), value));
      KAIF_RETURN_IF_ERROR(Positive(*t, k.str(), value, true));
      out[std::string(k.str())] = value;
    }
    return Status::Ok();
  }

  Status ParseFrontier() {
    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> r, root_.Table("frontier"));
    KAIF_RETURN_IF_ERROR(
        r->CheckKeys({"window_months", "target_ratio", "reference", "aggregate", "benchmarks", "models"}));
    Frontier& f = p_.frontier;
    KAIF_RETURN_IF_ERROR(r->Integer("window_months", f.window_months, false));
    if (f.window_months < 1) return r->Error("window_months", "must be at least 1");
    KAIF_RETURN_IF_ERROR(r->Number("target_ratio", f.target_ratio, false));
    KAIF_RETURN_IF_ERROR(Positive(*r, "target_ratio", f.target_ratio));
    int reference = 0, aggregate = 0;
    KAIF_RETURN_IF_ERROR(r->Choice("reference", {"best", "mean"}, reference, false));
    f.reference = static_cast<FrontierReference>(reference);
    KAIF_RETURN_IF_ERROR(r->Choice("aggregate", {"mean", "geometric_mean"}, aggregate, false));
    f.aggregate = static_cast<FrontierAggregate>(aggregate);
    KAIF_RETURN_IF_ERROR(r->StringList("benchmarks", f.benchmarks));
    if (f.benchmarks.empty()) return r->Error("benchmarks", "is empty; name the benchmarks the ratio uses");
    for (const std::string& b : f.benchmarks) KAIF_RETURN_IF_ERROR(CheckBenchmarkId(*r, "benchmarks", b));
    KAIF_RETURN_IF_ERROR(ForEachSubtable(*r, "models", true, [&](const std::string& id, const TomlReader& m) {
      KAIF_RETURN_IF_ERROR(m.CheckKeys({"name", "released", "scores", "stderrs"}));
      FrontierModel model;
      model.id = id;
      model.name = id;
      KAIF_RETURN_IF_ERROR(m.String("name", model.name, false));
      KAIF_RETURN_IF_ERROR(m.DateField("released", model.released));
      KAIF_RETURN_IF_ERROR(NumberTable(m, "scores", model.scores));
      KAIF_RETURN_IF_ERROR(NumberTable(m, "stderrs", model.stderrs));
      for (const auto& [b, score] : model.scores) {
        KAIF_RETURN_IF_ERROR(CheckBenchmarkId(m, "scores", b));
        const Benchmark* bench = p_.FindBenchmark(b);
        if (score < bench->min || score > bench->max) {
          return m.Error("scores", fmt::format("{} = {} is outside the benchmark's range {}..{}", b, score, bench->min,
                                               bench->max));
        }
      }
      for (const auto& [b, se] : model.stderrs) {
        if (!model.scores.count(b)) return m.Error("stderrs", "gives an error for \"" + b + "\" but no score");
      }
      f.models.push_back(model);
      return Status::Ok();
    }));
    return Status::Ok();
  }

  Status ParseGates() {
    return ForEachSubtable(root_, "gates", false, [&](const std::string& id, const TomlReader& r) {
      KAIF_RETURN_IF_ERROR(
          r.CheckKeys({"kind", "description", "on_fail", "when_missing", "minimum", "axis", "accepted", "category"}));
      Gate g;
      g.id = id;
      g.declared_line = r.line();
      int kind = 0, action = 0, missing = 0;
      KAIF_RETURN_IF_ERROR(
          r.Choice("kind", {"independence", "safety_minimum", "axis_minimum", "frontier_minimum"}, kind));
      g.kind = static_cast<GateKind>(kind);
      KAIF_RETURN_IF_ERROR(r.String("description", g.description, false));
      KAIF_RETURN_IF_ERROR(r.Choice("on_fail", {"exclude", "flag"}, action));
      g.on_fail = static_cast<GateAction>(action);
      KAIF_RETURN_IF_ERROR(r.Choice("when_missing", {"error", "fail"}, missing, false));
      g.when_missing = static_cast<MissingEvidence>(missing);
      switch (g.kind) {
        case GateKind::kIndependence:
          g.accepted = {"independent"};
          KAIF_RETURN_IF_ERROR(r.StringList("accepted", g.accepted, false));
          break;
        case GateKind::kSafetyMinimum:
          KAIF_RETURN_IF_ERROR(r.Number("minimum", g.minimum));
          KAIF_RETURN_IF_ERROR(Fraction(r, "minimum", g.minimum));
          if (r.Has("category")) {
            std::string category;
            KAIF_RETURN_IF_ERROR(r.String("category", category));
            g.category = category;
          }
          break;
        case GateKind::kAxisMinimum:
          KAIF_RETURN_IF_ERROR(r.Number("minimum", g.minimum));
          KAIF_RETURN_IF_ERROR(r.String("axis", g.axis));
          if (!p_.FindAxis(g.axis)) return r.Error("axis", "names \"" + g.axis + "\", which is not in [axes]");
          break;
        case GateKind::kFrontierMinimum:
          KAIF_RETURN_IF_ERROR(r.Number("minimum", g.minimum));
          KAIF_RETURN_IF_ERROR(Positive(r, "minimum", g.minimum, true));
          break;
      }
      p_.gates.push_back(g);
      return Status::Ok();
    });
  }

  Status ParseRanking() {
    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> r, root_.Table("ranking", false));
    Ranking& k = p_.ranking;
    std::vector<std::string> rules = {"lower_bound", "team_id"};
    if (r) {
      KAIF_RETURN_IF_ERROR(r->CheckKeys({"composite_decimals", "confidence", "tie_breakers"}));
      KAIF_RETURN_IF_ERROR(r->Integer("composite_decimals", k.composite_decimals, false));
      if (k.composite_decimals < 0 || k.composite_decimals > 9) return r->Error("composite_decimals", "must be 0..9");
      KAIF_RETURN_IF_ERROR(r->Number("confidence", k.confidence, false));
      if (k.confidence <= 0.5 || k.confidence >= 1) return r->Error("confidence", "must be between 0.5 and 1, e.g. 0.95");
      KAIF_RETURN_IF_ERROR(r->StringList("tie_breakers", rules, false));
    }
    for (const std::string& rule : rules) {
      TieRule t;
      if (rule == "lower_bound") {
        t.kind = TieBreaker::kLowerBound;
      } else if (rule == "frontier_ratio") {
        t.kind = TieBreaker::kFrontierRatio;
      } else if (rule == "team_id") {
        t.kind = TieBreaker::kTeamId;
      } else if (rule.rfind("axis:", 0) == 0 && p_.FindAxis(rule.substr(5))) {
        t.kind = TieBreaker::kAxis;
        t.axis = rule.substr(5);
      } else {
        return r->Error("tie_breakers", "has \"" + rule +
                                            "\"; use \"lower_bound\", \"frontier_ratio\", \"axis:<axis id>\" or \"team_id\"");
      }
      k.tie_breakers.push_back(t);
    }
    // The last resort is always the team id, so the order is total and reruns agree.
    if (k.tie_breakers.empty() || k.tie_breakers.back().kind != TieBreaker::kTeamId) {
      k.tie_breakers.push_back(TieRule{TieBreaker::kTeamId, ""});
    }
    return Status::Ok();
  }

  Status ParseAllocation() {
    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> r, root_.Table("allocation"));
    KAIF_RETURN_IF_ERROR(r->CheckKeys({"gpu", "data", "talent", "self_pay"}));
    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> gpu, r->Table("gpu"));
    GpuAllocationRule& g = p_.gpu_rule;
    KAIF_RETURN_IF_ERROR(gpu->CheckKeys(
        {"method", "base_h100e", "rank_multipliers", "score_exponent", "team_cap_h100e", "cap_by_request"}));
    int method = 0;
    KAIF_RETURN_IF_ERROR(gpu->Choice("method", {"rank_priority", "proportional"}, method));
    g.method = static_cast<GpuMethod>(method);
    KAIF_RETURN_IF_ERROR(gpu->Number("base_h100e", g.base_h100e));
    KAIF_RETURN_IF_ERROR(Positive(*gpu, "base_h100e", g.base_h100e, true));
    g.rank_multipliers = {1.0};
    KAIF_RETURN_IF_ERROR(gpu->NumberList("rank_multipliers", g.rank_multipliers, false));
    if (g.rank_multipliers.empty()) return gpu->Error("rank_multipliers", "is empty; give at least [1.0]");
    for (double m : g.rank_multipliers) KAIF_RETURN_IF_ERROR(Positive(*gpu, "rank_multipliers", m, true));
    KAIF_RETURN_IF_ERROR(gpu->Number("score_exponent", g.score_exponent, false));
    KAIF_RETURN_IF_ERROR(Positive(*gpu, "score_exponent", g.score_exponent, true));
    KAIF_RETURN_IF_ERROR(gpu->Number("team_cap_h100e", g.team_cap_h100e));
    KAIF_RETURN_IF_ERROR(Positive(*gpu, "team_cap_h100e", g.team_cap_h100e, true));
    KAIF_RETURN_IF_ERROR(gpu->Bool("cap_by_request", g.cap_by_request, false));

    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> data, r->Table("data"));
    DataRule& d = p_.data_rule;
    KAIF_RETURN_IF_ERROR(data->CheckKeys(
        {"method", "per_team_cap_per_year", "team_pool_per_year", "common_pool_per_year", "open_release_share"}));
    int data_method = 0;
    KAIF_RETURN_IF_ERROR(data->Choice("method", {"request_capped", "score_proportional"}, data_method, false));
    d.method = static_cast<DataMethod>(data_method);
    KAIF_RETURN_IF_ERROR(data->Number("per_team_cap_per_year", d.per_team_cap_per_year));
    KAIF_RETURN_IF_ERROR(Positive(*data, "per_team_cap_per_year", d.per_team_cap_per_year, true));
    KAIF_RETURN_IF_ERROR(data->Number("team_pool_per_year", d.team_pool_per_year));
    KAIF_RETURN_IF_ERROR(Positive(*data, "team_pool_per_year", d.team_pool_per_year, true));
    KAIF_RETURN_IF_ERROR(data->Number("common_pool_per_year", d.common_pool_per_year, false));
    KAIF_RETURN_IF_ERROR(Positive(*data, "common_pool_per_year", d.common_pool_per_year, true));
    KAIF_RETURN_IF_ERROR(data->Number("open_release_share", d.open_release_share, false));
    KAIF_RETURN_IF_ERROR(Fraction(*data, "open_release_share", d.open_release_share));

    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> talent, r->Table("talent"));
    TalentRule& t = p_.talent_rule;
    KAIF_RETURN_IF_ERROR(talent->CheckKeys(
        {"per_team_per_year_min", "per_team_per_year_max", "pool_per_year", "continues_until"}));
    KAIF_RETURN_IF_ERROR(talent->Number("per_team_per_year_min", t.per_team_per_year_min, false));
    KAIF_RETURN_IF_ERROR(Positive(*talent, "per_team_per_year_min", t.per_team_per_year_min, true));
    KAIF_RETURN_IF_ERROR(talent->Number("per_team_per_year_max", t.per_team_per_year_max));
    if (t.per_team_per_year_max < t.per_team_per_year_min) {
      return talent->Error("per_team_per_year_max", "is smaller than per_team_per_year_min");
    }
    KAIF_RETURN_IF_ERROR(talent->Number("pool_per_year", t.pool_per_year));
    KAIF_RETURN_IF_ERROR(Positive(*talent, "pool_per_year", t.pool_per_year, true));
    KAIF_RETURN_IF_ERROR(talent->DateField("continues_until", t.continues_until));

    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> self_pay, r->Table("self_pay"));
    for (const std::string& level : p_.open_source_levels) {
      KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> row, self_pay->Table(level));
      KAIF_RETURN_IF_ERROR(row->CheckKeys({"large", "sme", "startup"}));
      for (CompanySize size : {CompanySize::kLarge, CompanySize::kSme, CompanySize::kStartup}) {
        double ratio = 0;
        KAIF_RETURN_IF_ERROR(row->Number(ToString(size), ratio));
        KAIF_RETURN_IF_ERROR(Fraction(*row, ToString(size), ratio));
        p_.self_pay.ratio[level][size] = ratio;
      }
    }
    for (const auto& [level, node] : self_pay->table()) {
      if (LevelRank(std::string(level.str())) < 0) {
        return self_pay->Error(level.str(), "is not one of [program] open_source_levels (" +
                                                JoinQuoted(p_.open_source_levels) + ")");
      }
    }
    return Status::Ok();
  }

  Status ParseCertification() {
    KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> r, root_.Table("certification", false));
    if (!r) return Status::Ok();
    Certification& c = p_.certification;
    KAIF_RETURN_IF_ERROR(r->CheckKeys({"title", "min_composite", "min_frontier_ratio", "frontier_lower_bound",
                                       "required_gates", "min_open_source_level", "require_advance"}));
    KAIF_RETURN_IF_ERROR(r->String("title", c.title, false));
    KAIF_RETURN_IF_ERROR(r->OptionalNumber("min_composite", c.min_composite));
    KAIF_RETURN_IF_ERROR(r->OptionalNumber("min_frontier_ratio", c.min_frontier_ratio));
    KAIF_RETURN_IF_ERROR(r->Bool("frontier_lower_bound", c.frontier_lower_bound, false));
    KAIF_RETURN_IF_ERROR(r->StringList("required_gates", c.required_gates, false));
    for (const std::string& gate : c.required_gates) {
      bool found = std::any_of(p_.gates.begin(), p_.gates.end(), [&](const Gate& g) { return g.id == gate; });
      if (!found) return r->Error("required_gates", "names \"" + gate + "\", which is not in [gates]");
    }
    if (r->Has("min_open_source_level")) {
      std::string level;
      KAIF_RETURN_IF_ERROR(r->String("min_open_source_level", level));
      if (LevelRank(level) < 0) {
        return r->Error("min_open_source_level", "= \"" + level + "\" is not in [program] open_source_levels");
      }
      c.min_open_source_level = level;
    }
    KAIF_RETURN_IF_ERROR(r->Bool("require_advance", c.require_advance, false));
    return Status::Ok();
  }

  // A pool that cannot hold the rules' minimum is a program error, not a surprise at
  // allocation time: every survivor is entitled to at least base_h100e.
  Status CheckPools() {
    for (const Stage& s : p_.stages) {
      double pool_h100e = 0;
      for (const auto& [type, gpus] : s.gpu_pool) pool_h100e += gpus * p_.FindGpuType(type)->h100_equivalent;
      double need = s.survivors * std::min(p_.gpu_rule.base_h100e, p_.gpu_rule.team_cap_h100e);
      if (p_.gpu_rule.method == GpuMethod::kRankPriority && pool_h100e + 1e-9 < need) {
        return Status::InvalidInput(fmt::format(
            "{}: [stages[{}]] gpu_pool = {} H100e is smaller than {} survivors x base_h100e {} = {}; raise the pool "
            "or lower [allocation.gpu] base_h100e",
            file_, s.number - 1, pool_h100e, s.survivors, p_.gpu_rule.base_h100e, need));
      }
      double talent_need = s.survivors * p_.talent_rule.per_team_per_year_min;
      if (p_.talent_rule.pool_per_year + 1e-9 < talent_need) {
        return Status::InvalidInput(fmt::format(
            "{}: [allocation.talent] pool_per_year = {} is smaller than {} teams x per_team_per_year_min {}; raise "
            "the pool or lower the minimum",
            file_, p_.talent_rule.pool_per_year, s.survivors, p_.talent_rule.per_team_per_year_min));
      }
    }
    return Status::Ok();
  }

  TomlReader root_;
  std::string file_;
  Program p_;
};

// Splits "stages[1].survivors" into {"stages", 1, "survivors"}; numbers mark array indexes.
struct PathStep {
  std::string key;
  int index = -1;
};

Result<std::vector<PathStep>> SplitPath(const std::string& path) {
  std::vector<PathStep> steps;
  std::string key;
  for (size_t i = 0; i <= path.size(); ++i) {
    char c = i < path.size() ? path[i] : '.';
    if (c == '.' || c == '[') {
      if (!key.empty()) steps.push_back({key, -1});
      key.clear();
      if (c == '[') {
        size_t close = path.find(']', i);
        if (close == std::string::npos) return Status::InvalidInput("what-if path '" + path + "' has an unclosed '['");
        try {
          steps.push_back({"", std::stoi(path.substr(i + 1, close - i - 1))});
        } catch (...) {
          return Status::InvalidInput("what-if path '" + path + "' has a bad index");
        }
        i = close;
      }
    } else {
      key += c;
    }
  }
  if (steps.empty()) return Status::InvalidInput("what-if path is empty");
  return steps;
}

Status ApplyOverride(toml::table& root, const ProgramOverride& change) {
  toml::table parsed;
  try {
    parsed = toml::parse("value = " + change.value);
  } catch (const toml::parse_error& e) {
    return Status::InvalidInput("what-if " + change.path + "=" + change.value +
                                ": the value is not TOML (quote strings: \"closed\")");
  }
  KAIF_ASSIGN_OR_RETURN(std::vector<PathStep> steps, SplitPath(change.path));
  toml::node* parent = &root;
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    toml::node* next = nullptr;
    if (steps[i].index >= 0) {
      if (toml::array* a = parent->as_array()) next = a->get(static_cast<size_t>(steps[i].index));
    } else if (toml::table* t = parent->as_table()) {
      next = t->get(steps[i].key);
    }
    if (!next) return Status::InvalidInput("what-if path '" + change.path + "' does not exist in the program file");
    parent = next;
  }
  const PathStep& last = steps.back();
  toml::node& value = *parsed.get("value");
  if (last.index >= 0) {
    toml::array* a = parent->as_array();
    if (!a || static_cast<size_t>(last.index) >= a->size()) {
      return Status::InvalidInput("what-if path '" + change.path + "' indexes past the end of a list");
    }
    a->replace(a->begin() + last.index, value);
  } else {
    toml::table* t = parent->as_table();
    if (!t) return Status::InvalidInput("what-if path '" + change.path + "' does not lead to a table");
    t->insert_or_assign(last.key, value);
  }
  return Status::Ok();
}

}  // namespace

Result<Program> ParseProgram(std::string_view text, const std::string& file,
                             const std::vector<ProgramOverride>& overrides) {
  KAIF_ASSIGN_OR_RETURN(toml::table root, ParseToml(text, file));
  for (const ProgramOverride& change : overrides) KAIF_RETURN_IF_ERROR(ApplyOverride(root, change));
  return ProgramParser(root, file).Parse();
}

}  // namespace kaif::program
