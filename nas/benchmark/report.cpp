#include "nas/benchmark/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "nas/report.h"

namespace imc::nas::benchmark {

std::string hypervolume_csv(const std::vector<AlgorithmCurves>& curves) {
  std::string out = "evaluations";
  for (const auto& c : curves)
    for (const char* s : {"mean", "std", "min", "max"}) {
      out += ',';  // not "," + field: GCC 12 warns (-Wrestrict) on that operator+
      out += csv_field(c.algorithm + "_" + s);
    }
  out += "\n";
  const std::size_t n = curves.empty() ? 0 : curves.front().stats.mean.size();
  for (std::size_t e = 0; e < n; ++e) {
    out += std::to_string(e + 1);
    for (const auto& c : curves)
      out += fmt::format(",{:.9g},{:.9g},{:.9g},{:.9g}", c.stats.mean[e], c.stats.std[e], c.stats.min[e],
                         c.stats.max[e]);
    out += "\n";
  }
  return out;
}

std::string hypervolume_svg(const std::vector<AlgorithmCurves>& curves, double target,
                            const std::string& title) {
  constexpr double kW = 720, kH = 440, kLeft = 70, kRight = 150, kTop = 40, kBottom = 50;
  static const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                  "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};
  const std::size_t n = curves.empty() ? 0 : curves.front().stats.mean.size();
  double y_hi = target;
  for (const auto& c : curves)
    for (std::size_t e = 0; e < n; ++e) y_hi = std::max(y_hi, c.stats.mean[e] + c.stats.std[e]);
  if (!(y_hi > 0)) y_hi = 1;
  y_hi *= 1.05;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto x = [&](std::size_t e) { return kLeft + pw * (n > 1 ? double(e) / double(n - 1) : 0.0); };
  auto y = [&](double v) { return kTop + ph * (1 - std::clamp(v, 0.0, y_hi) / y_hi); };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"22\" font-size=\"14\">{3}</text>\n",
      kW, kH, kLeft, title);
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n",
                   kLeft, kTop, pw, ph);
  for (int t = 0; t <= 4; ++t) {  // axis ticks
    const double v = y_hi * t / 4;
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:.3g}</text>\n", kLeft - 6,
                     y(v) + 4, v);
    const std::size_t e = n > 1 ? static_cast<std::size_t>((n - 1) * t / 4) : 0;
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x(e),
                     kTop + ph + 18, e + 1);
  }
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">evaluations</text>\n",
                   kLeft + pw / 2, kH - 10);
  s += fmt::format(
      "<text x=\"16\" y=\"{:.1f}\" transform=\"rotate(-90 16 {:.1f})\" text-anchor=\"middle\">normalized "
      "hypervolume (mean, band: mean &#177; std over seeds)</text>\n",
      kTop + ph / 2, kTop + ph / 2);
  if (target > 0)
    s += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#888\" "
        "stroke-dasharray=\"5,4\"/>\n"
        "<text x=\"{3}\" y=\"{4:.1f}\" fill=\"#666\">90% of best</text>\n",
        kLeft, kLeft + pw, y(target), kLeft + 4, y(target) - 4);
  for (std::size_t a = 0; a < curves.size(); ++a) {
    const CurveStats& c = curves[a].stats;
    const char* color = kColors[a % std::size(kColors)];
    std::string band, line;
    for (std::size_t e = 0; e < n; ++e) band += fmt::format("{:.1f},{:.1f} ", x(e), y(c.mean[e] + c.std[e]));
    for (std::size_t e = n; e-- > 0;) band += fmt::format("{:.1f},{:.1f} ", x(e), y(c.mean[e] - c.std[e]));
    for (std::size_t e = 0; e < n; ++e) line += fmt::format("{:.1f},{:.1f} ", x(e), y(c.mean[e]));
    s += fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"none\"/>\n", band,
                     color);
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", line,
                     color);
    const double ly = kTop + 14 + 20 * double(a);
    s += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"{3}\" stroke-width=\"3\"/>"
        "<text x=\"{4}\" y=\"{5:.1f}\">{6}</text>\n",
        kLeft + pw + 12, kLeft + pw + 36, ly, color, kLeft + pw + 42, ly + 4, curves[a].algorithm);
  }
  return s + "</svg>\n";
}

}  // namespace imc::nas::benchmark
