// A tile's network interface (unit TileNic): executes the tile's Send and Recv ops (oldest ready first,
// unit.h). A Send packetizes its bits into the mesh and holds the interface until its last flit has been
// injected (back-pressure from a congested mesh holds it longer); it completes when its last flit
// reaches the destination tile. Any time beyond the idle-mesh latency (sim::noc_cycles) is a
// network_contention stall of the Send. A Recv writes the arrived bits into the tile's buffer
// (ceil(bits / buffer width) cycles) once it has space there.
#pragma once

#include "sim/systemc/mesh.h"
#include "sim/systemc/unit.h"

namespace imc::sim::systemc {

class NetworkInterface : public Unit, public MessageClient {
 public:
  NetworkInterface(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, OpTracker& tracker,
                   Mesh& mesh);

  void injected(int tag, std::int64_t cycle) override;
  void delivered(int tag, std::int64_t cycle) override;

 protected:
  Timing begin(int id, const mapping::Op& op, std::int64_t now) override;
  void finished(int id, const mapping::Op& op, std::int64_t now) override;

 private:
  Mesh& mesh_;
};

}  // namespace imc::sim::systemc
