#include "report/decision_json.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "util/json_writer.h"

namespace kaif::report {
namespace {

using namespace program;

void Write(JsonWriter& w, std::string_view key, const Estimate& e) {
  w.Key(key);
  w.BeginObject();
  w.Field("value", e.value);
  w.Field("stderr", e.stderr_);
  w.Field("low", e.low);
  w.Field("high", e.high);
  w.EndObject();
}

void Write(JsonWriter& w, std::string_view key, const std::optional<double>& x) {
  w.Key(key);
  x ? w.Number(*x) : w.Null();
}

void Write(JsonWriter& w, const AxisScore& a) {
  w.BeginObject();
  w.Field("axis", a.axis);
  w.Field("raw", a.raw);
  w.Field("raw_unit", a.raw_unit);
  Write(w, "score", a.score);
  w.Field("weight", a.weight);
  w.Field("contribution", a.contribution);
  w.Field("inputs", a.inputs);
  w.Field("explanation", a.explanation);
  w.EndObject();
}

void Write(JsonWriter& w, const FrontierResult& f) {
  w.Key("frontier");
  w.BeginObject();
  w.Key("per_benchmark");
  w.BeginArray();
  for (const BenchmarkRatio& b : f.per_benchmark) {
    w.BeginObject();
    w.Field("benchmark", b.benchmark);
    w.Field("team_score", b.team_score);
    w.Field("team_stderr", b.team_stderr);
    w.Field("reference_model", b.reference_model);
    w.Field("reference_score", b.reference_score);
    w.Field("reference_stderr", b.reference_stderr);
    Write(w, "ratio", b.ratio);
    w.EndObject();
  }
  w.EndArray();
  Write(w, "overall", f.overall);
  w.Field("meets_target", f.meets_target);
  w.Field("meets_target_confidently", f.meets_target_confidently);
  w.EndObject();
}

void Write(JsonWriter& w, const Allocation& a) {
  w.Key("allocation");
  w.BeginObject();
  w.Key("gpus");
  w.BeginArray();
  for (const GpuGrant& g : a.gpus) {
    w.BeginObject();
    w.Field("gpu_type", g.gpu_type);
    w.Field("gpus", g.gpus);
    w.Field("nodes", g.nodes);
    w.EndObject();
  }
  w.EndArray();
  w.Field("gpus_h100e", a.gpus_h100e);
  w.Field("entitlement_h100e", a.entitlement_h100e);
  w.Field("gpu_value", a.gpu_value);
  w.Field("data_money", a.data_money);
  w.Field("talent_money", a.talent_money);
  w.Field("self_pay_ratio", a.self_pay_ratio);
  w.Field("self_pay_amount", a.self_pay_amount);
  w.Field("explanation", a.explanation);
  w.EndObject();
}

void Write(JsonWriter& w, const TeamDecision& t) {
  w.BeginObject();
  w.Field("team", t.team);
  w.Field("team_name", t.team_name);
  w.Field("rank", t.rank);
  w.Field("outcome", ToString(t.outcome));
  w.Field("outcome_reason", t.outcome_reason);
  Write(w, "composite", t.composite);
  w.Field("composite_rounded", t.composite_rounded);
  w.Field("tie_note", t.tie_note);
  w.Field("excluded", t.excluded);
  w.Field("flagged", t.flagged);
  w.Key("axes");
  w.BeginArray();
  for (const AxisScore& a : t.axes) Write(w, a);
  w.EndArray();
  Write(w, t.frontier);
  w.Key("gates");
  w.BeginArray();
  for (const GateResult& g : t.gates) {
    w.BeginObject();
    w.Field("gate", g.gate);
    w.Field("passed", g.passed);
    w.Field("missing_evidence", g.missing_evidence);
    w.Field("action", g.action);
    w.Field("reason", g.reason);
    w.EndObject();
  }
  w.EndArray();
  Write(w, t.allocation);
  w.Field("certified", t.certified);
  w.Field("certification_reasons", t.certification_reasons);
  Write(w, "parameters", t.parameters);
  Write(w, "training_compute_flops", t.training_compute_flops);
  w.EndObject();
}

// Strict typed access for the reader, with the JSON pointer in messages.
template <typename T>
Status Get(const nlohmann::json& j, const char* key, T& out, const std::string& where) {
  try {
    out = j.at(key).get<T>();
    return Status::Ok();
  } catch (const nlohmann::json::exception&) {
    return Status::InvalidInput(where + "/" + key + " is missing or has the wrong type");
  }
}

Status ReadEstimate(const nlohmann::json& j, Estimate& e, const std::string& where) {
  KAIF_RETURN_IF_ERROR(Get(j, "value", e.value, where));
  KAIF_RETURN_IF_ERROR(Get(j, "low", e.low, where));
  KAIF_RETURN_IF_ERROR(Get(j, "high", e.high, where));
  return Get(j, "stderr", e.stderr_, where);
}

}  // namespace

std::string RenderDecisionJson(const StageDecision& d) {
  JsonWriter w;
  w.BeginObject();
  w.Field("schema", d.schema);
  w.Field("kaif_version", d.kaif_version);
  w.Field("program_name", d.program_name);
  w.Field("program_name_ko", d.program_name_ko);
  w.Field("currency", d.currency);
  w.Field("stage", d.stage);
  w.Field("stage_name", d.stage_name);
  w.Field("evaluation_date", d.evaluation_date);
  w.Field("period", d.period);
  w.Field("program_sha256", d.program_sha256);
  w.Key("inputs");
  w.BeginArray();
  for (const InputFile& f : d.inputs) {
    w.BeginObject();
    w.Field("name", f.name);
    w.Field("sha256", f.sha256);
    w.EndObject();
  }
  w.EndArray();
  w.Field("frontier_reference_models", d.frontier_reference_models);
  w.Field("target_ratio", d.target_ratio);
  w.Field("confidence", d.confidence);
  w.Key("axes");
  w.BeginArray();
  for (const std::string& id : d.axis_order) {
    w.BeginObject();
    w.Field("id", id);
    w.Field("name", d.axis_names.at(id));
    w.Field("name_ko", d.axis_names_ko.at(id));
    w.EndObject();
  }
  w.EndArray();
  w.Key("teams");
  w.BeginArray();
  for (const TeamDecision& t : d.teams) Write(w, t);
  w.EndArray();
  w.Key("pools");
  w.BeginArray();
  for (const PoolUse& p : d.pools) {
    w.BeginObject();
    w.Field("resource", p.resource);
    w.Field("pool", p.pool);
    w.Field("granted", p.granted);
    w.EndObject();
  }
  w.EndArray();
  w.Field("common_data_pool", d.common_data_pool);
  w.Field("rules", d.rules);
  w.EndObject();
  return w.Finish();
}

Result<StageDecision> ParseDecisionJson(std::string_view text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(source + ": not a decision.json: " + e.what());
  }
  StageDecision d;
  std::string schema;
  if (!j.is_object() || !Get(j, "schema", schema, source).ok() || schema != "kaif.decision/1") {
    return Status::InvalidInput(source + ": not a kaif decision (expected \"schema\": \"kaif.decision/1\")");
  }
  KAIF_RETURN_IF_ERROR(Get(j, "stage", d.stage, source));
  KAIF_RETURN_IF_ERROR(Get(j, "stage_name", d.stage_name, source));
  KAIF_RETURN_IF_ERROR(Get(j, "program_name", d.program_name, source));
  KAIF_RETURN_IF_ERROR(Get(j, "currency", d.currency, source));
  KAIF_RETURN_IF_ERROR(Get(j, "evaluation_date", d.evaluation_date, source));
  KAIF_RETURN_IF_ERROR(Get(j, "program_sha256", d.program_sha256, source));
  if (!j.contains("teams") || !j["teams"].is_array()) return Status::InvalidInput(source + ": /teams is missing");
  for (size_t i = 0; i < j["teams"].size(); ++i) {
    const nlohmann::json& t = j["teams"][i];
    std::string where = source + ": /teams/" + std::to_string(i);
    TeamDecision team;
    std::string outcome;
    KAIF_RETURN_IF_ERROR(Get(t, "team", team.team, where));
    KAIF_RETURN_IF_ERROR(Get(t, "team_name", team.team_name, where));
    KAIF_RETURN_IF_ERROR(Get(t, "rank", team.rank, where));
    KAIF_RETURN_IF_ERROR(Get(t, "outcome", outcome, where));
    bool known = false;
    for (Outcome o : {Outcome::kAdvances, Outcome::kEliminatedOnScore, Outcome::kEliminatedByGate,
                      Outcome::kNotParticipating}) {
      if (outcome == ToString(o)) {
        team.outcome = o;
        known = true;
      }
    }
    if (!known) return Status::InvalidInput(where + "/outcome = \"" + outcome + "\" is not an outcome");
    if (!t.contains("composite")) return Status::InvalidInput(where + "/composite is missing");
    KAIF_RETURN_IF_ERROR(ReadEstimate(t["composite"], team.composite, where + "/composite"));
    if (t.contains("allocation")) {
      KAIF_RETURN_IF_ERROR(Get(t["allocation"], "gpus_h100e", team.allocation.gpus_h100e, where + "/allocation"));
    }
    KAIF_RETURN_IF_ERROR(Get(t, "certified", team.certified, where));
    d.teams.push_back(std::move(team));
  }
  return d;
}

}  // namespace kaif::report
