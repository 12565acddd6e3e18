// Plain SVG charts for the HTML report: no script, fixed layout, escaped text, the same
// bytes for the same data. Each chart carries a <title> and an aria-label.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kaif::report {

// One bar with an optional interval (whisker) around its value.
struct Bar {
  std::string label;
  double value = 0;
  std::optional<double> low, high;
  std::string color;
  std::string note;  // printed after the value, e.g. "eliminated"
};

struct Marker {
  double value = 0;
  std::string label;
};

// Horizontal bars on a shared axis from `axis_min` to `axis_max`.
std::string HorizontalBarChart(const std::string& title, const std::vector<Bar>& bars, double axis_min, double axis_max,
                               const std::optional<Marker>& marker, int decimals);

// Bars grouped by category (e.g. benchmarks), one bar per series (e.g. team) in each.
struct Series {
  std::string name;
  std::string color;
  std::vector<std::optional<double>> values;  // one per category; nullopt = no bar
  std::vector<std::optional<double>> lows, highs;
};
std::string GroupedBarChart(const std::string& title, const std::vector<std::string>& categories,
                            const std::vector<Series>& series, double axis_min, double axis_max,
                            const std::optional<Marker>& marker);

// Horizontal stacked bars: one row per label, segments in a fixed order and colour.
struct StackRow {
  std::string label;
  std::vector<double> segments;  // one per segment name
};
std::string StackedBarChart(const std::string& title, const std::vector<std::string>& segment_names,
                            const std::vector<std::string>& segment_colors, const std::vector<StackRow>& rows,
                            const std::string& unit);

// One line per series over ordered x labels (stages); nullopt ends or skips a line.
std::string LineChart(const std::string& title, const std::vector<std::string>& x_labels,
                      const std::vector<Series>& series, double y_min, double y_max, const std::string& y_label);

// A grid of cells, row by row (values[row][column]), shaded from white at `white` to dark
// at `dark` (either direction); nullopt cells are grey. Each cell's <title> tells its value.
std::string Heatmap(const std::string& title, const std::vector<std::string>& row_labels,
                    const std::vector<std::string>& column_labels, const std::vector<std::vector<std::optional<double>>>& values,
                    double white, double dark, const std::string& value_label);

// A fixed colour for the i-th team.
std::string TeamColor(size_t index);

// Escapes &, <, >, " and ' for XML and HTML text and attributes.
std::string EscapeXml(const std::string& text);

}  // namespace kaif::report
