#include "nas/predictor/accuracy_prescreen.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "common/rank_correlation.h"
#include "nas/predictor/design_features.h"

namespace imc::nas::predictor {
namespace fs = std::filesystem;

namespace {

std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * double(i + j);  // average rank of the tie
    i = j + 1;
  }
  return r;
}

std::string csv_value(const std::optional<double>& v) {
  return v ? fmt::format("{:.4f}", *v) : "";
}

}  // namespace

std::optional<double> spearman_rho(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  if (n < 2) return std::nullopt;
  const std::vector<double> ra = ranks(std::vector<double>(a.begin(), a.begin() + long(n)));
  const std::vector<double> rb = ranks(std::vector<double>(b.begin(), b.begin() + long(n)));
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / double(n);
  const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / double(n);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  if (saa == 0 || sbb == 0) return std::nullopt;
  return sab / std::sqrt(saa * sbb);
}

AccuracyPrescreen::AccuracyPrescreen(const SearchSpace& space, const EstimatorOptions& options,
                                     std::string csv_path)
    : space_(space), options_(options), csv_path_(std::move(csv_path)) {}

std::optional<double> AccuracyPrescreen::predict(const Genome& genome) const {
  if (!trained_) return std::nullopt;
  return model_.predict_one(genome_features(space_, genome));
}

std::vector<bool> AccuracyPrescreen::select(const std::vector<Genome>& proposals) {
  current_ = PrescreenRow{};
  current_.batch = rows_.size();
  current_.trained_on = y_.size();
  current_.proposed = proposals.size();
  std::vector<bool> keep(proposals.size(), true);
  if (!active() || !trained_ || y_.size() < std::size_t(options_.prescreen_warmup)) return keep;
  std::vector<std::size_t> open;  // never measured: the screen decides
  for (std::size_t i = 0; i < proposals.size(); ++i)
    if (!seen_.count(proposals[i])) open.push_back(i);
  std::vector<double> predicted(proposals.size(), 0.0);
  for (std::size_t i : open) predicted[i] = *predict(proposals[i]);
  std::stable_sort(open.begin(), open.end(),
                   [&](std::size_t a, std::size_t b) { return predicted[a] > predicted[b]; });
  const std::size_t kept = std::size_t(std::ceil(options_.prescreen_keep * double(open.size())));
  for (std::size_t k = kept; k < open.size(); ++k) keep[open[k]] = false;
  current_.screened_out = open.size() - std::min(kept, open.size());
  return keep;
}

void AccuracyPrescreen::observe(const std::vector<Genome>& genomes, const std::vector<double>& accuracies) {
  current_.measured = genomes.size();
  if (trained_ && !genomes.empty()) {  // held out: the model has not seen these yet
    std::vector<double> predicted;
    for (const Genome& g : genomes) predicted.push_back(*predict(g));
    // Kendall tau-b (the same sign whether higher or lower is better, as long as both agree).
    current_.kendall_tau = common::kendall_tau_b(predicted, accuracies);
    current_.spearman = spearman_rho(predicted, accuracies);
  }
  rows_.push_back(current_);
  if (!csv_path_.empty()) {
    const bool fresh = !fs::exists(csv_path_);
    std::ofstream out(csv_path_, std::ios::app);
    if (fresh) out << "batch,trained_on,proposed,screened_out,measured,kendall_tau,spearman\n";
    out << fmt::format("{},{},{},{},{},{},{}\n", current_.batch, current_.trained_on, current_.proposed,
                       current_.screened_out, current_.measured, csv_value(current_.kendall_tau),
                       csv_value(current_.spearman));
  }
  for (std::size_t i = 0; i < genomes.size(); ++i) {
    if (!seen_.insert(genomes[i]).second) continue;
    x_.add_row(genome_features(space_, genomes[i]));
    y_.push_back(accuracies[i]);
  }
  if (active() && y_.size() >= 4) {
    TreeSettings s;  // few samples (tens to hundreds): shallow trees, few rounds
    s.trees = 100;
    s.max_depth = 4;
    s.seed = std::uint64_t(options_.seed);
    model_.fit(x_, y_, s);
    trained_ = true;
  }
}

}  // namespace imc::nas::predictor
