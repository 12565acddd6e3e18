#include "report/verify_html.h"

#include <fmt/format.h>

#include "report/svg_chart.h"

namespace kaif::report {
namespace {

using nlohmann::json;

std::string Log10(const json& v) { return v.is_number() ? fmt::format("{:.2f}", v.get<double>()) : "−∞"; }

}  // namespace

std::string RenderVerifyHtml(const json& report) {
  std::string html =
      "<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><title>kaif verify</title>\n"
      "<style>body{font-family:'Noto Sans KR','NanumGothic',sans-serif;max-width:980px;margin:2em auto;color:#1d2733}"
      "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e3e6ea;padding:4px 8px;text-align:left}"
      ".derived{color:#b42318;font-weight:bold}.independent{color:#067647;font-weight:bold}"
      ".inconclusive{color:#b54708;font-weight:bold}</style></head><body>\n";
  const std::string verdict = report.value("verdict", "");
  html += fmt::format("<h1>독립성 검증 · Independence verification</h1>\n<p>{} · <span class=\"{}\">{}</span> · "
                      "log10 p = {} (α = {}) · closest: {}</p>\n",
                      EscapeXml(report.value("candidate", "")), EscapeXml(verdict), EscapeXml(verdict),
                      Log10(report["log10_p"]), report.value("alpha", 0.0), EscapeXml(report.value("closest_model", "")));
  for (const json& pair : report.value("pairs", json::array())) {
    html += fmt::format("<h2>{}</h2>\n<p><span class=\"{}\">{}</span>: {}</p>\n", EscapeXml(pair.value("reference", "")),
                        EscapeXml(pair.value("verdict", "")), EscapeXml(pair.value("verdict", "")),
                        EscapeXml(pair.value("explanation", "")));
    if (const json& o = pair["tokenizer_overlap"]; o.is_object()) {
      html += fmt::format("<p>Tokenizers: {} and {} tokens, {} strings shared, {} of them at the same id; {} and {} "
                          "merges, {} shared, the first {} identical.</p>\n",
                          o.value("candidate_vocab", 0), o.value("reference_vocab", 0), o.value("shared_strings", 0),
                          o.value("same_ids", 0), o.value("candidate_merges", 0), o.value("reference_merges", 0),
                          o.value("shared_merges", 0), o.value("same_leading_merges", 0));
    }
    if (const json& components = pair["components"]; components.is_array() && !components.empty()) {
      html += "<table><thead><tr><th>component</th><th>verdict</th><th>tests</th><th>copied tensors</th><th>log10 p</th>"
              "</tr></thead><tbody>\n";
      for (const json& c : components) {
        html += fmt::format("<tr><td>{}</td><td><span class=\"{}\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                            EscapeXml(c.value("component", "")), EscapeXml(c.value("verdict", "")),
                            EscapeXml(c.value("verdict", "")), c.value("tests", 0), c.value("copied_tensors", 0),
                            Log10(c["log10_p"]));
      }
      html += "</tbody></table>\n";
    }
    html += "<table><thead><tr><th>test</th><th>tensor</th><th>statistic</th><th>log10 p</th><th>reference</th></tr>"
            "</thead><tbody>\n";
    for (const json& e : pair.value("evidence", json::array())) {
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{:.4f}</td><td>{}</td><td>{}</td></tr>\n",
                          EscapeXml(e.value("test", "")), EscapeXml(e.value("tensor", "")), e.value("statistic", 0.0),
                          Log10(e["log10_p"]),
                          e.contains("reference_tensor")  ? EscapeXml(e["reference_tensor"].get<std::string>())
                          : e.contains("reference_layer") ? "layer " + e["reference_layer"].dump()
                                                          : std::string());
    }
    html += "</tbody></table>\n";
    const json& layers = pair["layer_log10_p"];
    if (layers.is_array() && !layers.empty() && !layers[0].empty()) {
      std::vector<std::string> rows, columns;
      std::vector<std::vector<std::optional<double>>> values;
      for (size_t i = 0; i < layers.size(); ++i) {
        rows.push_back(fmt::format("candidate {}", i));
        values.emplace_back();
        for (const json& v : layers[i]) values.back().push_back(v.is_number() ? std::optional<double>(v.get<double>()) : -300.0);
      }
      for (size_t j = 0; j < layers[0].size(); ++j) columns.push_back(std::to_string(j));
      html += Heatmap("MLP units: log10 p, candidate layer × reference layer", rows, columns, values, 0, -10, "log10 p");
    }
  }
  return html + "</body></html>\n";
}

}  // namespace kaif::report
