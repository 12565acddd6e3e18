#include "report/html_report.h"

#include <gtest/gtest.h>

#include "report/svg_chart.h"
#include "support/sample_decision.h"

namespace kaif::report {
namespace {

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(HtmlReportTest, EscapesEverythingThatComesFromInputs) {
  std::string html = RenderHtmlReport(testing::SampleDecision(), {});
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("한빛 &lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("step &lt;two&gt;"), std::string::npos);
  EXPECT_NE(html.find("verdict &quot;derived&quot; &amp; more"), std::string::npos);
}

TEST(HtmlReportTest, IsSelfContainedBilingualAndDeterministic) {
  program::StageDecision d = testing::SampleDecision();
  program::StageDecision earlier = d;
  earlier.stage = 1;
  std::string html = RenderHtmlReport(d, {earlier});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"ko\">"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only SVG namespaces
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("결정 요약"), std::string::npos);
  EXPECT_NE(html.find("Decision summary"), std::string::npos);
  EXPECT_EQ(Count(html, "<svg"), Count(html, "</svg>"));
  EXPECT_GE(Count(html, "<svg"), 5u);
  EXPECT_EQ(Count(html, "<details"), d.teams.size());
  EXPECT_NE(html.find("Stage 1"), std::string::npos);  // the path chart shows the earlier stage
  EXPECT_EQ(html, RenderHtmlReport(d, {earlier}));
}

TEST(SvgChartTest, EmptyAndDegenerateDataDrawWithoutDividingByZero) {
  for (const std::string& svg :
       {HorizontalBarChart("t", {}, 0, 100, std::nullopt, 2), HorizontalBarChart("t", {{"a", 0, 0.0, 0.0, "#000", ""}}, 0, 0, Marker{0, "m"}, 2),
        GroupedBarChart("t", {}, {}, 0, 1, std::nullopt), GroupedBarChart("t", {"x"}, {{"s", "#000", {std::nullopt}, {}, {}}}, 1, 1, std::nullopt),
        StackedBarChart("t", {"a"}, {"#000"}, {{"row", {0}}}, "GPUs"), StackedBarChart("t", {}, {"#000"}, {}, ""),
        LineChart("t", {}, {}, 0, 100, "y"), LineChart("t", {"s1"}, {{"a", "#000", {5.0}, {}, {}}}, 0, 100, "y")}) {
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
    EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
  }
}

TEST(SvgChartTest, LongLabelsAreShortenedOnCharacterBoundaries) {
  std::string svg = HorizontalBarChart("t", {{"가나다라마바사아자차카타파하가나다라마바사아자차카타파하가나다라마바사아자차카타파하", 50, {}, {}, "#000", ""}},
                                       0, 100, std::nullopt, 0);
  EXPECT_NE(svg.find("…"), std::string::npos);
  EXPECT_EQ(EscapeXml("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

}  // namespace
}  // namespace kaif::report
