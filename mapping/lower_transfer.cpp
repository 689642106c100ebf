// lower()'s data movement (see lowerer.h): NoC and DRAM transfers between tiles, gathering a
// chunk's inputs from the tiles holding its producers' chunks, and network inputs and outputs.
#include <algorithm>
#include <map>
#include <stdexcept>

#include "mapping/lowerer.h"

namespace imc::mapping::detail {

using arch::Action;

int Lowerer::emit(Op op) {
  for (int d : op.deps)
    if (d < 0 || d >= int(p_.ops.size())) throw std::logic_error("lower: dependency on a later op");
  std::sort(op.deps.begin(), op.deps.end());
  op.deps.erase(std::unique(op.deps.begin(), op.deps.end()), op.deps.end());
  p_.ops.push_back(std::move(op));
  return int(p_.ops.size()) - 1;
}

void Lowerer::add_dram_staging(Op& op, std::int64_t bits, bool to_chip) const {
  op.actions[Action::OffchipBit] += bits;
  if (s_.global.buffer.capacity_bytes > 0) {
    op.actions[Action::GlobalBufWrite] += bits;
    op.actions[Action::GlobalBufRead] += bits;
  }
  op.actions[to_chip ? Action::TileBufWrite : Action::TileBufRead] += bits;
}

int Lowerer::transfer(int layer, int b, int src, int dst, std::int64_t bits, std::vector<int> deps,
                      bool via_dram) {
  if (bits <= 0 || (src == dst && !via_dram))
    return deps.empty() ? -1 : *std::max_element(deps.begin(), deps.end());
  if (via_dram) {
    Op w = make(OpType::DramWrite, layer, b, src, UnitKind::Dram);
    w.bits = bits;
    add_dram_staging(w, bits, false);
    w.deps = std::move(deps);
    const int wid = emit(std::move(w));
    Op r = make(OpType::DramRead, layer, b, dst, UnitKind::Dram);
    r.bits = bits;
    add_dram_staging(r, bits, true);
    r.deps = {wid};
    return emit(std::move(r));
  }
  Op send = make(OpType::Send, layer, b, src, UnitKind::TileNic);
  send.bits = bits;
  send.dst_tile = dst;
  send.hops = hops(src, dst);
  send.actions[Action::TileBufRead] += bits;
  send.actions[Action::NocFlitHop] += send_flits(bits) * send.hops;
  send.deps = std::move(deps);
  const int sid = emit(std::move(send));
  Op recv = make(OpType::Recv, layer, b, dst, UnitKind::TileNic);
  recv.bits = bits;
  recv.actions[Action::TileBufWrite] += bits;
  recv.deps = {sid};
  return emit(std::move(recv));
}

std::vector<int> Lowerer::gather_inputs(int node, int b, int j, int tile, std::int64_t frac_num,
                                        std::int64_t frac_den) {
  std::vector<int> ready;
  const workloads::Node& nd = g_.node(node);
  const int kc = chunks_[node];
  for (int in : nd.inputs) {
    const int p = resolve(in);
    const int kp = chunks_[p];
    const int lo = int(std::int64_t(j) * kp / kc);
    const int hi = needed_chunk(nd, j, kc, kp);
    const std::int64_t bits =
        share(g_.elements(in) * ib_, j, kc) * frac_num / std::max<std::int64_t>(1, frac_den);
    const bool via_dram = m_.layers[p].reload_group != m_.layers[node].reload_group;
    // Source tiles of producer chunks lo..hi, each sending an equal part.
    std::map<int, std::vector<int>> by_tile;
    for (int k = lo; k <= hi; ++k)
      by_tile[out_tile_[p][std::size_t(k)]].push_back(final_[b][p][std::size_t(k)]);
    std::int64_t part = 0, idx = 0;
    for (auto& [src, deps] : by_tile) {
      const std::int64_t bits_here = share(bits, idx++, std::int64_t(by_tile.size()));
      part += bits_here;
      const int r = transfer(node, b, src, tile, bits_here, deps, via_dram);
      if (r >= 0) ready.push_back(r);
      for (int d : deps) ready.push_back(d);
    }
  }
  for (int d : barrier_) ready.push_back(d);
  return ready;
}

void Lowerer::emit_output_write(int i, int b, int k) {
  Op w = make(OpType::DramWrite, i, b, out_tile_[i][std::size_t(k)], UnitKind::Dram);
  w.bits = share(g_.elements(i) * ib_, k, chunks_[i]);
  add_dram_staging(w, w.bits, false);
  w.deps = {final_[b][i][std::size_t(k)]};
  emit(std::move(w));
}

void Lowerer::lower_input_chunk(int i, int b, int k) {
  Op r = make(OpType::DramRead, i, b, std::max(0, home_[i]), UnitKind::Dram);
  r.bits = share(g_.elements(i) * ib_, k, chunks_[i]);
  add_dram_staging(r, r.bits, true);
  r.deps = barrier_;
  final_[b][i][std::size_t(k)] = emit(std::move(r));
}

}  // namespace imc::mapping::detail
