// Helpers of the SystemC tests. SystemC elaborates once per process, so every scenario that builds
// modules runs in a forked child (in_child) and sends back what it measured as JSON; the checks run
// in the parent. Programs are built by hand here so that each expectation is worked out in the test.
#pragma once

#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "arch/load.h"
#include "common/children.h"
#include "mapping/program.h"

namespace imc::test {

// Runs `f` in a child process (common/children.h) and returns the JSON it produced; a child that
// throws or dies makes this throw (with the child's message).
inline nlohmann::json in_child(const std::function<nlohmann::json()>& f) {
  return common::run_in_children(std::vector<int>{0}, [&](int) { return f(); }).at(0).value();
}

// A small chip: mesh_x x mesh_y routers (one tile each), `pes` PEs of one 128x128 crossbar, 1 GHz,
// 10-cycle reads, 8 columns per 1 GS/s ADC. Buffers (bytes) and NoC parameters as given.
struct TestChip {
  int mesh_x = 1, mesh_y = 1, tiles_per_router = 1, pes = 2;
  long pe_in_bytes = 1 << 20, tile_buf_bytes = 1 << 22, tile_out_bytes = 1 << 22, global_bytes = 0;
  int flit_bits = 32, link_flits_per_cycle = 1, router_buffer_flits = 8, packet_payload_flits = 16;
  int router_latency = 2, link_latency = 1;
  std::string routing = "xy", flow_control = "wormhole";
};

inline arch::ArchSpec test_arch(const TestChip& c) {
  auto buf = [](long bytes, int width) {
    return "{ capacity_bytes = " + std::to_string(bytes) + ", width_bits = " + std::to_string(width) +
           ", technology = \"sram\" }";
  };
  const std::string t =
      "[chip]\nclock_ghz = 1.0\nnode_nm = 32\ntech = \"32nm\"\n"
      "[precision]\nweight_bits = 8\ninput_bits = 8\naccumulator_bits = 24\n"
      "[device]\nbits_per_cell = 2\nread_pulse_ns = 10\n"
      "[crossbar]\nrows = 128\ncols = 128\nsigned_scheme = \"differential\"\n"
      "[dac]\nbits = 1\n"
      "[adc]\nbits = 6\ncols_per_adc = 8\nrate_gsps = 1.0\n"
      "[pe]\ncrossbars = 1\nshift_add_units = 16\ninput_buffer = " +
      buf(c.pe_in_bytes, 128) + "\n[tile]\npes = " + std::to_string(c.pes) +
      "\nbus_width_bits = 256\nbuffer = " + buf(c.tile_buf_bytes, 256) +
      "\noutput_buffer = " + buf(c.tile_out_bytes, 128) + "\n[noc]\nmesh_x = " + std::to_string(c.mesh_x) +
      "\nmesh_y = " + std::to_string(c.mesh_y) +
      "\ntiles_per_router = " + std::to_string(c.tiles_per_router) +
      "\nports = " + std::to_string(4 + c.tiles_per_router) + "\nflit_bits = " + std::to_string(c.flit_bits) +
      "\nlink_flits_per_cycle = " + std::to_string(c.link_flits_per_cycle) +
      "\nrouter_buffer_flits = " + std::to_string(c.router_buffer_flits) +
      "\npacket_payload_flits = " + std::to_string(c.packet_payload_flits) +
      "\nrouter_latency_cycles = " + std::to_string(c.router_latency) +
      "\nlink_latency_cycles = " + std::to_string(c.link_latency) + "\nrouting = \"" + c.routing +
      "\"\nflow_control = \"" + c.flow_control +
      "\"\n"
      "[global]\ncapacity_bytes = " +
      std::to_string(c.global_bytes) +
      "\nwidth_bits = 512\n"
      "[offchip]\nkind = \"lpddr4\"\nlinks = 1\n";
  const char* root = std::getenv("IMCSIM_ROOT");
  return arch::load_arch_string(t, "test_chip.toml", std::string(root ? root : ".") + "/configs/arch");
}

// An empty Program shaped like the spec, with one layer per name.
inline mapping::Program empty_program(const arch::ArchSpec& s, std::initializer_list<const char*> layers) {
  mapping::Program p;
  p.workload = "hand";
  p.tiles = s.tiles();
  p.pes_per_tile = s.tile.pes;
  p.mesh_x = s.noc.mesh_x;
  p.mesh_y = s.noc.mesh_y;
  p.tiles_per_router = s.noc.tiles_per_router;
  for (const char* n : layers) {
    mapping::LayerInfo l;
    l.name = n;
    l.op = "hand";
    p.layers.push_back(l);
  }
  return p;
}

inline int add(mapping::Program& p, mapping::Op op) {
  p.ops.push_back(std::move(op));
  return int(p.ops.size()) - 1;
}

inline mapping::Op op_of(mapping::OpType type, mapping::UnitKind unit, int tile, int layer = 0) {
  mapping::Op op;
  op.type = type;
  op.unit = unit;
  op.tile = tile;
  op.layer = layer;
  return op;
}

// An Mvm of `vectors` vectors on one PE, 8 slices, one read per slice, 8 columns per ADC.
inline mapping::Op mvm(int tile, int pe, std::int64_t vectors, std::vector<int> deps = {}, int layer = 0) {
  mapping::Op op = op_of(mapping::OpType::Mvm, mapping::UnitKind::Pe, tile, layer);
  op.pe = pe;
  op.vectors = vectors;
  op.slices = 8;
  op.reads_per_slice = 1;
  op.cols_per_adc_used = 8;
  op.actions[arch::Action::XbarRead] = vectors * 8;
  op.actions[arch::Action::AdcConversion] = vectors * 8 * 128;
  op.deps = std::move(deps);
  return op;
}

// A Send of `bits` from src to dst and its Recv (returns the Recv's id).
inline int transfer(mapping::Program& p, int src, int dst, std::int64_t bits, std::vector<int> deps = {},
                    int layer = 0) {
  mapping::Op s = op_of(mapping::OpType::Send, mapping::UnitKind::TileNic, src, layer);
  s.bits = bits;
  s.dst_tile = dst;
  s.hops = std::abs(p.router_x(src) - p.router_x(dst)) + std::abs(p.router_y(src) - p.router_y(dst)) + 1;
  s.actions[arch::Action::TileBufRead] = bits;
  s.deps = std::move(deps);
  const int sid = add(p, s);
  mapping::Op r = op_of(mapping::OpType::Recv, mapping::UnitKind::TileNic, dst, layer);
  r.bits = bits;
  r.actions[arch::Action::TileBufWrite] = bits;
  r.deps = {sid};
  return add(p, r);
}

}  // namespace imc::test
