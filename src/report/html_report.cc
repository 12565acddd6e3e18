#include "report/html_report.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>

#include "report/svg_chart.h"

namespace kaif::report {
namespace {

using namespace program;

std::string E(const std::string& text) { return EscapeXml(text); }

// "한국어 / English" labels, kept together so every heading reads in both languages.
std::string L(const char* ko, const char* en) { return fmt::format("{} <span class=\"en\">/ {}</span>", ko, en); }

std::string OutcomeLabel(const TeamDecision& t) {
  switch (t.outcome) {
    case Outcome::kAdvances: return t.flagged ? L("진출 (검토 대상)", "Advances (flagged)") : L("진출", "Advances");
    case Outcome::kEliminatedOnScore: return L("탈락 (점수)", "Eliminated (score)");
    case Outcome::kEliminatedByGate: return L("탈락 (요건 미충족)", "Eliminated (gate)");
    case Outcome::kNotParticipating: return L("이전 단계 탈락", "Out earlier");
  }
  return "";
}

const char* OutcomeClass(Outcome o) {
  switch (o) {
    case Outcome::kAdvances: return "advances";
    case Outcome::kEliminatedOnScore: return "eliminated";
    case Outcome::kEliminatedByGate: return "excluded";
    case Outcome::kNotParticipating: return "out";
  }
  return "";
}

std::string Billions(double money) { return fmt::format("{:.2f}B", money / 1e9); }

std::string Gpus(const TeamDecision& t, bool with_nodes) {
  std::string out;
  for (const GpuGrant& g : t.allocation.gpus) {
    out += fmt::format("{}{}&nbsp;{}", out.empty() ? "" : " + ", g.gpus, E(g.gpu_type));
    if (with_nodes) out += fmt::format(" ({} nodes)", g.nodes);
  }
  return out.empty() ? "-" : out;
}

bool Scored(const TeamDecision& t) { return t.outcome != Outcome::kNotParticipating; }

// Charts and the per-benchmark table stop being readable past a few dozen teams (and a
// national program has a handful); beyond these the report shows the best-ranked teams
// and says where the rest are. Tables of one row per team are never cut.
constexpr size_t kMaxChartTeams = 30;
constexpr size_t kMaxFrontierChartTeams = 10;

std::string CutNote(size_t shown, size_t total, const char* csv) {
  if (shown >= total) return "";
  return fmt::format("<p class=\"meta\">{} {} / {} — {} {}</p>\n", L("순위 상위", "Top"), shown, total,
                     L("전체는", "all teams in"), csv);
}

// Colours follow the team's position in the first decision that lists it, so a team
// keeps its colour across stages.
std::map<std::string, std::string> TeamColors(const std::vector<const StageDecision*>& stages) {
  std::map<std::string, std::string> colors;
  for (const StageDecision* d : stages) {
    for (const TeamDecision& t : d->teams) {
      if (!colors.count(t.team)) colors[t.team] = TeamColor(colors.size());
    }
  }
  return colors;
}

constexpr const char* kStyle = R"(
:root { --ink: #1d2733; --muted: #5f6b7a; --line: #e3e6ea; --accent: #2f6fb0; }
* { box-sizing: border-box; }
body { margin: 0; font-family: 'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', 'NanumGothic', system-ui, sans-serif;
       color: var(--ink); background: #f5f7fa; line-height: 1.5; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 16px; }
h1 { font-size: 1.6rem; margin: 0.2rem 0; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1rem; margin: 1rem 0 0.3rem; }
.en { color: var(--muted); font-weight: normal; }
.meta { color: var(--muted); font-size: 0.9rem; }
.meta code, td code { font-size: 0.8rem; word-break: break-all; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin: 8px 0; }
.wide { overflow-x: auto; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.advances td:first-child { border-left: 4px solid #3a9d5d; }
tr.eliminated td:first-child { border-left: 4px solid #c8a227; }
tr.excluded td:first-child { border-left: 4px solid #d1495b; }
tr.out td:first-child { border-left: 4px solid #b0b7c0; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem; }
.badge.yes { background: #e1f3e7; color: #1f6b3a; }
.badge.no { background: #f1f2f4; color: var(--muted); }
.fail { color: #b3261e; font-weight: 600; }
.chart { margin: 8px 0 16px; }
details { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
ol.steps li, ul.rules li { margin: 2px 0; }
footer { margin-top: 32px; color: var(--muted); font-size: 0.8rem; }
@media print { body { background: #fff; } main { padding: 0; } details { break-inside: avoid; } details > * { display: block; } }
)";

std::string Header(const StageDecision& d) {
  return fmt::format(
      "<header><p class=\"meta\">kaif {}</p><h1>{}</h1><p class=\"meta\">{}</p><h1>{}</h1>"
      "<p class=\"meta\">{}: {} · {}: {} · {}: <code>{}</code></p></header>\n",
      L("단계 평가 결정", "Stage decision"), E(d.program_name_ko.empty() ? d.program_name : d.program_name_ko),
      E(d.program_name), E(d.stage_name), L("평가일", "Evaluation date"), E(d.evaluation_date),
      L("지원 기간", "Support period"), E(d.period), L("프로그램 해시", "Program SHA-256"), E(d.program_sha256));
}

std::string SummaryTable(const StageDecision& d) {
  // Size-adjusted views beside the raw score, so a bigger model's advantage is visible.
  bool any_parameters = std::any_of(d.teams.begin(), d.teams.end(), [](const TeamDecision& t) { return t.parameters; });
  bool any_compute =
      std::any_of(d.teams.begin(), d.teams.end(), [](const TeamDecision& t) { return t.training_compute_flops; });
  std::string html = fmt::format(
      "<h2>{}</h2><div class=\"wide\"><table><thead><tr><th class=\"num\">{}</th><th>{}</th><th class=\"num\">{}</th>"
      "<th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>{}{}"
      "</tr></thead><tbody>\n",
      L("결정 요약", "Decision summary"), L("순위", "Rank"), L("팀", "Team"),
      fmt::format("{}<br><span class=\"meta\">{:.0f}% {}</span>", L("종합 점수", "Composite"), 100 * d.confidence,
                  L("신뢰구간", "interval")),
      L("프런티어 대비", "Frontier ratio"), L("결과", "Outcome"), L("인증", "Certification"), L("GPU 배분", "GPUs"),
      L("데이터", "Data"), L("인재", "Talent"),
      any_parameters ? fmt::format("<th class=\"num\">{}</th>", L("점수/10억 파라미터", "per B params")) : "",
      any_compute ? fmt::format("<th class=\"num\">{}</th>", L("점수/10²⁴ FLOP", "per 10²⁴ training FLOP")) : "");
  for (const TeamDecision& t : d.teams) {
    bool scored = Scored(t);
    html += fmt::format(
        "<tr class=\"{}\"><td class=\"num\">{}</td><td><strong>{}</strong><br><span class=\"meta\">{}</span></td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td>{}{}</tr>\n",
        OutcomeClass(t.outcome), scored ? std::to_string(t.rank) : "-", E(t.team_name), E(t.team),
        scored ? fmt::format("<strong>{:.2f}</strong><br><span class=\"meta\">{:.2f} – {:.2f}</span>", t.composite.value,
                             t.composite.low, t.composite.high)
               : "-",
        scored ? fmt::format("{:.3f}", t.frontier.overall.value) : "-", OutcomeLabel(t),
        !scored ? "-"
        : t.certified ? "<span class=\"badge yes\">인증 / certified</span>"
                      : "<span class=\"badge no\">미인증 / not certified</span>",
        Gpus(t, false), Billions(t.allocation.data_money), Billions(t.allocation.talent_money),
        any_parameters ? fmt::format("<td class=\"num\">{}</td>",
                                     t.parameters && *t.parameters > 0 && scored
                                         ? fmt::format("{:.2f}", t.composite.value / (*t.parameters / 1e9))
                                         : "-")
                       : "",
        any_compute ? fmt::format("<td class=\"num\">{}</td>",
                                  t.training_compute_flops && *t.training_compute_flops > 0 && scored
                                      ? fmt::format("{:.1f}", t.composite.value / (*t.training_compute_flops / 1e24))
                                      : "-")
                    : "");
  }
  return html + fmt::format("</tbody></table></div><p class=\"meta\">{} {}</p>\n", L("금액 단위", "Amounts in"),
                            E(d.currency) + " (B = 10억 / billion)");
}

std::string CompositeChart(const StageDecision& d, const std::map<std::string, std::string>& colors) {
  std::vector<Bar> bars;
  size_t scored = 0;
  for (const TeamDecision& t : d.teams) {
    if (!Scored(t) || ++scored > kMaxChartTeams) continue;
    bool grey = t.outcome != Outcome::kAdvances;
    bars.push_back({t.team_name, t.composite.value, t.composite.low, t.composite.high,
                    grey ? "#b0b7c0" : colors.at(t.team),
                    t.outcome == Outcome::kAdvances ? "" : t.outcome == Outcome::kEliminatedByGate ? "gate" : "eliminated"});
  }
  return fmt::format("<h2>{}</h2><div class=\"chart\">{}</div>{}\n", L("종합 점수와 신뢰구간", "Composite score with interval"),
                     HorizontalBarChart("Composite score / 종합 점수", bars, 0, 100, std::nullopt, 2),
                     CutNote(bars.size(), scored, "scores.csv"));
}

std::string AxisTable(const StageDecision& d) {
  std::string html = fmt::format("<h2>{}</h2><div class=\"wide\"><table><thead><tr><th>{}</th>", L("평가 축별 점수", "Scores by axis"),
                                 L("팀", "Team"));
  std::map<std::string, double> weights;
  for (const TeamDecision& t : d.teams) {
    for (const AxisScore& a : t.axes) weights[a.axis] = a.weight;
  }
  for (const std::string& axis : d.axis_order) {
    html += fmt::format("<th class=\"num\">{}<br><span class=\"en\">{}</span><br><span class=\"meta\">w {:g}</span></th>",
                        E(d.axis_names_ko.at(axis)), E(d.axis_names.at(axis)), weights[axis]);
  }
  html += fmt::format("<th class=\"num\">{}</th></tr></thead><tbody>\n", L("종합", "Composite"));
  for (const TeamDecision& t : d.teams) {
    if (!Scored(t)) continue;
    html += fmt::format("<tr class=\"{}\"><td>{}</td>", OutcomeClass(t.outcome), E(t.team_name));
    for (const std::string& axis : d.axis_order) {
      auto it = std::find_if(t.axes.begin(), t.axes.end(), [&](const AxisScore& a) { return a.axis == axis; });
      html += it == t.axes.end() ? "<td class=\"num\">-</td>"
                                 : fmt::format("<td class=\"num\" title=\"{}\">{:.1f}<br><span class=\"meta\">+{:.2f}</span></td>",
                                               E(it->explanation), it->score.value, it->contribution);
    }
    html += fmt::format("<td class=\"num\"><strong>{:.2f}</strong></td></tr>\n", t.composite.value);
  }
  return html + fmt::format("</tbody></table></div><p class=\"meta\">{}</p>\n",
                            L("각 칸: 0–100 점수, 아래는 종합 점수 기여분", "Each cell: 0–100 score, below it the contribution to the composite"));
}

std::string FrontierSection(const StageDecision& d, const std::map<std::string, std::string>& colors) {
  std::vector<std::string> benchmarks;
  std::vector<Series> series;
  double top = 1.0;
  size_t scored = 0;
  for (const TeamDecision& t : d.teams) {
    if (!Scored(t) || ++scored > kMaxFrontierChartTeams) continue;
    if (benchmarks.empty()) {
      for (const BenchmarkRatio& b : t.frontier.per_benchmark) benchmarks.push_back(b.benchmark);
    }
    Series s{t.team_name, colors.at(t.team), {}, {}, {}};
    for (const BenchmarkRatio& b : t.frontier.per_benchmark) {
      s.values.push_back(b.ratio.value);
      s.lows.push_back(b.ratio.low);
      s.highs.push_back(b.ratio.high);
      top = std::max(top, b.ratio.high);
    }
    series.push_back(std::move(s));
  }
  std::string html = fmt::format(
      "<h2>{}</h2><p class=\"meta\">{}: {} · {} {:.0f}%</p><div class=\"chart\">{}</div>\n",
      L("프런티어 대비 성능", "Frontier ratio"), L("기준 모델 (이동 목표)", "Reference models (moving target)"),
      E([&] {
        std::string s;
        for (const std::string& m : d.frontier_reference_models) s += (s.empty() ? "" : ", ") + m;
        return s;
      }()),
      L("목표", "target"), 100 * d.target_ratio,
      GroupedBarChart("Frontier ratio per benchmark / 벤치마크별 프런티어 대비", benchmarks, series, 0,
                      std::ceil(top * 10) / 10, Marker{d.target_ratio, fmt::format("target {:.2f}", d.target_ratio)}));
  html += CutNote(series.size(), scored, "frontier.csv");
  html += fmt::format("<table><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th>{}</th><th class=\"num\">{}</th>"
                      "<th class=\"num\">{}</th></tr></thead><tbody>\n",
                      L("팀", "Team"), L("벤치마크", "Benchmark"), L("팀 점수", "Team score"),
                      L("기준 모델", "Reference"), L("기준 점수", "Reference score"), L("비율", "Ratio"));
  size_t rows = 0;
  for (const TeamDecision& t : d.teams) {
    if (!Scored(t) || ++rows > kMaxChartTeams) continue;
    for (const BenchmarkRatio& b : t.frontier.per_benchmark) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{:.2f} ± {:.2f}</td><td>{}</td>"
                          "<td class=\"num\">{:.2f}</td><td class=\"num\">{:.3f} ({:.3f}–{:.3f})</td></tr>\n",
                          E(t.team), E(b.benchmark), b.team_score, b.team_stderr, E(b.reference_model),
                          b.reference_score, b.ratio.value, b.ratio.low, b.ratio.high);
    }
    html += fmt::format("<tr><td>{}</td><td><strong>{}</strong></td><td></td><td></td><td></td>"
                        "<td class=\"num\"><strong>{:.3f}</strong> ({:.3f}–{:.3f}) {}</td></tr>\n",
                        E(t.team), L("전체", "overall"), t.frontier.overall.value, t.frontier.overall.low,
                        t.frontier.overall.high, t.frontier.meets_target ? "✓" : "");
  }
  return html + "</tbody></table>\n" + CutNote(std::min(rows, kMaxChartTeams), rows, "frontier.csv");
}

std::string GatesTable(const StageDecision& d) {
  std::string html = fmt::format("<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>\n",
                                 L("자격 요건 (게이트)", "Gates"), L("팀", "Team"), L("요건", "Gate"), L("결과", "Result"),
                                 L("근거", "Reason"));
  for (const TeamDecision& t : d.teams) {
    for (const GateResult& g : t.gates) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", E(t.team), E(g.gate),
                          g.passed ? "통과 / passed" : fmt::format("<span class=\"fail\">미충족 / failed ({})</span>", E(g.action)),
                          E(g.reason));
    }
  }
  return html + "</tbody></table>\n";
}

std::string AllocationSection(const StageDecision& d) {
  std::vector<std::string> types;
  for (const PoolUse& p : d.pools) {
    if (p.resource.rfind("gpu:", 0) == 0 && p.resource != "gpu:h100e") types.push_back(p.resource.substr(4));
  }
  std::vector<StackRow> gpu_rows, money_rows;
  for (const TeamDecision& t : d.teams) {
    if (gpu_rows.size() == kMaxChartTeams) break;
    StackRow gpus{t.team_name, {}};
    for (const std::string& type : types) {
      int n = 0;
      for (const GpuGrant& g : t.allocation.gpus) n += g.gpu_type == type ? g.gpus : 0;
      gpus.segments.push_back(n);
    }
    gpu_rows.push_back(gpus);
    money_rows.push_back({t.team_name,
                          {t.allocation.gpu_value / 1e9, t.allocation.data_money / 1e9, t.allocation.talent_money / 1e9}});
  }
  std::vector<std::string> colors = {"#2f6fb0", "#e07b39", "#3a9d5d", "#8e5ea2"};
  std::string html = fmt::format("<h2>{}</h2><div class=\"chart\">{}</div><div class=\"chart\">{}</div>\n",
                                 L("다음 기간 자원 배분", "Allocation for the next period"),
                                 StackedBarChart("GPUs by type / GPU 종류별 배분", types, colors, gpu_rows, "GPUs"),
                                 StackedBarChart("Support value / 지원 금액 (" + d.currency + " billion)",
                                                 {"GPU value", "Data", "Talent"}, {"#2f6fb0", "#3a9d5d", "#c8a227"},
                                                 money_rows, "B"));
  html += CutNote(gpu_rows.size(), d.teams.size(), "allocation.csv");
  html += fmt::format("<table><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>"
                      "<th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead><tbody>\n",
                      L("팀", "Team"), L("GPU", "GPUs"), L("H100 환산", "H100 equivalents"), L("GPU 가치", "GPU value"),
                      L("데이터", "Data"), L("인재", "Talent"), L("자부담", "Self-pay"));
  for (const TeamDecision& t : d.teams) {
    html += fmt::format("<tr class=\"{}\"><td>{}</td><td>{}</td><td class=\"num\">{:.0f} / {:.0f}</td><td class=\"num\">{}</td>"
                        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} ({:.0f}%)</td></tr>\n",
                        OutcomeClass(t.outcome), E(t.team_name), Gpus(t, true), t.allocation.gpus_h100e,
                        t.allocation.entitlement_h100e, Billions(t.allocation.gpu_value),
                        Billions(t.allocation.data_money), Billions(t.allocation.talent_money),
                        Billions(t.allocation.self_pay_amount), 100 * t.allocation.self_pay_ratio);
  }
  html += "</tbody></table>\n";
  html += fmt::format("<h3>{}</h3><table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>"
                      "<th class=\"num\">{}</th></tr></thead><tbody>\n",
                      L("예산 풀 사용", "Pool use"), L("자원", "Resource"), L("풀", "Pool"), L("배분", "Granted"),
                      L("잔여", "Left"));
  for (const PoolUse& p : d.pools) {
    bool money = p.resource.rfind("gpu:", 0) != 0;
    auto show = [&](double x) { return money ? Billions(x) : fmt::format("{:.0f}", x); };
    html += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                        E(p.resource), show(p.pool), show(p.granted), show(p.pool - p.granted));
  }
  return html + fmt::format("<tr><td>data:common</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td></td></tr>"
                            "</tbody></table>\n",
                            Billions(d.common_data_pool), L("공동 구매", "bought for all teams"));
}

std::string PathSection(const StageDecision& d, const std::vector<StageDecision>& earlier,
                        const std::map<std::string, std::string>& colors) {
  std::vector<const StageDecision*> stages;
  for (const StageDecision& e : earlier) stages.push_back(&e);
  stages.push_back(&d);
  std::vector<std::string> labels;
  for (const StageDecision* s : stages) labels.push_back(fmt::format("Stage {}", s->stage));
  std::vector<Series> series;
  for (const auto& [team, color] : colors) {
    if (series.size() == kMaxChartTeams) break;
    Series s{team, color, {}, {}, {}};
    for (const StageDecision* stage : stages) {
      std::optional<double> v;
      for (const TeamDecision& t : stage->teams) {
        if (t.team == team && Scored(t)) v = t.composite.value;
      }
      s.values.push_back(v);
    }
    series.push_back(std::move(s));
  }
  std::string html = fmt::format("<h2>{}</h2><div class=\"chart\">{}</div>\n",
                                 L("단계별 경로", "Path over stages"),
                                 LineChart("Composite by stage / 단계별 종합 점수", labels, series, 0, 100, "composite"));
  html += fmt::format("<table><thead><tr><th>{}</th>", L("팀", "Team"));
  for (const std::string& label : labels) html += "<th>" + E(label) + "</th>";
  html += "</tr></thead><tbody>\n";
  for (const auto& [team, color] : colors) {
    html += "<tr><td>" + E(team) + "</td>";
    for (const StageDecision* stage : stages) {
      std::string cell = "-";
      for (const TeamDecision& t : stage->teams) {
        if (t.team != team) continue;
        cell = Scored(t) ? fmt::format("#{} · {:.1f} · {}", t.rank, t.composite.value, OutcomeLabel(t)) : OutcomeLabel(t);
      }
      html += "<td>" + cell + "</td>";
    }
    html += "</tr>\n";
  }
  return html + "</tbody></table>\n";
}

std::string Explanations(const StageDecision& d) {
  std::string html = fmt::format("<h2>{}</h2>\n", L("팀별 설명", "Explanation per team"));
  for (const TeamDecision& t : d.teams) {
    html += fmt::format("<details id=\"team-{}\"><summary>{} ({}) — {}</summary>\n", E(t.team), E(t.team_name), E(t.team),
                        OutcomeLabel(t));
    html += fmt::format("<p>{}</p>\n", E(t.outcome_reason));
    if (!t.tie_note.empty()) html += fmt::format("<p>{}: {}</p>\n", L("동점 처리", "Tie"), E(t.tie_note));
    if (Scored(t)) {
      html += fmt::format("<h3>{}</h3><ul class=\"rules\">\n", L("평가 축", "Axes"));
      for (const AxisScore& a : t.axes) {
        html += fmt::format("<li><strong>{}</strong>: {:.2f} — {}<br><span class=\"meta\">{}</span></li>\n", E(a.axis),
                            a.score.value, E(a.explanation), E([&] {
                              std::string s;
                              for (const std::string& i : a.inputs) s += (s.empty() ? "" : ", ") + i;
                              return s;
                            }()));
      }
      html += "</ul>\n";
    }
    html += fmt::format("<h3>{}</h3><ol class=\"steps\">\n", L("배분 근거", "Allocation steps"));
    for (const std::string& line : t.allocation.explanation) html += "<li>" + E(line) + "</li>\n";
    html += "</ol>\n";
    if (!t.certification_reasons.empty()) {
      html += fmt::format("<h3>{}</h3><ul class=\"rules\">\n", L("인증 조건", "Certification conditions"));
      for (const std::string& r : t.certification_reasons) html += "<li>" + E(r) + "</li>\n";
      html += "</ul>\n";
    }
    html += "</details>\n";
  }
  return html;
}

std::string RulesAndInputs(const StageDecision& d) {
  std::string html = fmt::format("<h2>{}</h2><ul class=\"rules\">\n", L("적용 규칙", "Rules applied"));
  for (const std::string& r : d.rules) html += "<li>" + E(r) + "</li>\n";
  html += fmt::format("</ul><h2>{}</h2><table><thead><tr><th>{}</th><th>SHA-256</th></tr></thead><tbody>\n",
                      L("입력 파일", "Input files"), L("파일", "File"));
  for (const InputFile& f : d.inputs) {
    html += fmt::format("<tr><td>{}</td><td><code>{}</code></td></tr>\n", E(f.name), E(f.sha256));
  }
  return html + "</tbody></table>\n";
}

}  // namespace

std::string RenderHtmlReport(const StageDecision& d, const std::vector<StageDecision>& earlier) {
  std::vector<const StageDecision*> all;
  for (const StageDecision& e : earlier) all.push_back(&e);
  all.push_back(&d);
  std::map<std::string, std::string> colors = TeamColors(all);
  std::string html = "<!DOCTYPE html>\n<html lang=\"ko\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += fmt::format("<title>{} — {}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n", E(d.stage_name),
                      E(d.program_name), kStyle);
  html += Header(d);
  html += SummaryTable(d);
  html += CompositeChart(d, colors);
  html += AxisTable(d);
  html += FrontierSection(d, colors);
  html += GatesTable(d);
  html += AllocationSection(d);
  html += PathSection(d, earlier, colors);
  html += Explanations(d);
  html += RulesAndInputs(d);
  html += fmt::format("<footer>kaif {} · {} · {}</footer>\n</main>\n</body>\n</html>\n", E(d.kaif_version), E(d.schema),
                      L("같은 입력은 같은 결정을 냅니다", "the same inputs give the same decision, byte for byte"));
  return html;
}

}  // namespace kaif::report
