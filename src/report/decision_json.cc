#include "report/decision_json.h"

#include <cmath>

namespace kaif::report {
namespace {

using nlohmann::ordered_json;
using namespace program;

// NaN and infinity are not JSON; a decision never holds them, but a bug must not write them.
ordered_json Number(double x) { return std::isfinite(x) ? ordered_json(x) : ordered_json(nullptr); }

ordered_json ToJson(const Estimate& e) {
  return {{"value", Number(e.value)}, {"stderr", Number(e.stderr_)}, {"low", Number(e.low)}, {"high", Number(e.high)}};
}

ordered_json Optional(const std::optional<double>& x) { return x ? Number(*x) : ordered_json(nullptr); }

ordered_json ToJson(const AxisScore& a) {
  return {{"axis", a.axis},         {"raw", Number(a.raw)},       {"raw_unit", a.raw_unit},
          {"score", ToJson(a.score)}, {"weight", Number(a.weight)}, {"contribution", Number(a.contribution)},
          {"inputs", a.inputs},     {"explanation", a.explanation}};
}

ordered_json ToJson(const FrontierResult& f) {
  ordered_json per = ordered_json::array();
  for (const BenchmarkRatio& b : f.per_benchmark) {
    per.push_back({{"benchmark", b.benchmark},
                   {"team_score", Number(b.team_score)},
                   {"team_stderr", Number(b.team_stderr)},
                   {"reference_model", b.reference_model},
                   {"reference_score", Number(b.reference_score)},
                   {"reference_stderr", Number(b.reference_stderr)},
                   {"ratio", ToJson(b.ratio)}});
  }
  return {{"per_benchmark", per},
          {"overall", ToJson(f.overall)},
          {"meets_target", f.meets_target},
          {"meets_target_confidently", f.meets_target_confidently}};
}

ordered_json ToJson(const Allocation& a) {
  ordered_json gpus = ordered_json::array();
  for (const GpuGrant& g : a.gpus) gpus.push_back({{"gpu_type", g.gpu_type}, {"gpus", g.gpus}, {"nodes", g.nodes}});
  return {{"gpus", gpus},
          {"gpus_h100e", Number(a.gpus_h100e)},
          {"entitlement_h100e", Number(a.entitlement_h100e)},
          {"gpu_value", Number(a.gpu_value)},
          {"data_money", Number(a.data_money)},
          {"talent_money", Number(a.talent_money)},
          {"self_pay_ratio", Number(a.self_pay_ratio)},
          {"self_pay_amount", Number(a.self_pay_amount)},
          {"explanation", a.explanation}};
}

ordered_json ToJson(const TeamDecision& t) {
  ordered_json axes = ordered_json::array(), gates = ordered_json::array();
  for (const AxisScore& a : t.axes) axes.push_back(ToJson(a));
  for (const GateResult& g : t.gates) {
    gates.push_back({{"gate", g.gate},
                     {"passed", g.passed},
                     {"missing_evidence", g.missing_evidence},
                     {"action", g.action},
                     {"reason", g.reason}});
  }
  return {{"team", t.team},
          {"team_name", t.team_name},
          {"rank", t.rank},
          {"outcome", ToString(t.outcome)},
          {"outcome_reason", t.outcome_reason},
          {"composite", ToJson(t.composite)},
          {"composite_rounded", Number(t.composite_rounded)},
          {"tie_note", t.tie_note},
          {"excluded", t.excluded},
          {"flagged", t.flagged},
          {"axes", axes},
          {"frontier", ToJson(t.frontier)},
          {"gates", gates},
          {"allocation", ToJson(t.allocation)},
          {"certified", t.certified},
          {"certification_reasons", t.certification_reasons},
          {"parameters", Optional(t.parameters)},
          {"training_compute_flops", Optional(t.training_compute_flops)}};
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

ordered_json DecisionToJson(const StageDecision& d) {
  ordered_json inputs = ordered_json::array(), teams = ordered_json::array(), pools = ordered_json::array();
  for (const InputFile& f : d.inputs) inputs.push_back({{"name", f.name}, {"sha256", f.sha256}});
  for (const TeamDecision& t : d.teams) teams.push_back(ToJson(t));
  for (const PoolUse& p : d.pools) {
    pools.push_back({{"resource", p.resource}, {"pool", Number(p.pool)}, {"granted", Number(p.granted)}});
  }
  ordered_json axes = ordered_json::array();
  for (const std::string& id : d.axis_order) {
    axes.push_back({{"id", id}, {"name", d.axis_names.at(id)}, {"name_ko", d.axis_names_ko.at(id)}});
  }
  return {{"schema", d.schema},
          {"kaif_version", d.kaif_version},
          {"program_name", d.program_name},
          {"program_name_ko", d.program_name_ko},
          {"currency", d.currency},
          {"stage", d.stage},
          {"stage_name", d.stage_name},
          {"evaluation_date", d.evaluation_date},
          {"period", d.period},
          {"program_sha256", d.program_sha256},
          {"inputs", inputs},
          {"frontier_reference_models", d.frontier_reference_models},
          {"target_ratio", Number(d.target_ratio)},
          {"confidence", Number(d.confidence)},
          {"axes", axes},
          {"teams", teams},
          {"pools", pools},
          {"common_data_pool", Number(d.common_data_pool)},
          {"rules", d.rules}};
}

std::string RenderDecisionJson(const StageDecision& d) { return DecisionToJson(d).dump(2) + "\n"; }

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
