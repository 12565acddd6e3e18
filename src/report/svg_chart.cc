#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace kaif::report {
namespace {

constexpr double kWidth = 760;
constexpr const char* kFont = "font-family=\"'Noto Sans KR','Apple SD Gothic Neo','Malgun Gothic','NanumGothic',sans-serif\"";

std::string F(double x) { return fmt::format("{:.1f}", std::isfinite(x) ? x : 0.0); }

std::string Open(const std::string& title, double height) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"100%\" role=\"img\" aria-label=\"{}\" "
      "{} font-size=\"12\"><title>{}</title>\n",
      F(kWidth), F(height), EscapeXml(title), kFont, EscapeXml(title));
}

// Maps a value onto [left, right] for an axis from lo to hi; a flat axis maps to left.
double Scale(double v, double lo, double hi, double left, double right) {
  if (!(hi > lo)) return left;
  return left + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (right - left);
}

std::string Ticks(double lo, double hi, double left, double right, double top, double bottom, int count) {
  std::string out;
  for (int i = 0; i <= count; ++i) {
    double v = lo + (hi - lo) * i / count;
    double x = Scale(v, lo, hi, left, right);
    out += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#e3e6ea\"/>"
                       "<text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#5f6b7a\">{4}</text>\n",
                       F(x), F(top), F(bottom), F(bottom + 14), fmt::format("{:.{}f}", v, hi - lo < 5 ? 2 : 0));
  }
  return out;
}

std::string Whisker(double x_low, double x_high, double y) {
  return fmt::format("<path d=\"M{0} {2}H{1}M{0} {3}V{4}M{1} {3}V{4}\" stroke=\"#1d2733\" stroke-width=\"1.4\" fill=\"none\"/>\n",
                     F(x_low), F(x_high), F(y), F(y - 5), F(y + 5));
}

std::string MarkerLine(const Marker& m, double x, double top, double bottom) {
  return fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#c0392b\" stroke-dasharray=\"5 4\" "
                     "stroke-width=\"1.5\"/><text x=\"{0}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#c0392b\">{4}</text>\n",
                     F(x), F(top), F(bottom), F(top - 4), EscapeXml(m.label));
}

// At most `max` characters (code points, so Korean text is never cut mid-character).
std::string Shorten(const std::string& text, size_t max) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++count > max) return text.substr(0, i) + "…";
  }
  return text;
}

}  // namespace

std::string EscapeXml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string TeamColor(size_t index) {
  static const char* kColors[] = {"#2f6fb0", "#e07b39", "#3a9d5d", "#8e5ea2", "#c8a227",
                                  "#d1495b", "#4aa3a2", "#7a6c5d", "#5b7bd5", "#a0522d"};
  return kColors[index % (sizeof kColors / sizeof kColors[0])];
}

std::string HorizontalBarChart(const std::string& title, const std::vector<Bar>& bars, double axis_min, double axis_max,
                               const std::optional<Marker>& marker, int decimals) {
  const double left = 240, right = kWidth - 110, top = 30, row = 30;
  double bottom = top + row * static_cast<double>(std::max<size_t>(bars.size(), 1));
  std::string svg = Open(title, bottom + 30);
  svg += Ticks(axis_min, axis_max, left, right, top - 6, bottom, 5);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double y = top + row * static_cast<double>(i);
    double x0 = Scale(axis_min, axis_min, axis_max, left, right), x1 = Scale(b.value, axis_min, axis_max, left, right);
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1d2733\">{}</text>\n", F(left - 8),
                       F(y + row / 2 + 4), EscapeXml(Shorten(b.label, 34)));
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"{}\"><title>{}: {}</title></rect>\n",
                       F(x0), F(y + 6), F(std::max(0.0, x1 - x0)), F(row - 12), b.color, EscapeXml(b.label),
                       fmt::format("{:.{}f}", b.value, decimals));
    double text_x = x1;
    if (b.low && b.high) {
      double xl = Scale(*b.low, axis_min, axis_max, left, right), xh = Scale(*b.high, axis_min, axis_max, left, right);
      svg += Whisker(xl, xh, y + row / 2);
      text_x = std::max(text_x, xh);
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#1d2733\">{}{}</text>\n", F(text_x + 6), F(y + row / 2 + 4),
                       fmt::format("{:.{}f}", b.value, decimals), b.note.empty() ? "" : " · " + EscapeXml(b.note));
  }
  if (marker) svg += MarkerLine(*marker, Scale(marker->value, axis_min, axis_max, left, right), top - 6, bottom);
  return svg + "</svg>\n";
}

