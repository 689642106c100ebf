#include "nas/predictor/layer_lut.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "arch/cost.h"
#include "common/config.h"
#include "common/run_dir.h"
#include "nas/decode.h"
#include "sim/analytical/estimate.h"

namespace imc::nas::predictor {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "imcsim-layer-lut-5";

bool sets_chip(const Gene& g) {
  return g.values.size() > 1 &&
         (g.group() == "hardware" || g.name == "network.weight_bits" || g.name == "network.activation_bits");
}

// `points` value indices evenly spaced over 0..n-1, both ends included.
std::vector<int> grid_indices(std::size_t n, std::size_t points) {
  if (n <= points) {
    std::vector<int> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = static_cast<int>(i);
    return all;
  }
  std::vector<int> out;
  for (std::size_t i = 0; i < points; ++i) {
    const int idx = static_cast<int>(std::lround(double(i) * double(n - 1) / double(points - 1)));
    if (out.empty() || out.back() != idx) out.push_back(idx);
  }
  return out;
}

}  // namespace

std::vector<std::string> layer_signatures(const workloads::Graph& graph) {
  // The network (its name is a hash of its genes, nas/search/evaluator.cpp) and the layer in it: a
  // layer's latency increment depends on its neighbours in a pipelined schedule, so a shape measured
  // in one network need not stand for the same shape in another (docs/estimators.md).
  std::vector<std::string> out;
  for (int i = 0; i < graph.size(); ++i) out.push_back(graph.name() + "/" + graph.node(i).name);
  return out;
}

std::string layer_signature(const workloads::Graph& graph, int node) {
  return layer_signatures(graph).at(std::size_t(node));
}

LayerLut::LayerLut(EstimatorContext ctx) : ctx_(std::move(ctx)) {
  const SearchSpace& space = *ctx_.space;
  nlohmann::json grid = nlohmann::json::object();
  for (std::size_t i = 0; i < space.size(); ++i) {
    const Gene& g = space.genes()[i];
    if (!sets_chip(g)) continue;
    Dim d;
    d.gene = i;
    d.ordinal = g.numeric();
    d.grid = d.ordinal ? grid_indices(g.values.size(), std::size_t(ctx_.options.lut_grid_points))
                       : grid_indices(g.values.size(), g.values.size());
    nlohmann::json values = nlohmann::json::array();
    for (int k : d.grid) values.push_back(g.values[std::size_t(k)].to_string());
    grid[g.name] = values;
    dims_.push_back(std::move(d));
  }
  key_ = estimator_key(ctx_, {{"format", kFormat}, {"grid", grid}});
  if (!fs::exists(ctx_.file)) return;
  nlohmann::json j;
  try {
    std::ifstream in(ctx_.file);
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw common::InputError(fmt::format("{}: not a lookup table ({})", ctx_.file, e.what()));
  }
  check_estimator_key(ctx_.file, j.value("key", nlohmann::json()), key_);
  for (const auto& [k, c] : j.at("chips").items())
    chips_[k] =
        ChipEntry{c.at(0).get<bool>(), c.at(1).get<double>(), c.at(2).get<double>(), c.at(3).get<bool>()};
  for (const auto& [k, e] : j.at("layers").items())
    layers_[k] = e.is_null() ? std::nullopt : std::optional<LayerEntry>(LayerEntry{e.at(0), e.at(1)});
}

void LayerLut::save() {
  if (!dirty_) return;
  nlohmann::json chips = nlohmann::json::object(), layers = nlohmann::json::object();
  for (const auto& [k, c] : chips_) chips[k] = {c.valid, c.area_mm2, c.leakage_mw, c.known};
  for (const auto& [k, e] : layers_)
    layers[k] = e ? nlohmann::json{e->energy_pj, e->latency_ns} : nlohmann::json();
  const nlohmann::json j = {{"format", kFormat}, {"key", key_}, {"chips", chips}, {"layers", layers}};
  if (const fs::path dir = fs::path(ctx_.file).parent_path(); !dir.empty()) fs::create_directories(dir);
  common::write_file_atomically(ctx_.file, j.dump());
  dirty_ = false;
}

