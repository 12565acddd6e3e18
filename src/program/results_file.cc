#include "program/results_file.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/file.h"
#include "util/sha256.h"

namespace kaif::program {
namespace {

using nlohmann::json;

// Line and column of a byte offset, for JSON syntax errors.
std::string LineColumn(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}", line, column);
}

Result<json> ParseJson(std::string_view text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    size_t colon = what.find(": ");
    return Status::InvalidInput(fmt::format("{}:{}: JSON syntax error: {}", source, LineColumn(text, e.byte - 1),
                                            colon == std::string::npos ? what : what.substr(colon + 2)));
  } catch (const json::exception& e) {
    // Numbers too large for a double, and the like.
    return Status::InvalidInput(fmt::format("{}: JSON syntax error: {}", source, e.what()));
  }
}

// Typed access with messages that carry the file and JSON pointer.
class JsonReader {
 public:
  JsonReader(const json& value, std::string source, std::string pointer)
      : value_(value), source_(std::move(source)), pointer_(std::move(pointer)) {}

  Status Error(const std::string& key, const std::string& what) const {
    return Status::InvalidInput(fmt::format("{}: {}/{} {}", source_, pointer_, key, what));
  }

  Status Object() const {
    if (value_.is_object()) return Status::Ok();
    return Status::InvalidInput(fmt::format("{}: {} must be a JSON object", source_, pointer_.empty() ? "the document" : pointer_));
  }

  Status CheckKeys(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, v] : value_.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Error(key, "is not a known key here; allowed: " + list);
      }
    }
    return Status::Ok();
  }

  const json* Get(const std::string& key) const {
    auto it = value_.find(key);
    return it == value_.end() ? nullptr : &*it;
  }

  Status String(const std::string& key, std::string& out, bool required = true) const {
    const json* v = Get(key);
    if (!v) return required ? Error(key, "is missing") : Status::Ok();
    if (!v->is_string()) return Error(key, "must be a string");
    out = v->get<std::string>();
    return Status::Ok();
  }

  Status Number(const std::string& key, double& out, bool required = true) const {
    const json* v = Get(key);
    if (!v) return required ? Error(key, "is missing") : Status::Ok();
    if (!v->is_number()) return Error(key, "must be a number");
    out = v->get<double>();
    if (!std::isfinite(out)) return Error(key, "must be finite");
    return Status::Ok();
  }

  Status NonNegative(const std::string& key, double& out, bool required = true) const {
    KAIF_RETURN_IF_ERROR(Number(key, out, required));
    if (out < 0) return Error(key, fmt::format("= {} must not be negative", out));
    return Status::Ok();
  }

  Status Count(const std::string& key, long& out, bool required = true) const {
    const json* v = Get(key);
    if (!v) return required ? Error(key, "is missing") : Status::Ok();
    if (!v->is_number_integer() || v->get<long long>() < 0) return Error(key, "must be a whole number >= 0");
    out = static_cast<long>(v->get<long long>());
    return Status::Ok();
  }

  Result<JsonReader> Child(const std::string& key) const {
    const json* v = Get(key);
    if (!v) return Error(key, "is missing");
    JsonReader child(*v, source_, pointer_ + "/" + key);
    KAIF_RETURN_IF_ERROR(child.Object());
    return child;
  }

  const json& value() const { return value_; }

 private:
  const json& value_;
  std::string source_;
  std::string pointer_;
};

Status ParseBenchmarks(const JsonReader& r, ResultsDocument& doc) {
  KAIF_ASSIGN_OR_RETURN(JsonReader benchmarks, r.Child("benchmarks"));
  if (benchmarks.value().empty()) return r.Error("benchmarks", "is empty; give at least one benchmark");
  for (const auto& [id, v] : benchmarks.value().items()) {
    KAIF_ASSIGN_OR_RETURN(JsonReader b, benchmarks.Child(id));
    KAIF_RETURN_IF_ERROR(b.CheckKeys({"score", "stderr", "n"}));
    Measurement m;
    KAIF_RETURN_IF_ERROR(b.Number("score", m.value));
    KAIF_RETURN_IF_ERROR(b.NonNegative("stderr", m.stderr_, false));
    KAIF_RETURN_IF_ERROR(b.Count("n", m.n, false));
    doc.benchmarks[id] = m;
  }
  return Status::Ok();
}

