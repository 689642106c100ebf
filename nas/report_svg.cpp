// Hand-written SVG of the Pareto front: one scatter panel per pair of objectives.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "nas/report.h"

namespace imc::nas {

namespace {

constexpr double kPanelW = 360, kPanelH = 300;
constexpr double kLeft = 72, kRight = 16, kTop = 28, kBottom = 48;  // plot area margins inside a panel
constexpr double kTitleH = 34, kLegendH = 30;

std::string xml(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

struct Range {
  double lo = INFINITY, hi = -INFINITY;
  void add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  void pad() {
    double span = hi - lo;
    if (!(span > 0)) span = std::max(std::abs(hi), 1.0) * 0.1;
    lo -= 0.05 * span;
    hi += 0.05 * span;
  }
  double frac(double v) const { return (v - lo) / (hi - lo); }
};

}  // namespace

std::string front_svg(const ReportInput& in) {
  const std::size_t m = in.objective_names.size();
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = i + 1; j < m; ++j) pairs.emplace_back(i, j);
  if (pairs.empty()) pairs.emplace_back(0, 0);  // one objective: plot it against itself
  const std::size_t cols = std::min<std::size_t>(pairs.size(), 3);
  const std::size_t rows = (pairs.size() + cols - 1) / cols;
  const double width = kPanelW * static_cast<double>(cols),
               height = kTitleH + kPanelH * static_cast<double>(rows) + kLegendH;

  std::set<std::size_t> on_front(in.front.begin(), in.front.end());
  std::set<std::size_t> finalists(in.finalists.begin(), in.finalists.end());
  std::vector<const Candidate*> feasible;
  for (const auto& c : in.candidates)
    if (c.evaluation.feasible() && c.evaluation.objectives.size() == m) feasible.push_back(&c);
  double hv = in.history.empty() ? 0.0 : in.history.back().hypervolume;

  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  s += fmt::format(
      "<text x=\"10\" y=\"21\" font-size=\"14\">Pareto front: {} candidates, {} feasible, {} on the front, "
      "hypervolume {:.6g}</text>\n",
      in.candidates.size(), feasible.size(), in.front.size(), hv);

  for (std::size_t p = 0; p < pairs.size(); ++p) {
    auto [a, b] = pairs[p];
    const double ox = kPanelW * static_cast<double>(p % cols),
                 oy = kTitleH + kPanelH * static_cast<double>(p / cols);
    const double px = ox + kLeft, py = oy + kTop, pw = kPanelW - kLeft - kRight,
                 ph = kPanelH - kTop - kBottom;
    s += fmt::format(
        "<g>\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n", px, py,
        pw, ph);
    const std::string xname = m ? in.objective_names[a] : "", yname = m ? in.objective_names[b] : "";
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", px + pw / 2, py + ph + 36,
                     xml(xname));
    s += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" transform=\"rotate(-90 {0} {1})\">{2}</text>\n",
        ox + 14, py + ph / 2, xml(yname));
    if (feasible.empty()) {
      s += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#a00\">no feasible candidate</text>\n</g>\n",
          px + pw / 2, py + ph / 2);
      continue;
    }
    Range rx, ry;
    for (const Candidate* c : feasible) {
      rx.add(c->evaluation.objectives[a]);
      ry.add(c->evaluation.objectives[b]);
    }
    rx.pad();
    ry.pad();
    auto X = [&](double v) { return px + rx.frac(v) * pw; };
    auto Y = [&](double v) { return py + ph - ry.frac(v) * ph; };
    for (int t = 0; t <= 4; ++t) {  // ticks
      double fx = rx.lo + (rx.hi - rx.lo) * t / 4, fy = ry.lo + (ry.hi - ry.lo) * t / 4;
      s += fmt::format("<line x1=\"{0:.2f}\" y1=\"{1:.2f}\" x2=\"{0:.2f}\" y2=\"{2:.2f}\" stroke=\"#444\"/>",
                       X(fx), py + ph, py + ph + 4);
      s += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"middle\">{:.3g}</text>\n", X(fx),
                       py + ph + 16, fx);
      s += fmt::format("<line x1=\"{0:.2f}\" y1=\"{2:.2f}\" x2=\"{1:.2f}\" y2=\"{2:.2f}\" stroke=\"#444\"/>",
                       px - 4, px, Y(fy));
      s += fmt::format("<text x=\"{:.2f}\" y=\"{:.2f}\" text-anchor=\"end\">{:.3g}</text>\n", px - 6,
                       Y(fy) + 4, fy);
    }
    for (const Candidate* c : feasible)
      if (!on_front.count(c->id))
        s += fmt::format("<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"2\" fill=\"#999\" fill-opacity=\"0.5\"/>\n",
                         X(c->evaluation.objectives[a]), Y(c->evaluation.objectives[b]));
    if (m == 2) {  // the 2-objective front as a staircase
      std::vector<std::pair<double, double>> pts;
      for (auto id : in.front)
        pts.emplace_back(in.candidates[id].evaluation.objectives[0],
                         in.candidates[id].evaluation.objectives[1]);
      std::sort(pts.begin(), pts.end());
      std::string path;
      for (std::size_t k = 0; k < pts.size(); ++k) {
        if (k) path += fmt::format(" L{:.2f},{:.2f}", X(pts[k].first), Y(pts[k - 1].second));
        path += fmt::format("{}{:.2f},{:.2f}", k ? " L" : "M", X(pts[k].first), Y(pts[k].second));
      }
      if (!path.empty())
        s += "<path d=\"" + path + "\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1\"/>\n";
    }
    for (auto id : in.front) {
      const auto& f = in.candidates[id].evaluation.objectives;
      s += fmt::format(
          "<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"3.5\" fill=\"#1f77b4\"><title>#{} {}</title></circle>\n",
          X(f[a]), Y(f[b]), id, xml(in.candidates[id].key));
    }
    for (auto id : in.finalists) {
      if (id >= in.candidates.size() || !in.candidates[id].evaluation.feasible()) continue;
      const auto& f = in.candidates[id].evaluation.objectives;
      s += fmt::format(
          "<circle cx=\"{:.2f}\" cy=\"{:.2f}\" r=\"6.5\" fill=\"none\" stroke=\"#d62728\" "
          "stroke-width=\"2\"/>\n",
          X(f[a]), Y(f[b]));
    }
    s += "</g>\n";
  }
  const double ly = height - kLegendH / 2;
  s += fmt::format(
      "<circle cx=\"16\" cy=\"{0}\" r=\"2\" fill=\"#999\"/><text x=\"24\" y=\"{1}\">feasible "
      "candidate</text>\n"
      "<circle cx=\"146\" cy=\"{0}\" r=\"3.5\" fill=\"#1f77b4\"/><text x=\"154\" y=\"{1}\">Pareto "
      "front</text>\n"
      "<circle cx=\"256\" cy=\"{0}\" r=\"6.5\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>"
      "<text x=\"268\" y=\"{1}\">finalist</text>\n",
      ly, ly + 4);
  s += "</svg>\n";
  return s;
}

}  // namespace imc::nas