std::string GroupedBarChart(const std::string& title, const std::vector<std::string>& categories,
                            const std::vector<Series>& series, double axis_min, double axis_max,
                            const std::optional<Marker>& marker) {
  // Vertical bars: categories along x, values up the y axis.
  const double left = 50, right = kWidth - 20, top = 30, bottom = 250;
  std::string svg = Open(title, bottom + 40 + 20 * std::ceil(static_cast<double>(series.size()) / 3));
  for (int i = 0; i <= 5; ++i) {
    double v = axis_min + (axis_max - axis_min) * i / 5;
    double y = bottom - (bottom - top) * i / 5;
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#e3e6ea\"/><text x=\"{3}\" y=\"{4}\" "
                       "text-anchor=\"end\" fill=\"#5f6b7a\">{5:.2f}</text>\n",
                       F(left), F(y), F(right), F(left - 6), F(y + 4), v);
  }
  double group = (right - left) / static_cast<double>(std::max<size_t>(categories.size(), 1));
  double bar = std::min(28.0, (group - 12) / static_cast<double>(std::max<size_t>(series.size(), 1)));
  auto y_of = [&](double v) { return bottom - Scale(v, axis_min, axis_max, 0, bottom - top); };
  for (size_t c = 0; c < categories.size(); ++c) {
    double gx = left + group * static_cast<double>(c) + (group - bar * static_cast<double>(series.size())) / 2;
    for (size_t s = 0; s < series.size(); ++s) {
      if (c >= series[s].values.size() || !series[s].values[c]) continue;
      double v = *series[s].values[c], x = gx + bar * static_cast<double>(s);
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} · {}: {:.3f}</title></rect>\n",
                         F(x + 1), F(y_of(v)), F(bar - 2), F(bottom - y_of(v)), series[s].color,
                         EscapeXml(series[s].name), EscapeXml(categories[c]), v);
      if (c < series[s].lows.size() && series[s].lows[c] && series[s].highs[c]) {
        double xm = x + bar / 2;
        svg += fmt::format("<path d=\"M{0} {1}V{2}M{3} {1}H{4}M{3} {2}H{4}\" stroke=\"#1d2733\" stroke-width=\"1\"/>\n",
                           F(xm), F(y_of(*series[s].lows[c])), F(y_of(*series[s].highs[c])), F(xm - 3), F(xm + 3));
      }
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1d2733\">{}</text>\n",
                       F(left + group * (static_cast<double>(c) + 0.5)), F(bottom + 16), EscapeXml(categories[c]));
  }
  if (marker) {
    double y = y_of(marker->value);
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#c0392b\" stroke-dasharray=\"5 4\" "
                       "stroke-width=\"1.5\"/><text x=\"{2}\" y=\"{3}\" text-anchor=\"end\" fill=\"#c0392b\">{4}</text>\n",
                       F(left), F(y), F(right), F(y - 4), EscapeXml(marker->label));
  }
  for (size_t s = 0; s < series.size(); ++s) {
    double x = left + 240 * static_cast<double>(s % 3), y = bottom + 36 + 20 * static_cast<double>(s / 3);
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
                       F(x), F(y - 10), series[s].color, F(x + 16), F(y), EscapeXml(series[s].name));
  }
  return svg + "</svg>\n";
}

std::string StackedBarChart(const std::string& title, const std::vector<std::string>& segment_names,
                            const std::vector<std::string>& segment_colors, const std::vector<StackRow>& rows,
                            const std::string& unit) {
  const double left = 240, right = kWidth - 110, top = 16, row = 30;
  double total_max = 0;
  for (const StackRow& r : rows) {
    double total = 0;
    for (double v : r.segments) total += std::max(0.0, v);
    total_max = std::max(total_max, total);
  }
  if (total_max <= 0) total_max = 1;
  double bottom = top + row * static_cast<double>(std::max<size_t>(rows.size(), 1));
  std::string svg = Open(title, bottom + 50);
  svg += Ticks(0, total_max, left, right, top, bottom, 4);
  for (size_t i = 0; i < rows.size(); ++i) {
    double y = top + row * static_cast<double>(i), x = left, total = 0;
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1d2733\">{}</text>\n", F(left - 8),
                       F(y + row / 2 + 4), EscapeXml(Shorten(rows[i].label, 34)));
    for (size_t s = 0; s < rows[i].segments.size() && s < segment_names.size(); ++s) {
      double v = std::max(0.0, rows[i].segments[s]);
      if (v <= 0) continue;
      double w = v / total_max * (right - left);
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} · {}: {:.0f} {}</title></rect>\n",
                         F(x), F(y + 6), F(w), F(row - 12), segment_colors[s % segment_colors.size()],
                         EscapeXml(rows[i].label), EscapeXml(segment_names[s]), v, EscapeXml(unit));
      x += w;
      total += v;
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#1d2733\">{:.0f} {}</text>\n", F(x + 6), F(y + row / 2 + 4),
                       total, EscapeXml(unit));
  }
  for (size_t s = 0; s < segment_names.size(); ++s) {
    double x = left + 150 * static_cast<double>(s);
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
                       F(x), F(bottom + 26), segment_colors[s % segment_colors.size()], F(x + 16), F(bottom + 36),
                       EscapeXml(segment_names[s]));
  }
  return svg + "</svg>\n";
}

