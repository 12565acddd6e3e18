#include "arena/arena_config.h"

#include <functional>
#include <set>

#include "program/toml_reader.h"
#include "util/file.h"

namespace kaif::arena {

using program::TomlReader;

std::vector<RubricCriterion> DefaultRubric() {
  return {{"accuracy", "정확성", "Accuracy", 1, 5},
          {"helpfulness", "유용성", "Helpfulness", 1, 5},
          {"korean", "한국어 표현", "Korean fluency", 1, 5},
          {"safety", "안전성", "Safety", 1, 5}};
}

namespace {

Status Positive(const TomlReader& t, std::string_view key, double value, bool zero_allowed) {
  if (value < 0 || (!zero_allowed && value == 0)) return t.Error(key, zero_allowed ? "must be 0 or more" : "must be more than 0");
  return Status::Ok();
}

std::filesystem::path Resolve(const std::filesystem::path& base, const std::string& path) {
  if (path.empty()) return {};
  std::filesystem::path p(path);
  return p.is_absolute() ? p : base / p;
}

// The array of tables `key` (e.g. [[models]]), each read by `read`.
Status ReadTables(const toml::table& root, const std::string& file, std::string_view key,
                  const std::function<Status(const TomlReader&)>& read) {
  const toml::node* node = root.get(key);
  if (!node) return Status::Ok();
  const toml::array* array = node->as_array();
  if (!array) return Status::InvalidInput(file + ": " + std::string(key) + " must be an array of tables: [[" + std::string(key) + "]]");
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::table* table = (*array)[i].as_table();
    if (!table) return Status::InvalidInput(file + ": " + std::string(key) + "[" + std::to_string(i) + "] must be a table");
    KAIF_RETURN_IF_ERROR(read(TomlReader(*table, file, std::string(key) + "[" + std::to_string(i) + "]")));
  }
  return Status::Ok();
}

}  // namespace

