// The order in which the lowering (mapping/lowering.h) emits a network's ops, whichever sink
// receives them: lower() (mapping/lower.cpp) builds a Program, the analytical walk
// (sim/analytical/walk.h) times the ops as they come. The node facts the lowering rests on (folded
// nodes, vectors, halos) are here too.
//
// Per reload group: its weights (when groups reload), then per inference either the wavefront
// order (chunks round-robin over the nodes as their inputs exist) or node by node (pipeline and
// layer schedules, and any group with a layer larger than the chip).
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "mapping/mapping.h"
#include "workloads/graph.h"

namespace imc::mapping {

// Node i emits no op: a reshape, or a norm folded into the weights of the layer before it.
inline bool is_folded(const workloads::Graph& g, int i) {
  using workloads::OpKind;
  const workloads::Node& nd = g.node(i);
  if (nd.op == OpKind::Reshape) return true;
  if (nd.op == OpKind::BatchNorm && !nd.inputs.empty()) {
    const OpKind prev = g.node(nd.inputs[0]).op;
    return prev == OpKind::Conv2d || prev == OpKind::Linear;
  }
  return false;
}
// Vectors (the unit chunks are cut in) of an output shape.
inline std::int64_t vectors_of(const std::vector<std::int64_t>& shape) {
  if (shape.size() <= 1) return 1;
  if (shape.size() == 3) return shape[1] * shape[2];  // [C, H, W]: one vector per pixel
  std::int64_t v = 1;                                 // [.., tokens, features]
  for (std::size_t i = 0; i + 1 < shape.size(); ++i) v *= shape[i];
  return v;
}
// Whether a consumer chunk also reads the next producer chunk (a window straddling the cut).
inline bool reads_halo(const workloads::Node& nd) {
  using workloads::OpKind;
  return (nd.op == OpKind::Conv2d || nd.op == OpKind::MaxPool || nd.op == OpKind::AvgPool) &&
         (nd.kernel_h > 1 || nd.kernel_w > 1);
}
// The last of a producer's kp chunks that chunk j of kc chunks of a consumer reads; halo = 1 when
// the consumer reads_halo().
inline int needed_chunk(int halo, int j, int kc, int kp) {
  if (kp == kc) return std::min(j + halo, kp - 1);  // the usual case, without a division
  const int hi = int((std::int64_t(j + 1) * kp + kc - 1) / kc) - 1 + halo;
  return std::min(hi, kp - 1);
}
inline int needed_chunk(const workloads::Node& nd, int j, int kc, int kp) {
  return needed_chunk(reads_halo(nd) ? 1 : 0, j, kc, kp);
}

// An emitter E provides (b: inference, k: chunk):
//   int chunks(int i) const;        chunks of node i
//   int resolve(int i) const;       node i past reshapes and folded norms
//   bool aliased(int i) const;      node i emits nothing (a reshape or folded norm)
//   bool has_consumer(int i) const; false for a network output (its chunks go back to DRAM)
//   void weight_writes(int i, int pass);
//   void begin_node(int i, int b);
//   void input_chunk(int i, int b, int k);
//   void crossbar_chunk(int i, int b, int k);            copy k % duplication
//   void pass_chunk(int i, int b, int k, int pass);      after the chunk's previous pass
//   void digital_chunk(int i, int b, int k);
//   void output_write(int i, int b, int k);
//   void layer_barrier(int i, int b);                    layer schedule: node i of b is done
template <class E>
class EmissionOrder {
 public:
  EmissionOrder(const workloads::Graph& g, const Mapping& m, E& e)
      : g_(g),
        m_(m),
        e_(e),
        wavefront_(m.options.schedule == Schedule::Wavefront),
        layer_(m.options.schedule == Schedule::Layer) {}

  void run() {
    const int n = g_.size();
    for (int grp = 0; grp < m_.reload_groups; ++grp) {
      if (m_.reload_groups > 1) emit_weight_reload(grp);
      nodes_.clear();
      bool has_passes = false;
      for (int i = 0; i < n; ++i)
        if (m_.layers[std::size_t(i)].reload_group == grp && !e_.aliased(i)) {
          nodes_.push_back(i);
          has_passes |= m_.layers[std::size_t(i)].passes > 1;
        }
      if (nodes_.empty()) continue;
      for (int b = 0; b < m_.options.batch; ++b) {
        if (wavefront_ && !has_passes)
          emit_group_wavefront(b);
        else
          for (int i : nodes_) emit_node(i, b);
      }
    }
  }