std::string LineChart(const std::string& title, const std::vector<std::string>& x_labels,
                      const std::vector<Series>& series, double y_min, double y_max, const std::string& y_label) {
  const double left = 60, right = kWidth - 170, top = 24, bottom = 230;
  std::string svg = Open(title, bottom + 40);
  auto x_of = [&](size_t i) {
    return x_labels.size() <= 1 ? (left + right) / 2
                                : left + (right - left) * static_cast<double>(i) / static_cast<double>(x_labels.size() - 1);
  };
  auto y_of = [&](double v) { return bottom - Scale(v, y_min, y_max, 0, bottom - top); };
  for (int i = 0; i <= 4; ++i) {
    double v = y_min + (y_max - y_min) * i / 4;
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#e3e6ea\"/><text x=\"{3}\" y=\"{4}\" "
                       "text-anchor=\"end\" fill=\"#5f6b7a\">{5:.0f}</text>\n",
                       F(left), F(y_of(v)), F(right), F(left - 6), F(y_of(v) + 4), v);
  }
  svg += fmt::format("<text x=\"14\" y=\"{}\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\" fill=\"#5f6b7a\">{}</text>\n",
                     F((top + bottom) / 2), F((top + bottom) / 2), EscapeXml(y_label));
  for (size_t i = 0; i < x_labels.size(); ++i) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1d2733\">{}</text>\n", F(x_of(i)),
                       F(bottom + 18), EscapeXml(x_labels[i]));
  }
  std::vector<std::pair<double, size_t>> end_labels;  // (y, series) of each line's last point
  std::vector<double> end_x(series.size(), 0);
  for (size_t s = 0; s < series.size(); ++s) {
    std::string path;
    std::optional<double> last;
    size_t last_index = 0;
    for (size_t i = 0; i < series[s].values.size() && i < x_labels.size(); ++i) {
      if (!series[s].values[i]) {
        path += " ";
        continue;
      }
      double v = *series[s].values[i];
      path += fmt::format("{}{} {}", path.empty() || path.back() == ' ' ? "M" : "L", F(x_of(i)), F(y_of(v)));
      svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"><title>{} · {}: {:.2f}</title></circle>\n",
                         F(x_of(i)), F(y_of(v)), series[s].color, EscapeXml(series[s].name), EscapeXml(x_labels[i]), v);
      last = v;
      last_index = i;
    }
    if (!path.empty()) {
      svg += fmt::format("<path d=\"{}\" stroke=\"{}\" stroke-width=\"2\" fill=\"none\"/>\n", path, series[s].color);
    }
    if (last) {
      end_labels.push_back({y_of(*last) + 4, s});
      end_x[s] = x_of(last_index) + 8;
    }
  }
  // Labels of lines that end close together are pushed apart so none overlaps.
  std::sort(end_labels.begin(), end_labels.end());
  for (size_t i = 1; i < end_labels.size(); ++i) {
    end_labels[i].first = std::max(end_labels[i].first, end_labels[i - 1].first + 13);
  }
  for (const auto& [y, s] : end_labels) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>\n", F(end_x[s]), F(y), series[s].color,
                       EscapeXml(series[s].name));
  }
  return svg + "</svg>\n";
}

std::string Heatmap(const std::string& title, const std::vector<std::string>& row_labels,
                    const std::vector<std::string>& column_labels, const std::vector<std::vector<std::optional<double>>>& values,
                    double white, double dark, const std::string& value_label) {
  const double left = 120, top = 40;
  const double cell = std::clamp((kWidth - left - 20) / std::max<double>(1, static_cast<double>(column_labels.size())), 6.0, 40.0);
  const double bottom = top + cell * static_cast<double>(row_labels.size());
  std::string svg = Open(title, bottom + 30);
  for (size_t j = 0; j < column_labels.size(); ++j) {
    if (column_labels.size() > 24 && j % 4 != 0) continue;  // keep labels legible
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#5f6b7a\">{}</text>\n",
                       F(left + cell * (static_cast<double>(j) + 0.5)), F(top - 8), EscapeXml(column_labels[j]));
  }
  for (size_t i = 0; i < row_labels.size(); ++i) {
    const double y = top + cell * static_cast<double>(i);
    if (row_labels.size() <= 24 || i % 4 == 0) {
      svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1d2733\">{}</text>\n", F(left - 6),
                         F(y + cell / 2 + 4), EscapeXml(row_labels[i]));
    }
    for (size_t j = 0; j < column_labels.size(); ++j) {
      const std::optional<double> v = i < values.size() && j < values[i].size() ? values[i][j] : std::nullopt;
      std::string fill = "#d5d9de", tip = "-";
      if (v) {
        const double t = std::clamp((*v - white) / (dark - white), 0.0, 1.0);
        const int shade = static_cast<int>(std::lround(255 - t * 200));
        fill = fmt::format("rgb({},{},{})", shade, static_cast<int>(std::lround(255 - t * 140)), 255);
        tip = fmt::format("{:.2f}", *v);
      }
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#ffffff\">"
                         "<title>{} / {}: {} {}</title></rect>\n",
                         F(left + cell * static_cast<double>(j)), F(y), F(cell), F(cell), fill, EscapeXml(row_labels[i]),
                         EscapeXml(column_labels[j]), EscapeXml(value_label), tip);
    }
  }
  return svg + "</svg>\n";
}

}  // namespace kaif::report