std::vector<LayerLut::Corner> LayerLut::corners(const Genome& genome) const {
  std::vector<Corner> out{{genome, "", 1.0}};
  const SearchSpace& space = *ctx_.space;
  for (const Dim& d : dims_) {
    const int v = genome.at(d.gene);
    // (value index, weight) pairs of this dimension: the value itself when tabulated, else its two
    // neighbouring grid values weighted by distance (grid ends are always tabulated, so both exist).
    std::vector<std::pair<int, double>> options;
    const auto hi = std::lower_bound(d.grid.begin(), d.grid.end(), v);
    if (!d.ordinal || (hi != d.grid.end() && *hi == v)) {
      options.emplace_back(v, 1.0);
    } else {
      const int h = *hi, l = *(hi - 1);
      const auto& vals = space.genes()[d.gene].values;
      const double x = vals[std::size_t(v)].as_number(), xl = vals[std::size_t(l)].as_number(),
                   xh = vals[std::size_t(h)].as_number();
      const double t = (x - xl) / (xh - xl);
      options.emplace_back(l, 1.0 - t);
      options.emplace_back(h, t);
    }
    std::vector<Corner> next;
    for (const Corner& c : out)
      for (const auto& [idx, w] : options) {
        Corner n = c;
        n.genome[d.gene] = idx;
        if (!n.key.empty()) n.key.push_back(',');
        n.key.append(std::to_string(idx));
        n.weight *= w;
        next.push_back(std::move(n));
      }
    out = std::move(next);
  }
  return out;
}

LayerLut::ChipEntry& LayerLut::chip(const Corner& c, arch::ArchSpec* spec_out) {
  auto it = chips_.find(c.key);
  const bool known = it != chips_.end();
  if (known && !it->second.valid) return it->second;
  try {
    arch::ArchSpec spec = decode_hardware(ctx_.base, *ctx_.space, c.genome, ctx_.tech_dir);
    if (spec_out) *spec_out = std::move(spec);
    if (!known) {
      it = chips_.emplace(c.key, ChipEntry{true, 0, 0, false}).first;
      dirty_ = true;
    }
  } catch (const DecodeError&) {
    it = chips_.insert_or_assign(c.key, ChipEntry{false, 0, 0, true}).first;
    dirty_ = true;
  }
  return it->second;
}

void LayerLut::tabulate(const Corner& c, const workloads::Graph& graph) {
  const std::string run = graph.name() + "|" + c.key;  // the network's hash name: one run per grid point
  if (tabulated_.count(run)) return;
  tabulated_.insert(run);
  arch::ArchSpec spec;
  ChipEntry& ch = chip(c, &spec);
  if (!ch.valid) return;
  try {
    const sim::Estimate e =
        sim::estimate(spec, arch::cost::build(spec), graph, ctx_.mapping, sim::EstimateDetail::Layers);
    // Every node, the input's transfer onto the chip included; nodes the report has no layer for
    // (folded into another, e.g. a batch norm) cost nothing. A layer's latency is what it adds to the
    // network's: its end minus the latest end of its inputs (layers overlap in a pipelined schedule, so
    // their start-to-end spans do not add up; these increments do, exactly along a chain).
    std::vector<LayerEntry> figures(std::size_t(graph.size()));
    std::vector<std::int64_t> end(std::size_t(graph.size()), 0);
    std::vector<const sim::LayerReport*> layer(std::size_t(graph.size()), nullptr);
    for (const sim::LayerReport& l : e.report.layers)
      if (const int node = graph.find(l.name); node >= 0) layer[std::size_t(node)] = &l;
    for (int node = 0; node < graph.size(); ++node) {  // topological order
      std::int64_t ready = 0;
      for (int p : graph.node(node).inputs) ready = std::max(ready, end[std::size_t(p)]);
      const sim::LayerReport* l = layer[std::size_t(node)];
      end[std::size_t(node)] = l ? std::max(ready, l->end_cycle) : ready;
      if (l)
        figures[std::size_t(node)] =
            LayerEntry{l->energy_pj, double(end[std::size_t(node)] - ready) * spec.cycle_ns()};
    }
    // A shape met before keeps its first figures (other networks around it change them slightly).
    const std::vector<std::string> sigs = layer_signatures(graph);
    for (std::size_t node = 0; node < sigs.size(); ++node)
      layers_.emplace(sigs[node] + "|" + c.key, figures[node]);
    if (!ch.known) {  // area and leakage are the chip's
      ch.area_mm2 = e.report.area_mm2;
      ch.leakage_mw = e.report.latency_ns > 0 ? e.report.leakage_energy_pj / e.report.latency_ns : 0;
      ch.known = true;
    }
  } catch (const common::InputError&) {  // the network does not map on this grid point's chip
  }
  dirty_ = true;
}