Result<ArenaConfig> ReadArenaConfig(const std::filesystem::path& path) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  const std::string file = path.string();
  KAIF_ASSIGN_OR_RETURN(toml::table root, program::ParseToml(text, file));
  const std::filesystem::path base = std::filesystem::absolute(path).parent_path();
  ArenaConfig c;
  c.file = path;
  TomlReader top(root, file, "");
  KAIF_RETURN_IF_ERROR(top.CheckKeys({"server", "battles", "limits", "models", "expert", "rubric"}));

  KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> server, top.Table("server", false));
  if (server) {
    KAIF_RETURN_IF_ERROR(server->CheckKeys({"host", "port", "database", "admin_token_env", "secret_env", "threads", "io_threads",
                                              "idle_timeout_seconds"}));
    KAIF_RETURN_IF_ERROR(server->String("host", c.host, false));
    KAIF_RETURN_IF_ERROR(server->Integer("port", c.port, false));
    if (c.port < 0 || c.port > 65535) return server->Error("port", "must be 0..65535 (0: any free port)");
    KAIF_RETURN_IF_ERROR(server->String("database", c.database, false));
    KAIF_RETURN_IF_ERROR(server->String("admin_token_env", c.admin_token_env, false));
    KAIF_RETURN_IF_ERROR(server->String("secret_env", c.secret_env, false));
    KAIF_RETURN_IF_ERROR(server->Integer("threads", c.threads, false));
    if (c.threads < 1 || c.threads > 1024) return server->Error("threads", "must be 1..1024");
    KAIF_RETURN_IF_ERROR(server->Integer("io_threads", c.io_threads, false));
    if (c.io_threads < 1 || c.io_threads > 64) return server->Error("io_threads", "must be 1..64");
    KAIF_RETURN_IF_ERROR(server->Number("idle_timeout_seconds", c.idle_timeout_seconds, false));
    KAIF_RETURN_IF_ERROR(Positive(*server, "idle_timeout_seconds", c.idle_timeout_seconds, false));
  }
  if (c.database.rfind("postgres://", 0) != 0 && c.database.rfind("postgresql://", 0) != 0) {
    c.database = Resolve(base, c.database).string();
  }

  KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> battles, top.Table("battles", false));
  if (battles) {
    KAIF_RETURN_IF_ERROR(battles->CheckKeys(
        {"sampling", "max_prompt_chars", "max_turns", "max_tokens", "pow_bits", "backend_timeout_seconds"}));
    int sampling = 0;
    KAIF_RETURN_IF_ERROR(battles->Choice("sampling", {"uniform", "uncertainty"}, sampling, false));
    c.sampling = sampling == 0 ? PairSampling::kUniform : PairSampling::kUncertainty;
    KAIF_RETURN_IF_ERROR(battles->Integer("max_prompt_chars", c.max_prompt_chars, false));
    KAIF_RETURN_IF_ERROR(Positive(*battles, "max_prompt_chars", c.max_prompt_chars, false));
    KAIF_RETURN_IF_ERROR(battles->Integer("max_turns", c.max_turns, false));
    KAIF_RETURN_IF_ERROR(Positive(*battles, "max_turns", c.max_turns, false));
    KAIF_RETURN_IF_ERROR(battles->Integer("max_tokens", c.max_tokens, false));
    KAIF_RETURN_IF_ERROR(Positive(*battles, "max_tokens", c.max_tokens, false));
    KAIF_RETURN_IF_ERROR(battles->Integer("pow_bits", c.pow_bits, false));
    if (c.pow_bits < 0 || c.pow_bits > 32) return battles->Error("pow_bits", "must be 0..32 (0: no proof of work)");
    KAIF_RETURN_IF_ERROR(battles->Number("backend_timeout_seconds", c.backend_timeout_seconds, false));
    KAIF_RETURN_IF_ERROR(Positive(*battles, "backend_timeout_seconds", c.backend_timeout_seconds, false));
  }

  KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> limits, top.Table("limits", false));
  if (limits) {
    KAIF_RETURN_IF_ERROR(limits->CheckKeys({"battles_per_client", "battles_per_network", "votes_per_client", "votes_per_network"}));
    for (auto [key, field] : {std::pair{"battles_per_client", &c.battles_per_client},
                              std::pair{"battles_per_network", &c.battles_per_network},
                              std::pair{"votes_per_client", &c.votes_per_client},
                              std::pair{"votes_per_network", &c.votes_per_network}}) {
      KAIF_RETURN_IF_ERROR(limits->Integer(key, *field, false));
      KAIF_RETURN_IF_ERROR(Positive(*limits, key, *field, true));
    }
  }

  std::set<std::string> names;
  KAIF_RETURN_IF_ERROR(ReadTables(root, file, "models", [&](const TomlReader& t) -> Status {
    KAIF_RETURN_IF_ERROR(t.CheckKeys({"name", "team", "weights", "tokenizer", "endpoint", "endpoint_model", "api_key_env"}));
    ArenaModelConfig m;
    std::string weights, tokenizer;
    KAIF_RETURN_IF_ERROR(t.String("name", m.name));
    KAIF_RETURN_IF_ERROR(t.String("team", m.team, false));
    KAIF_RETURN_IF_ERROR(t.String("weights", weights, false));
    KAIF_RETURN_IF_ERROR(t.String("tokenizer", tokenizer, false));
    KAIF_RETURN_IF_ERROR(t.String("endpoint", m.endpoint, false));
    KAIF_RETURN_IF_ERROR(t.String("endpoint_model", m.endpoint_model, false));
    KAIF_RETURN_IF_ERROR(t.String("api_key_env", m.api_key_env, false));
    if (m.name.empty() || m.name.size() > 128) return t.Error("name", "must be 1..128 characters");
    if (!names.insert(m.name).second) return t.Error("name", "\"" + m.name + "\" is listed twice");
    if (weights.empty() == m.endpoint.empty()) {
      return t.Error("weights", "a model has either weights (a local checkpoint) or an endpoint (with endpoint_model)");
    }
    if (!m.endpoint.empty() && m.endpoint_model.empty()) return t.Error("endpoint_model", "is required with endpoint");
    m.weights = Resolve(base, weights);
    m.tokenizer = Resolve(base, tokenizer);
    c.models.push_back(std::move(m));
    return Status::Ok();
  }));
  if (c.models.size() < 2) return Status::InvalidInput(file + ": an arena needs at least two [[models]]");

  KAIF_ASSIGN_OR_RETURN(std::optional<TomlReader> expert, top.Table("expert", false));
  if (expert) {
    KAIF_RETURN_IF_ERROR(expert->CheckKeys({"prompts", "kinds"}));
    std::string prompts;
    KAIF_RETURN_IF_ERROR(expert->String("prompts", prompts, false));
    c.expert_prompts = Resolve(base, prompts);
    std::vector<std::string> kinds;
    KAIF_RETURN_IF_ERROR(expert->StringList("kinds", kinds, false));
    if (!kinds.empty()) {
      c.expert_pairwise = c.expert_single = false;
      for (const std::string& k : kinds) {
        if (k == "pairwise") c.expert_pairwise = true;
        else if (k == "single") c.expert_single = true;
        else return expert->Error("kinds", "\"" + k + "\" is not \"pairwise\" or \"single\"");
      }
    }
  }

  std::set<std::string> criteria;
  KAIF_RETURN_IF_ERROR(ReadTables(root, file, "rubric", [&](const TomlReader& t) -> Status {
    KAIF_RETURN_IF_ERROR(t.CheckKeys({"id", "ko", "en", "min", "max"}));
    RubricCriterion r;
    KAIF_RETURN_IF_ERROR(t.String("id", r.id));
    KAIF_RETURN_IF_ERROR(t.String("ko", r.ko));
    KAIF_RETURN_IF_ERROR(t.String("en", r.en));
    KAIF_RETURN_IF_ERROR(t.Integer("min", r.min, false));
    KAIF_RETURN_IF_ERROR(t.Integer("max", r.max, false));
    if (r.min >= r.max || r.max - r.min > 100) return t.Error("max", "must be above min, by at most 100");
    if (!criteria.insert(r.id).second) return t.Error("id", "\"" + r.id + "\" is listed twice");
    c.rubric.push_back(std::move(r));
    return Status::Ok();
  }));
  if (c.rubric.empty()) c.rubric = DefaultRubric();
  return c;
}

}  // namespace kaif::arena