Status ParseSafety(const JsonReader& r, ResultsDocument& doc) {
  KAIF_ASSIGN_OR_RETURN(JsonReader safety, r.Child("safety"));
  KAIF_RETURN_IF_ERROR(safety.CheckKeys({"categories"}));
  KAIF_ASSIGN_OR_RETURN(JsonReader categories, safety.Child("categories"));
  if (categories.value().empty()) return safety.Error("categories", "is empty; give at least one category");
  for (const auto& [name, v] : categories.value().items()) {
    KAIF_ASSIGN_OR_RETURN(JsonReader c, categories.Child(name));
    KAIF_RETURN_IF_ERROR(c.CheckKeys({"items", "passed"}));
    SafetyCategory category;
    KAIF_RETURN_IF_ERROR(c.Count("items", category.items));
    KAIF_RETURN_IF_ERROR(c.Count("passed", category.passed));
    if (category.items == 0) return c.Error("items", "is 0; a category needs items");
    if (category.passed > category.items) {
      return c.Error("passed", fmt::format("= {} is more than items = {}", category.passed, category.items));
    }
    doc.safety[name] = category;
  }
  return Status::Ok();
}

Status ParseArena(const JsonReader& r, ResultsDocument& doc) {
  KAIF_ASSIGN_OR_RETURN(JsonReader arena, r.Child("arena"));
  KAIF_RETURN_IF_ERROR(arena.CheckKeys({"pool", "rating", "stderr", "battles"}));
  KAIF_RETURN_IF_ERROR(arena.String("pool", doc.pool));
  KAIF_RETURN_IF_ERROR(arena.Number("rating", doc.arena_rating.value));
  KAIF_RETURN_IF_ERROR(arena.NonNegative("stderr", doc.arena_rating.stderr_));
  KAIF_RETURN_IF_ERROR(arena.Count("battles", doc.arena_rating.n, false));
  return Status::Ok();
}

Status ParseExpert(const JsonReader& r, ResultsDocument& doc) {
  KAIF_ASSIGN_OR_RETURN(JsonReader expert, r.Child("expert"));
  KAIF_RETURN_IF_ERROR(expert.CheckKeys({"panel", "max_score", "scores"}));
  KAIF_RETURN_IF_ERROR(expert.String("panel", doc.pool));
  KAIF_RETURN_IF_ERROR(expert.Number("max_score", doc.expert_max_score));
  if (doc.expert_max_score <= 0) return expert.Error("max_score", "must be > 0");
  const json* scores = expert.Get("scores");
  if (!scores || !scores->is_array() || scores->empty()) {
    return expert.Error("scores", "must be a non-empty list with one score per expert");
  }
  for (size_t i = 0; i < scores->size(); ++i) {
    const json& s = (*scores)[i];
    if (!s.is_number() || !std::isfinite(s.get<double>()) || s.get<double>() < 0 ||
        s.get<double>() > doc.expert_max_score) {
      return expert.Error(fmt::format("scores/{}", i),
                          fmt::format("must be a number between 0 and max_score = {}", doc.expert_max_score));
    }
    doc.expert_scores.push_back(s.get<double>());
  }
  return Status::Ok();
}

Status ParseDerivatives(const JsonReader& r, ResultsDocument& doc) {
  KAIF_ASSIGN_OR_RETURN(JsonReader derivatives, r.Child("derivatives"));
  KAIF_RETURN_IF_ERROR(derivatives.CheckKeys({"counts"}));
  KAIF_ASSIGN_OR_RETURN(JsonReader counts, derivatives.Child("counts"));
  for (const auto& [kind, v] : counts.value().items()) {
    long count = 0;
    KAIF_RETURN_IF_ERROR(counts.Count(kind, count));
    doc.derivatives[kind] = static_cast<double>(count);
  }
  return Status::Ok();
}

Status ParseIndependence(const JsonReader& r, ResultsDocument& doc) {
  KAIF_ASSIGN_OR_RETURN(JsonReader ind, r.Child("independence"));
  KAIF_RETURN_IF_ERROR(ind.CheckKeys({"verdict", "p_value", "closest_model", "detail"}));
  KAIF_RETURN_IF_ERROR(ind.String("verdict", doc.independence.verdict));
  if (doc.independence.verdict.empty()) return ind.Error("verdict", "is empty");
  if (ind.Get("p_value")) {
    double p = 0;
    KAIF_RETURN_IF_ERROR(ind.Number("p_value", p));
    if (p < 0 || p > 1) return ind.Error("p_value", "must be between 0 and 1");
    doc.independence.p_value = p;
  }
  KAIF_RETURN_IF_ERROR(ind.String("closest_model", doc.independence.closest_model, false));
  KAIF_RETURN_IF_ERROR(ind.String("detail", doc.independence.detail, false));
  return Status::Ok();
}

Status ParsePointerValue(const ResultsOverride& change, json& value) {
  try {
    value = json::parse(change.value);
  } catch (const json::exception&) {
    return Status::InvalidInput("what-if " + change.file + ":" + change.pointer + "=" + change.value +
                                ": the value is not JSON (quote strings: \"derived\")");
  }
  return Status::Ok();
}

