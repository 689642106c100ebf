// evaluator = "lut": per-layer energy and latency, and the chip's area and leakage power, tabulated
// over a grid of the space's chip-setting genes (its hardware genes and network.weight_bits /
// network.activation_bits), built with the analytical model and stored as a JSON file reused across
// runs. A design's figures are interpolated: multilinear over the ordinal (numeric) genes between
// the neighbouring grid values, exact on the categorical genes and on grid values.
//
// A table entry is one layer of one network of the space (the network set: its name is a hash of its
// genes) at a grid point: its dynamic energy, and the latency it adds to the network (its end minus the
// latest end of its inputs), from the analytical model's per-layer report of that network run on the
// grid point's chip. A design sums its layers' energies, takes the longest path of their latency
// increments through the graph (as the FBNet-style latency tables of the NAS literature add layers'
// latencies, with parallel branches overlapping), adds the chip's leakage over that latency, and takes
// the chip's area: exact on grid points, and interpolated between them. Layers are not shared between
// networks by shape: in a pipelined schedule a layer's latency increment depends on its neighbours, so
// the table stays exact on grid points for every network (the price: one analytical run per network and
// grid point, and no reuse across networks). The validation (imcsim estimators) measures the error
// against SystemC.
//
// Entries are filled lazily: a network met for the first time at a grid point is run there with the
// analytical model and its layers tabulated; save() writes the grown table. The file is keyed by the space,
// the base chip, the mapping options and the grid (estimator_key); a file built for anything else is
// rejected.
#pragma once

#include <map>
#include <memory>
#include <set>

#include "nas/predictor/hardware_estimator.h"

namespace imc::nas::predictor {

class LayerLut : public HardwareEstimator {
 public:
  // Loads ctx.file when it exists (rejected when built for another space, chip or grid).
  explicit LayerLut(EstimatorContext ctx);

  std::optional<HardwareFigures> estimate(const Genome& genome, const arch::ArchSpec& spec,
                                          const workloads::Graph& graph, std::string& why) override;
  void save() override;
  const char* name() const override { return "lut"; }

  // One tabulated dimension: a gene that sets the chip, and the value indices of its grid.
  struct Dim {
    std::size_t gene = 0;
    bool ordinal = false;
    std::vector<int> grid;  // value indices, ascending
  };
  const std::vector<Dim>& dims() const { return dims_; }

  // A layer's dynamic energy and latency on a grid point's chip (tests: exact against the analytical
  // model's per-layer report); nullopt when the chip is invalid or the network does not map on it.
  struct LayerEntry {
    double energy_pj = 0;
    double latency_ns = 0;
  };
  std::optional<LayerEntry> layer_at_grid_point(const Genome& grid_genome, const workloads::Graph& graph,
                                                int node);
  // The interpolated figures of one layer of a design (the interpolation tests).
  std::optional<LayerEntry> layer_interpolated(const Genome& genome, const workloads::Graph& graph, int node);
  std::size_t entries() const { return layers_.size(); }

 private:
  struct ChipEntry {
    bool valid = false;
    double area_mm2 = 0;
    double leakage_mw = 0;
    bool known = false;  // area/leakage measured (from the first layer mapped on it)
  };
  struct Corner {
    Genome genome;
    std::string key;
    double weight = 0;
  };
  std::vector<Corner> corners(const Genome& genome) const;
  ChipEntry& chip(const Corner& c, arch::ArchSpec* spec_out);
  std::optional<LayerEntry> layer_entry(const Corner& c, const workloads::Graph& graph,
                                        const std::string& signature);
  // A layer interpolated over the corners where its network maps (weights renormalized).
  std::optional<LayerEntry> interpolated(const std::vector<Corner>& cs, const workloads::Graph& graph,
                                         const std::string& signature);
  // Runs `graph` on the grid point's chip (once per network and point) and tabulates its layers.
  void tabulate(const Corner& c, const workloads::Graph& graph);

  EstimatorContext ctx_;
  std::vector<Dim> dims_;
  nlohmann::json key_;
  std::map<std::string, ChipEntry> chips_;                   // corner key -> chip
  std::map<std::string, std::optional<LayerEntry>> layers_;  // layer signature | corner key
  std::set<std::string> tabulated_;                          // network name | corner key, run in this process
  bool dirty_ = false;
};

// The text that identifies a layer in the table (network name / layer name).
std::string layer_signature(const workloads::Graph& graph, int node);
std::vector<std::string> layer_signatures(const workloads::Graph& graph);  // every node's, in order

}  // namespace imc::nas::predictor
