#include "nas/cosearch/plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "nas/cosearch/summary.h"

namespace imc::nas::cosearch {

namespace {

// A log10 axis over [lo, hi] (positive values), rounded out to whole decades.
struct LogAxis {
  double lo_decade = 0, hi_decade = 1;
  LogAxis(double lo, double hi) {
    lo_decade = std::floor(std::log10(lo));
    hi_decade = std::ceil(std::log10(hi));
    if (hi_decade <= lo_decade) hi_decade = lo_decade + 1;
  }
  // 0 at the bottom, 1 at the top.
  double frac(double v) const { return (std::log10(v) - lo_decade) / (hi_decade - lo_decade); }
};

constexpr double kW = 760, kH = 420, kLeft = 80, kRight = 170, kTop = 50, kBottom = 70;

std::string header(const std::string& title, const std::string& y_label) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"24\" font-size=\"15\">{3}</text>\n"
      "<text transform=\"translate(16,{4}) rotate(-90)\" text-anchor=\"middle\">{5}</text>\n",
      kW, kH, kLeft, title, kTop + (kH - kTop - kBottom) / 2, y_label);
}

std::string y_axis(const LogAxis& a) {
  std::string s;
  const double plot_h = kH - kTop - kBottom;
  for (double d = a.lo_decade; d <= a.hi_decade + 1e-9; d += 1) {
    const double y = kTop + plot_h * (1 - a.frac(std::pow(10.0, d)));
    s += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">1e{5:g}</text>\n",
        kLeft, kW - kRight, y, kLeft - 6, y + 4, d);
  }
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n",
                   kLeft, kTop, kW - kLeft - kRight, plot_h);
  return s;
}

std::string legend(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string s;
  for (std::size_t i = 0; i < entries.size(); ++i)
    s += fmt::format(
        "<rect x=\"{0}\" y=\"{1}\" width=\"12\" height=\"12\" fill=\"{2}\"/><text x=\"{3}\" "
        "y=\"{4}\">{5}</text>\n",
        kW - kRight + 12, kTop + 20 * double(i), entries[i].second, kW - kRight + 30,
        kTop + 20 * double(i) + 11, entries[i].first);
  return s;
}

}  // namespace

std::string convergence_svg(const Result& r) {
  const std::string agg = to_string(r.aggregate);
  struct Series {
    std::string label, color;
    std::vector<double> values;
    bool flat;  // a horizontal line at values[0]
  };
  std::vector<Series> series;
  if (!r.best_per_generation.empty()) series.push_back({"joint", "#1f77b4", r.best_per_generation, false});
  for (const auto& b : r.baselines) {
    if (!b.feasible) continue;
    if (b.name == "stagewise" && !b.best_per_generation.empty())
      series.push_back({"stage-wise", "#2ca02c", b.best_per_generation, false});
    else if (b.name == "random")
      series.push_back({"random (best)", "#7f7f7f", {b.best.aggregate_edap}, true});
    else if (b.name == "single")
      series.push_back({"single (" + b.detail + ")", "#d62728", {b.best.aggregate_edap}, true});
  }
  double lo = INFINITY, hi = 0;
  std::size_t gens = 1;
  for (const auto& s : series) {
    for (double v : s.values)
      if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!s.flat) gens = std::max(gens, s.values.size());
  }
  std::string out = header(fmt::format("co-search convergence: best {} per generation", agg),
                           fmt::format("best {} (log)", agg));
  if (series.empty() || !(hi > 0))
    return out +
           "<text x=\"100\" y=\"200\">no curve: no feasible design, or a multi-objective "
           "run</text>\n</svg>\n";
  const LogAxis a(lo, hi);
  out += y_axis(a);
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  auto x_of = [&](std::size_t g) { return kLeft + plot_w * (gens > 1 ? double(g) / double(gens - 1) : 0.5); };
  auto y_of = [&](double v) { return kTop + plot_h * (1 - a.frac(v)); };
  for (std::size_t g = 0; g < gens; g += std::max<std::size_t>(1, gens / 10))
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x_of(g),
                       kH - kBottom + 16, g + 1);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">generation</text>\n", kLeft + plot_w / 2,
                     kH - kBottom + 36);
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& s : series) {
    keys.push_back({s.label, s.color});
    if (s.flat) {
      out += fmt::format(
          "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" stroke-dasharray=\"6,4\" "
          "stroke-width=\"2\"/>\n",
          kLeft, kW - kRight, y_of(s.values[0]), y_of(s.values[0]), s.color);
      continue;
    }
    std::string pts;
    for (std::size_t g = 0; g < s.values.size(); ++g)
      if (s.values[g] > 0) pts += fmt::format("{:.1f},{:.1f} ", x_of(g), y_of(s.values[g]));
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", pts,
                       s.color);
  }
  return out + legend(keys) + "</svg>\n";
}

std::string generalization_svg(const Result& r) {
  const auto rows = per_network_rows(r);
  double lo = INFINITY, hi = 0;
  for (const auto& row : rows)
    for (double v : {row.own_edap, row.joint_edap, row.single_edap})
      if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  std::string out =
      header(fmt::format("per network EDAP: own best, joint ({}), single largest", to_string(r.aggregate)),
             "EDAP, J*s*mm2 (log)");
  if (!(hi > 0)) return out + "<text x=\"100\" y=\"200\">no feasible design</text>\n</svg>\n";
  const LogAxis a(lo, hi);
  out += y_axis(a);
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  const double group_w = plot_w / double(std::max<std::size_t>(1, rows.size())), bar_w = group_w * 0.25;
  const char* colors[] = {"#2ca02c", "#1f77b4", "#d62728"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double values[] = {rows[i].own_edap, rows[i].joint_edap, rows[i].single_edap};
    for (int k = 0; k < 3; ++k) {
      if (!(values[k] > 0)) continue;
      const double x = kLeft + group_w * double(i) + group_w * 0.125 + bar_w * k;
      const double y = kTop + plot_h * (1 - a.frac(values[k]));
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n",
                         x, y, bar_w, kTop + plot_h - y, colors[k]);
    }
    out += fmt::format("<text transform=\"translate({:.1f},{}) rotate(25)\" font-size=\"11\">{}</text>\n",
                       kLeft + group_w * (double(i) + 0.3), kH - kBottom + 14, rows[i].network);
  }
  return out + legend({{"own best", colors[0]}, {"joint", colors[1]}, {"single largest", colors[2]}}) +
         "</svg>\n";
}

}  // namespace imc::nas::cosearch