Status ApplyResultsOverride(std::string& text, const ResultsOverride& change) {
  KAIF_ASSIGN_OR_RETURN(json root, ParseJson(text, change.file));
  json value;
  KAIF_RETURN_IF_ERROR(ParsePointerValue(change, value));
  try {
    json::json_pointer pointer(change.pointer);
    if (!root.contains(pointer)) {
      return Status::NotFound("what-if: " + change.file + " has nothing at " + change.pointer);
    }
    root[pointer] = value;
  } catch (const json::exception& e) {
    return Status::InvalidInput("what-if: '" + change.pointer + "' is not a JSON pointer like /arena/rating");
  }
  text = root.dump(2);
  return Status::Ok();
}

}  // namespace

Result<ResultsDocument> ParseResultsDocument(std::string_view text, const std::string& source) {
  KAIF_ASSIGN_OR_RETURN(json root, ParseJson(text, source));
  JsonReader r(root, source, "");
  KAIF_RETURN_IF_ERROR(r.Object());
  ResultsDocument doc;
  doc.source = source;
  doc.sha256 = Sha256Hex(text);
  std::string schema, kind;
  KAIF_RETURN_IF_ERROR(r.String("schema", schema));
  if (schema != "kaif.results/1") {
    return r.Error("schema", "= \"" + schema + "\" is not supported; this kaif reads \"kaif.results/1\"");
  }
  KAIF_RETURN_IF_ERROR(r.String("kind", kind));
  static const std::vector<std::string> kKinds = {"benchmarks", "safety", "arena", "expert", "derivatives",
                                                  "independence"};
  auto it = std::find(kKinds.begin(), kKinds.end(), kind);
  if (it == kKinds.end()) {
    return r.Error("kind", "= \"" + kind +
                               "\" is not a results kind; use benchmarks, safety, arena, expert, derivatives or "
                               "independence");
  }
  doc.kind = static_cast<ResultsKind>(it - kKinds.begin());
  KAIF_RETURN_IF_ERROR(r.CheckKeys({"schema", "kind", "team", "stage", "model", "producer", "note", kind}));
  KAIF_RETURN_IF_ERROR(r.String("team", doc.team));
  long stage = 0;
  KAIF_RETURN_IF_ERROR(r.Count("stage", stage));
  if (stage < 1) return r.Error("stage", "must be 1 or more");
  doc.stage = static_cast<int>(stage);
  if (r.Get("model")) {
    KAIF_ASSIGN_OR_RETURN(JsonReader model, r.Child("model"));
    KAIF_RETURN_IF_ERROR(
        model.CheckKeys({"weights_sha256", "tokenizer_sha256", "endpoint", "parameters", "training_compute_flops"}));
    KAIF_RETURN_IF_ERROR(model.String("weights_sha256", doc.model_weights_sha256, false));
    double value = 0;
    if (model.Get("parameters")) {
      KAIF_RETURN_IF_ERROR(model.NonNegative("parameters", value));
      doc.parameters = value;
    }
    if (model.Get("training_compute_flops")) {
      KAIF_RETURN_IF_ERROR(model.NonNegative("training_compute_flops", value));
      doc.training_compute_flops = value;
    }
  }
  switch (doc.kind) {
    case ResultsKind::kBenchmarks: KAIF_RETURN_IF_ERROR(ParseBenchmarks(r, doc)); break;
    case ResultsKind::kSafety: KAIF_RETURN_IF_ERROR(ParseSafety(r, doc)); break;
    case ResultsKind::kArena: KAIF_RETURN_IF_ERROR(ParseArena(r, doc)); break;
    case ResultsKind::kExpert: KAIF_RETURN_IF_ERROR(ParseExpert(r, doc)); break;
    case ResultsKind::kDerivatives: KAIF_RETURN_IF_ERROR(ParseDerivatives(r, doc)); break;
    case ResultsKind::kIndependence: KAIF_RETURN_IF_ERROR(ParseIndependence(r, doc)); break;
  }
  return doc;
}

Result<ResultsSet> LoadResultsDirectory(const std::filesystem::path& dir, const std::vector<ResultsOverride>& overrides) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound(dir.string() + ": no such results directory; pass the folder that holds the results JSON files");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return Status::IoError(dir.string() + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) return Status::InvalidInput(dir.string() + ": holds no *.json results files");
  for (const ResultsOverride& change : overrides) {
    bool found = std::any_of(files.begin(), files.end(), [&](const auto& f) { return f.filename() == change.file; });
    if (!found) return Status::NotFound("what-if names results file '" + change.file + "', which is not in " + dir.string());
  }
  ResultsSet set;
  for (const auto& path : files) {
    KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    for (const ResultsOverride& change : overrides) {
      if (path.filename() == change.file) KAIF_RETURN_IF_ERROR(ApplyResultsOverride(text, change));
    }
    KAIF_ASSIGN_OR_RETURN(ResultsDocument doc, ParseResultsDocument(text, path.filename().string()));
    KAIF_RETURN_IF_ERROR(set.Add(std::move(doc)));
  }
  return set;
}

}  // namespace kaif::program