 private:
  void emit_weight_reload(int grp) {
    for (int i = 0; i < g_.size(); ++i) {
      const LayerPlacement& l = m_.layers[std::size_t(i)];
      if (l.on_crossbars && l.reload_group == grp && l.passes == 1) e_.weight_writes(i, 0);
    }
  }

  // One chunk of a node (not a multi-pass layer), and its write-back when it is a network output.
  void emit_chunk(int i, int b, int k) {
    if (g_.node(i).op == workloads::OpKind::Input) {
      e_.input_chunk(i, b, k);
      return;
    }
    if (m_.layers[std::size_t(i)].on_crossbars)
      e_.crossbar_chunk(i, b, k);
    else
      e_.digital_chunk(i, b, k);
    if (!e_.has_consumer(i)) e_.output_write(i, b, k);
  }

  // All chunks of a node, then the next node; the layer schedule also makes each node wait for the
  // previous one to finish. A layer larger than the chip: per pass, program that part of the
  // weights, then run every chunk through it; a chunk is done when its last pass is.
  void emit_node(int i, int b) {
    e_.begin_node(i, b);
    const LayerPlacement& l = m_.layers[std::size_t(i)];
    const int K = e_.chunks(i);
    if (l.on_crossbars && l.passes > 1) {
      for (int pass = 0; pass < l.passes; ++pass) {
        e_.weight_writes(i, pass);
        for (int k = 0; k < K; ++k) e_.pass_chunk(i, b, k, pass);
      }
      if (!e_.has_consumer(i))
        for (int k = 0; k < K; ++k) e_.output_write(i, b, k);
    } else {
      for (int k = 0; k < K; ++k) emit_chunk(i, b, k);
    }
    if (layer_) e_.layer_barrier(i, b);
  }

  // Wavefront schedule: like pipeline, but chunks are emitted round-robin over the nodes, each
  // emitting its next chunk as soon as the producer chunks it needs exist, so the in-order unit
  // streams of a tile interleave the layers it hosts (a layer's later chunks do not queue ahead of
  // the next layer's first ones; see docs/systemc.md for when each order is faster).
  void emit_group_wavefront(int b) {
    next_.assign(std::size_t(g_.size()), 0);
    for (int i : nodes_) e_.begin_node(i, b);
    const int group = m_.layers[std::size_t(nodes_.front())].reload_group;
    auto emitted = [&](int p) {  // chunks of producer p that exist for inference b
      if (m_.layers[std::size_t(p)].reload_group != group) return e_.chunks(p);
      return next_[std::size_t(p)];
    };
    bool progress = true;
    while (progress) {
      progress = false;
      for (int i : nodes_) {
        const int k = next_[std::size_t(i)];
        const int kc = e_.chunks(i);
        if (k >= kc) continue;
        const workloads::Node& nd = g_.node(i);
        bool ready = true;
        for (int in : nd.inputs) {
          const int p = e_.resolve(in);
          if (emitted(p) <= needed_chunk(nd, k, kc, e_.chunks(p))) ready = false;
        }
        if (!ready) continue;
        emit_chunk(i, b, k);
        next_[std::size_t(i)]++;
        progress = true;
      }
    }
    for (int i : nodes_)
      if (next_[std::size_t(i)] != e_.chunks(i)) throw std::logic_error("lower: pipelined emission stalled");
  }

  const workloads::Graph& g_;
  const Mapping& m_;
  E& e_;
  const bool wavefront_, layer_;
  std::vector<int> nodes_;  // of the current reload group, in graph order
  std::vector<int> next_;   // wavefront: next chunk of each node
};

template <class E>
void emit_in_order(const workloads::Graph& g, const Mapping& m, E& e) {
  EmissionOrder<E>(g, m, e).run();
}

}  // namespace imc::mapping
