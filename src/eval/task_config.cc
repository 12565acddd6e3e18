#include "eval/task_config.h"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <map>
#include <set>

#include "eval/metrics.h"
#include "util/file.h"

namespace kaif::eval {
namespace {

using nlohmann::json;

// `!function` references kaif computes natively, by the function's name (the module part
// is the task folder's utils.py, which kaif does not run).
const std::map<std::string, std::string> kNativeFunctions = {
    {"macro_f1_score", "macro_f1"}, {"micro_f1_score", "micro_f1"}, {"weighted_f1_score", "weighted_f1"},
    {"agg_inst_level_acc", "weighted_mean"}};

// A YAML scalar as JSON: plain scalars are typed as YAML 1.1 core types (null, bool, int,
// float), quoted ones stay strings. `!function x` becomes {"!function": "x"}.
json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const YAML::Node& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& text = node.Scalar();
  if (node.Tag() == "!function") return json{{"!function", text}};
  if (node.Tag() == "!") return text;  // quoted
  if (!node.Tag().empty() && node.Tag() != "?") return json{{"!tag", node.Tag()}, {"value", text}};
  if (text == "~" || text == "null" || text == "Null" || text == "NULL" || text.empty()) return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  try {
    size_t used = 0;
    long long i = std::stoll(text, &used, 10);
    if (used == text.size()) return i;
    double d = std::stod(text, &used);
    if (used == text.size()) return d;
  } catch (const std::exception&) {
  }
  return text;
}

Result<json> LoadYaml(const std::string& text, const std::filesystem::path& source, int depth) {
  json doc;
  try {
    doc = ToJson(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(fmt::format("{}: line {}: {}", source.string(), e.mark.line + 1, e.msg));
  }
  if (!doc.is_object()) return Status::InvalidInput(source.string() + ": a task file is a mapping of keys");
  if (doc.contains("include")) {
    if (depth > 8) return Status::InvalidInput(source.string() + ": includes nest too deep (a cycle?)");
    if (!doc["include"].is_string()) return Status::InvalidInput(source.string() + ": include must be a file name");
    std::filesystem::path base = source.parent_path() / doc["include"].get<std::string>();
    KAIF_ASSIGN_OR_RETURN(std::string base_text, ReadFile(base));
    KAIF_ASSIGN_OR_RETURN(json merged, LoadYaml(base_text, base, depth + 1));
    doc.erase("include");
    for (auto& [key, value] : doc.items()) merged[key] = value;  // the including file wins
    return merged;
  }
  return doc;
}

Status Unsupported(const std::filesystem::path& source, const std::string& key, const std::string& why) {
  return Status::InvalidInput(fmt::format("{}: {}: {}", source.string(), key, why));
}

// Any `!function` left in `value` (after the native ones were mapped) is an error.
Status RejectFunctions(const json& value, const std::filesystem::path& source, const std::string& key) {
  if (value.is_object() && value.contains("!function")) {
    return Unsupported(source, key,
                       fmt::format("!function {} runs Python, which kaif does not; use a template or a native metric",
                                   value["!function"].get<std::string>()));
  }
  if (value.is_object() && value.contains("!tag")) {
    return Unsupported(source, key, "the YAML tag " + value["!tag"].get<std::string>() + " is not supported");
  }
  if (value.is_structured()) {
    for (auto& [k, v] : value.items()) KAIF_RETURN_IF_ERROR(RejectFunctions(v, source, key + "." + k));
  }
  return Status::Ok();
}

Result<std::string> String(const json& doc, const char* key, const std::filesystem::path& source) {
  if (!doc.contains(key) || doc[key].is_null()) return std::string();
  if (doc[key].is_string()) return doc[key].get<std::string>();
  if (doc[key].is_number() || doc[key].is_boolean()) return doc[key].dump();
  return Unsupported(source, key, "must be a string");
}

Result<MetricSpec> ReadMetric(const json& m, const std::filesystem::path& source, size_t index) {
  std::string where = fmt::format("metric_list[{}]", index);
  if (!m.is_object() || !m.contains("metric")) return Unsupported(source, where, "needs a metric name");
  MetricSpec spec;
  if (m["metric"].is_object() && m["metric"].contains("!function")) {
    return Unsupported(source, where + ".metric", "a metric written in Python is not supported");
  }
  if (!m["metric"].is_string()) return Unsupported(source, where + ".metric", "must be a name");
  spec.metric = m["metric"].get<std::string>();
  for (auto& [key, value] : m.items()) {
    if (key == "metric") continue;
    if (key == "aggregation") {
      if (value.is_string()) {
        spec.aggregation = value.get<std::string>();
      } else if (value.is_object() && value.contains("!function")) {
        std::string function = value["!function"].get<std::string>();
        std::string name = function.substr(function.rfind('.') == std::string::npos ? 0 : function.rfind('.') + 1);
        auto native = kNativeFunctions.find(name);
        if (native == kNativeFunctions.end()) {
          return Unsupported(source, where + ".aggregation",
                             "!function " + function + " runs Python; kaif's native aggregations are macro_f1_score, "
                             "micro_f1_score and weighted_f1_score");
        }
        spec.aggregation = native->second;
      } else {
        return Unsupported(source, where + ".aggregation", "must be a name");
      }
    } else if (key == "higher_is_better") {
      if (!value.is_boolean()) return Unsupported(source, where + ".higher_is_better", "must be true or false");
      spec.higher_is_better = value.get<bool>();
    } else {
      KAIF_RETURN_IF_ERROR(RejectFunctions(value, source, where + "." + key));
      spec.options[key] = value;
    }
  }
  if (spec.aggregation.empty()) spec.aggregation = DefaultAggregation(spec.metric);
  if (spec.aggregation.empty()) {
    return Unsupported(source, where + ".metric",
                       spec.metric + " is not a metric kaif computes (acc, acc_norm, acc_bytes, exact_match, f1, mcc, "
                                     "perplexity, word_perplexity, byte_perplexity, bits_per_byte, IFEval's accuracies)");
  }
  if (!IsKnownAggregation(spec.aggregation)) {
    return Unsupported(source, where + ".aggregation", spec.aggregation + " is not an aggregation kaif computes");
  }
  return spec;
}

Result<FilterPipeline> ReadFilter(const json& f, const std::filesystem::path& source, size_t index) {
  std::string where = fmt::format("filter_list[{}]", index);
  if (!f.is_object() || !f.contains("filter") || !f["filter"].is_array()) {
    return Unsupported(source, where, "needs a name and a filter list");
  }
  FilterPipeline pipeline;
  pipeline.name = f.value("name", "none");
  static const std::set<std::string> known = {"regex", "take_first", "remove_whitespace", "lowercase", "uppercase",
                                              "majority_vote", "take_first_k", "multi_choice_regex"};
  for (size_t i = 0; i < f["filter"].size(); ++i) {
    const json& step = f["filter"][i];
    std::string at = fmt::format("{}.filter[{}]", where, i);
    if (!step.is_object() || !step.contains("function") || !step["function"].is_string()) {
      return Unsupported(source, at, "needs a function name");
    }
    FilterStep s;
    s.function = step["function"].get<std::string>();
    if (!known.count(s.function)) {
      return Unsupported(source, at, "filter \"" + s.function + "\" is not supported; kaif has regex, take_first, "
                                     "take_first_k, remove_whitespace, lowercase, uppercase and majority_vote");
    }
    for (auto& [key, value] : step.items()) {
      if (key != "function") s.args[key] = value;
    }
    KAIF_RETURN_IF_ERROR(RejectFunctions(s.args, source, at));
    pipeline.steps.push_back(std::move(s));
  }
  return pipeline;
}

}  // namespace

const char* ToString(OutputType type) {
  switch (type) {
    case OutputType::kMultipleChoice: return "multiple_choice";
    case OutputType::kLoglikelihood: return "loglikelihood";
    case OutputType::kLoglikelihoodRolling: return "loglikelihood_rolling";
    case OutputType::kGenerateUntil: return "generate_until";
  }
  return "?";
}

const std::string& TaskConfig::eval_split() const {
  return !test_split.empty() ? test_split : !validation_split.empty() ? validation_split : training_split;
}

Result<TaskConfig> ParseTaskConfig(const std::string& yaml, const std::filesystem::path& source) {
  KAIF_ASSIGN_OR_RETURN(json doc, LoadYaml(yaml, source, 0));
  TaskConfig c;
  c.source = source;
  // Keys that change what is computed and that kaif does not implement: an error, never ignored.
  static const std::map<std::string, std::string> unsupported = {
      {"process_docs", "preprocessing documents in Python is not supported"},
      {"process_results", "scoring in Python is not supported; use metric_list"},
      {"custom_dataset", "custom dataset loaders are not supported"},
      {"doc_to_image", "image inputs are not supported"},
      {"doc_to_audio", "audio inputs are not supported"},
      {"use_prompt", "promptsource prompts are not supported"},
      {"gen_prefix", "gen_prefix is not supported yet"},
      {"repeats", "repeated sampling is not supported yet"},
      {"group", "this is a group file; pass its tasks"},
  };
  static const std::set<std::string> known = {
      "task", "task_alias", "tag", "dataset_path", "dataset_name", "dataset_kwargs", "training_split",
      "validation_split", "test_split", "fewshot_split", "description", "doc_to_text", "doc_to_target",
      "doc_to_choice", "target_delimiter", "fewshot_delimiter", "fewshot_config", "num_fewshot", "output_type",
      "generation_kwargs", "metric_list", "filter_list", "metadata", "should_decontaminate",
      "doc_to_decontamination_query", "unsafe_code"};
  for (auto& [key, value] : doc.items()) {
    auto bad = unsupported.find(key);
    if (bad != unsupported.end()) {
      if (key == "repeats" && value == 1) continue;
      return Unsupported(source, key, bad->second);
    }
    if (!known.count(key)) return Unsupported(source, key, "unknown key");
  }
  for (const char* key : {"doc_to_text", "doc_to_target", "doc_to_choice", "description", "dataset_kwargs"}) {
    if (doc.contains(key)) KAIF_RETURN_IF_ERROR(RejectFunctions(doc[key], source, key));
  }
  KAIF_ASSIGN_OR_RETURN(c.task, String(doc, "task", source));
  if (c.task.empty()) return Unsupported(source, "task", "every task needs a name");
  if (doc.contains("tag")) {
    if (doc["tag"].is_string()) c.tags.push_back(doc["tag"]);
    else if (doc["tag"].is_array()) {
      for (const json& t : doc["tag"]) c.tags.push_back(t.is_string() ? t.get<std::string>() : t.dump());
    }
  }
  KAIF_ASSIGN_OR_RETURN(c.dataset_path, String(doc, "dataset_path", source));
  KAIF_ASSIGN_OR_RETURN(c.dataset_name, String(doc, "dataset_name", source));
  if (c.dataset_path.empty()) return Unsupported(source, "dataset_path", "is required");
  KAIF_ASSIGN_OR_RETURN(c.training_split, String(doc, "training_split", source));
  KAIF_ASSIGN_OR_RETURN(c.validation_split, String(doc, "validation_split", source));
  KAIF_ASSIGN_OR_RETURN(c.test_split, String(doc, "test_split", source));
  KAIF_ASSIGN_OR_RETURN(c.fewshot_split, String(doc, "fewshot_split", source));
  if (c.eval_split().empty()) return Unsupported(source, "test_split", "no test, validation or training split is named");
  KAIF_ASSIGN_OR_RETURN(c.description, String(doc, "description", source));
  c.doc_to_text = doc.value("doc_to_text", json());
  c.doc_to_target = doc.value("doc_to_target", json());
  c.doc_to_choice = doc.value("doc_to_choice", json());
  if (doc.contains("target_delimiter")) {
    KAIF_ASSIGN_OR_RETURN(c.target_delimiter, String(doc, "target_delimiter", source));
  }
  if (doc.contains("fewshot_delimiter")) {
    KAIF_ASSIGN_OR_RETURN(c.fewshot_delimiter, String(doc, "fewshot_delimiter", source));
  }
  if (doc.contains("num_fewshot") && !doc["num_fewshot"].is_null()) {
    if (!doc["num_fewshot"].is_number_integer() || doc["num_fewshot"].get<int>() < 0) {
      return Unsupported(source, "num_fewshot", "must be a whole number >= 0");
    }
    c.num_fewshot = doc["num_fewshot"].get<int>();
  }
  if (doc.contains("fewshot_config") && doc["fewshot_config"].is_object()) {
    const json& f = doc["fewshot_config"];
    for (auto& [key, value] : f.items()) {
      if (key == "sampler") {
        if (value != "first_n" && value != "default") {
          return Unsupported(source, "fewshot_config.sampler", "kaif has the samplers default (seeded random) and first_n");
        }
        c.fewshot_sampler = value.get<std::string>();
      } else {
        return Unsupported(source, "fewshot_config." + key, "is not supported; kaif reads fewshot_config.sampler");
      }
    }
  }
  std::string output = "generate_until";
  KAIF_ASSIGN_OR_RETURN(output, String(doc, "output_type", source));
  if (output.empty() || output == "generate_until") c.output_type = OutputType::kGenerateUntil;
  else if (output == "multiple_choice") c.output_type = OutputType::kMultipleChoice;
  else if (output == "loglikelihood") c.output_type = OutputType::kLoglikelihood;
  else if (output == "loglikelihood_rolling") c.output_type = OutputType::kLoglikelihoodRolling;
  else return Unsupported(source, "output_type", "\"" + output + "\" is not an output type");
  if (c.output_type == OutputType::kMultipleChoice && c.doc_to_choice.is_null()) {
    return Unsupported(source, "doc_to_choice", "multiple_choice tasks need their choices");
  }
  if (doc.contains("generation_kwargs") && doc["generation_kwargs"].is_object()) {
    for (auto& [key, value] : doc["generation_kwargs"].items()) {
      if (key == "until") {
        if (value.is_string()) c.generation.until = {value.get<std::string>()};
        else if (value.is_array()) {
          for (const json& u : value) {
            if (!u.is_string()) return Unsupported(source, "generation_kwargs.until", "must be strings");
            c.generation.until.push_back(u);
          }
        } else {
          return Unsupported(source, "generation_kwargs.until", "must be a string or a list of strings");
        }
      } else if (key == "max_gen_toks" && value.is_number_integer() && value.get<int>() > 0) {
        c.generation.max_gen_toks = value.get<int>();
      } else if (key == "temperature" && value.is_number()) {
        c.generation.temperature = value.get<double>();
      } else if (key == "do_sample" && value.is_boolean()) {
        c.generation.do_sample = value.get<bool>();
      } else {
        return Unsupported(source, "generation_kwargs." + key, "is not supported (or not a valid value)");
      }
    }
  } else {
    c.generation.until = {c.fewshot_delimiter};  // lm-evaluation-harness's default without generation_kwargs
  }
  if (doc.contains("metric_list")) {
    if (!doc["metric_list"].is_array()) return Unsupported(source, "metric_list", "must be a list");
    for (size_t i = 0; i < doc["metric_list"].size(); ++i) {
      KAIF_ASSIGN_OR_RETURN(MetricSpec m, ReadMetric(doc["metric_list"][i], source, i));
      c.metrics.push_back(std::move(m));
    }
  }
  if (doc.contains("filter_list")) {
    if (!doc["filter_list"].is_array()) return Unsupported(source, "filter_list", "must be a list");
    for (size_t i = 0; i < doc["filter_list"].size(); ++i) {
      KAIF_ASSIGN_OR_RETURN(FilterPipeline f, ReadFilter(doc["filter_list"][i], source, i));
      c.filters.push_back(std::move(f));
    }
  }
  if (doc.contains("metadata") && doc["metadata"].is_object()) c.metadata = doc["metadata"];
  return c;
}

Result<json> ReadTaskYaml(const std::string& yaml, const std::filesystem::path& source) {
  return LoadYaml(yaml, source, 0);
}

Result<TaskConfig> LoadTaskConfig(const std::filesystem::path& file) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  return ParseTaskConfig(text, file);
}

}  // namespace kaif::eval