std::optional<LayerLut::LayerEntry> LayerLut::layer_entry(const Corner& c, const workloads::Graph& graph,
                                                          const std::string& signature) {
  const std::string k = signature + "|" + c.key;
  auto it = layers_.find(k);
  if (it == layers_.end()) {
    tabulate(c, graph);
    it = layers_.find(k);
  }
  if (it == layers_.end()) return std::nullopt;
  return it->second;
}

std::optional<LayerLut::LayerEntry> LayerLut::layer_at_grid_point(const Genome& grid_genome,
                                                                  const workloads::Graph& graph, int node) {
  const std::vector<Corner> cs = corners(grid_genome);
  if (cs.size() != 1) throw std::invalid_argument("layer_at_grid_point: the genome is not on the grid");
  return layer_entry(cs.front(), graph, layer_signature(graph, node));
}

std::optional<LayerLut::LayerEntry> LayerLut::layer_interpolated(const Genome& genome,
                                                                 const workloads::Graph& graph, int node) {
  return interpolated(corners(genome), graph, layer_signature(graph, node));
}

std::optional<LayerLut::LayerEntry> LayerLut::interpolated(const std::vector<Corner>& cs,
                                                           const workloads::Graph& graph,
                                                           const std::string& signature) {
  LayerEntry sum;
  double weight = 0;
  for (const Corner& c : cs)
    if (const auto e = layer_entry(c, graph, signature)) {
      sum.energy_pj += c.weight * e->energy_pj;
      sum.latency_ns += c.weight * e->latency_ns;
      weight += c.weight;
    }
  if (weight <= 0) return std::nullopt;
  return LayerEntry{sum.energy_pj / weight, sum.latency_ns / weight};
}

std::optional<HardwareFigures> LayerLut::estimate(const Genome& genome, const arch::ArchSpec& spec,
                                                  const workloads::Graph& graph, std::string& why) {
  (void)spec;  // the table's grid chips stand for it
  const std::vector<Corner> cs = corners(genome);
  // Each layer is interpolated over the corners where it maps (weights renormalized), the chip's area
  // and leakage over the valid corners.
  HardwareFigures f;
  double leakage_mw = 0, chip_weight = 0;
  for (const Corner& c : cs) {
    tabulate(c, graph);
    const ChipEntry& ch = chips_[c.key];
    if (ch.valid && ch.known) {
      f.area_mm2 += c.weight * ch.area_mm2;
      leakage_mw += c.weight * ch.leakage_mw;
      chip_weight += c.weight;
    }
  }
  if (chip_weight <= 0) {
    why = "the network maps on no neighbouring table point";
    return std::nullopt;
  }
  f.area_mm2 /= chip_weight;
  leakage_mw /= chip_weight;
  // Energy adds up over the layers; latency is the longest path of the layers' increments through
  // the graph (parallel branches, e.g. a residual block's shortcut, overlap).
  double dynamic_pj = 0;
  const std::vector<std::string> sigs = layer_signatures(graph);
  std::vector<double> end_ns(std::size_t(graph.size()), 0.0);
  for (int i = 0; i < graph.size(); ++i) {
    const auto e = interpolated(cs, graph, sigs[std::size_t(i)]);
    if (!e) {
      why = fmt::format("layer '{}' maps at no neighbouring table point", graph.node(i).name);
      return std::nullopt;
    }
    dynamic_pj += e->energy_pj;
    double ready = 0;
    for (int p : graph.node(i).inputs) ready = std::max(ready, end_ns[std::size_t(p)]);
    end_ns[std::size_t(i)] = ready + e->latency_ns;
    f.latency_ns = std::max(f.latency_ns, end_ns[std::size_t(i)]);
  }
  f.energy_pj = dynamic_pj + leakage_mw * f.latency_ns;  // mW x ns = pJ
  return f;
}

}  // namespace imc::nas::predictor
