#include "report/csv_tables.h"

#include <fmt/format.h>

namespace kaif::report {
namespace {

using namespace program;

// Fixed decimals, never locale-dependent, never "nan".
std::string Num(double x, int decimals = 4) {
  if (!std::isfinite(x)) return "";
  return fmt::format("{:.{}f}", x, decimals);
}

class Table {
 public:
  explicit Table(const std::vector<std::string>& header) { Row(header); }
  void Row(const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) text_ += (i ? "," : "") + CsvField(cells[i]);
    text_ += "\r\n";
  }
  std::string text() const { return text_; }

 private:
  std::string text_;
};

bool Scored(const TeamDecision& t) { return t.outcome != Outcome::kNotParticipating; }

}  // namespace

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::vector<std::pair<std::string, std::string>> RenderCsvTables(const StageDecision& d) {
  std::vector<std::string> header = {"rank", "team", "team_name", "outcome", "composite", "low", "high", "stderr"};
  for (const std::string& axis : d.axis_order) {
    header.push_back(axis + "_score");
    header.push_back(axis + "_contribution");
  }
  Table scores(header);
  Table frontier({"team", "benchmark", "team_score", "team_stderr", "reference_model", "reference_score", "ratio",
                  "low", "high"});
  Table gates({"team", "gate", "passed", "missing_evidence", "action", "reason"});
  Table certification({"team", "certified", "conditions"});
  std::vector<std::string> gpu_types;
  for (const PoolUse& p : d.pools) {
    if (p.resource.rfind("gpu:", 0) == 0 && p.resource != "gpu:h100e") gpu_types.push_back(p.resource.substr(4));
  }
  std::vector<std::string> allocation_header = {"team", "outcome"};
  for (const std::string& type : gpu_types) {
    allocation_header.push_back(type + "_gpus");
    allocation_header.push_back(type + "_nodes");
  }
  for (const char* c : {"gpus_h100e", "entitlement_h100e", "gpu_value", "data_money", "talent_money", "self_pay_ratio",
                        "self_pay_amount"}) {
    allocation_header.push_back(c);
  }
  Table allocation(allocation_header);

  for (const TeamDecision& t : d.teams) {
    const char* outcome = ToString(t.outcome);
    if (Scored(t)) {
      std::vector<std::string> row = {std::to_string(t.rank), t.team, t.team_name, outcome, Num(t.composite.value),
                                      Num(t.composite.low), Num(t.composite.high), Num(t.composite.stderr_)};
      for (const std::string& axis : d.axis_order) {
        const AxisScore* score = nullptr;
        for (const AxisScore& a : t.axes) score = a.axis == axis ? &a : score;
        row.push_back(score ? Num(score->score.value) : "");
        row.push_back(score ? Num(score->contribution) : "");
      }
      scores.Row(row);
      for (const BenchmarkRatio& b : t.frontier.per_benchmark) {
        frontier.Row({t.team, b.benchmark, Num(b.team_score), Num(b.team_stderr), b.reference_model,
                      Num(b.reference_score), Num(b.ratio.value), Num(b.ratio.low), Num(b.ratio.high)});
      }
      for (const GateResult& g : t.gates) {
        gates.Row({t.team, g.gate, g.passed ? "yes" : "no", g.missing_evidence ? "yes" : "no", g.action, g.reason});
      }
      std::string conditions;
      for (const std::string& r : t.certification_reasons) conditions += (conditions.empty() ? "" : "; ") + r;
      certification.Row({t.team, t.certified ? "yes" : "no", conditions});
    }
    std::vector<std::string> row = {t.team, outcome};
    for (const std::string& type : gpu_types) {
      int gpus = 0, nodes = 0;
      for (const GpuGrant& g : t.allocation.gpus) {
        if (g.gpu_type == type) {
          gpus += g.gpus;
          nodes += g.nodes;
        }
      }
      row.push_back(std::to_string(gpus));
      row.push_back(std::to_string(nodes));
    }
    const Allocation& a = t.allocation;
    for (double x : {a.gpus_h100e, a.entitlement_h100e}) row.push_back(Num(x, 2));
    for (double x : {a.gpu_value, a.data_money, a.talent_money}) row.push_back(Num(x, 0));
    row.push_back(Num(a.self_pay_ratio));
    row.push_back(Num(a.self_pay_amount, 0));
    allocation.Row(row);
  }
  return {{"scores.csv", scores.text()},
          {"frontier.csv", frontier.text()},
          {"allocation.csv", allocation.text()},
          {"gates.csv", gates.text()},
          {"certification.csv", certification.text()}};
}

}  // namespace kaif::report
