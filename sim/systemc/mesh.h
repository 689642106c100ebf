// The on-chip mesh: routers, links, injection and ejection ports, dimension-order routing (xy or yx,
// spec.noc.routing), wormhole or virtual cut-through flow control (spec.noc.flow_control) with
// finite router input buffers (spec.noc.router_buffer_flits per input port).
//
// Granularity: packets, with times kept in flit slots (1 slot = 1 / link_flits_per_cycle cycles)
// so that serialization is exact. A message of `bits` becomes noc_packets(bits) packets of up to
// packet_payload_flits payload flits plus one head flit each (sim::noc_flits). Every channel
// (injection port, router-to-router link, ejection port) is a reservation: a packet's head
// acquires it hop by hop (one event per packet per router) in arrival order, and holds it until
// its tail has passed. Its path of h routers: injection (0 latency), router pipeline R, link L,
// ..., router R, ejection (0 latency). On an idle mesh a message's tail reaches its destination
// h*R + (h-1)*L + ceil(flits / link_flits_per_cycle) cycles after injection starts:
// sim::noc_cycles exactly.
//
// Back-pressure (wormhole): a head blocked at channel k keeps flits flowing into the router input
// buffers behind it until they are full; a channel upstream is released when the packet's next
// flit slot could pass it. With g_p the time the head acquired the channel at path position p,
// D_p the idle-mesh offset of that position and Bf the buffer depth in flits, channel j is free
// for the next packet at  max over m = 0..floor(f/Bf) of  g_{j+m} - (D_{j+m} - D_j) + f - m*Bf
// (the max-plus solution of the flit recurrence "a flit enters buffer k only when the flit Bf
// ahead of it has left"); it is final once the head is floor(f/Bf) hops further or has arrived.
// A release confirmed after it happened still takes effect at its true slot (the next packet is
// granted then), so packet times stay exact; only a NIC learns late that it may inject again.
// Virtual cut-through: in addition, a head acquires a channel only when the downstream buffer
// will have room for the whole packet (min(f, Bf) flits): each flit of an earlier packet frees its
// slot as it moves on (flit j of a packet that acquired the next channel at g' frees at
// g' - R - L + j, counting the router pipeline and link as in flight, the same convention as the
// wormhole rule, so a free-flowing stream never waits), and a packet still blocked frees nothing.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <systemc>
#include <utility>
#include <vector>

#include "sim/systemc/sim_spec.h"
#include "sim/systemc/stats.h"

namespace imc::sim::systemc {

// Who is told about a message's progress (a network interface, or a test harness).
class MessageClient {
 public:
  virtual ~MessageClient() = default;
  virtual void injected(int tag, std::int64_t cycle) = 0;   // its last flit left the source port
  virtual void delivered(int tag, std::int64_t cycle) = 0;  // its last flit reached the destination
};

class Mesh;

// One router: the process that handles packet heads arriving at its input ports (each requests
// its output). Arbitration state lives with the channels in Mesh.
class Router : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Router);
  Router(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, Mesh& mesh);

  void head_at(int packet, std::int64_t cycle);
  std::int64_t heads() const { return heads_; }

 private:
  void step();
  const SimSpec& spec_;
  Stats& stats_;
  Mesh& mesh_;
  sc_core::sc_event wake_;
  Calendar<int> agenda_;  // packet heads due
  std::int64_t heads_ = 0;
};

class Mesh : public sc_core::sc_module {
 public:
  Mesh(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, int mesh_x, int mesh_y,
       int tiles_per_router);

  // Starts injecting `bits` from src_tile towards dst_tile now. The client hears injected() and
  // delivered() with the cycles (possibly still in the future when it is told).
  void send(int src_tile, int dst_tile, std::int64_t bits, MessageClient* client, int tag);

  int tiles() const { return tiles_; }
  int hops(int src_tile, int dst_tile) const;  // routers on the path
  const NocStats& stats() const { return stats_.noc; }
  std::int64_t link_busy_slots() const;  // flit slots used, summed over router-to-router links
  int links() const;                     // router-to-router links that exist
  int flits_per_cycle() const { return B_; }
  // Records (grant slot, flits) of every router-to-router link grant (utilization traces).
  void log_links(std::vector<std::pair<std::int64_t, int>>* log) { link_log_ = log; }

  // From routers' processes.
  void on_head(int packet);

 private:
  struct Channel {
    int down_router = -1;   // router it leads to (-1: ejection to a tile)
    std::int64_t lat = 0;   // wire latency in slots
    bool vct_gate = false;  // VCT and the channel feeds a router input buffer
    struct Occupant {
      int packet;
      int flits;
      std::int64_t leaves;  // slot its first flit frees its place (kNever: not known yet)
    };
    std::vector<Occupant> occupants;  // packets in (or entering) the downstream buffer
    std::int64_t free_at = 0;         // slot from which the next packet may pass (when no holder)
    int holder = -1;                  // packet whose release is not final yet
    std::deque<std::pair<int, std::int64_t>> waiters;  // (packet, request slot), FIFO
    std::int64_t busy_slots = 0;
    bool is_link = false;
    bool is_injection = false;
  };
  struct Hold {
    int ch;
    int pos;
    std::int64_t g, D, release;
  };
  struct Packet {
    int msg = -1;
    int flits = 0;
    int dst_tile = 0;
    int h = 0;                // routers on its path; channel positions 0..h
    int pos = 0;              // path position of next_ch
    int next_ch = -1;         // the channel its head requests next
    int prev_ch = -1;         // the channel it entered its current router's buffer through
    std::int64_t q = 0;       // request slot for next_ch
    std::int64_t D = 0;       // idle-mesh offset of position pos
    std::vector<Hold> holds;  // channels held, release not final yet (oldest first; a few)
  };
  // Packets are created one at a time, when the previous one has left the injection port (the
  // only moment the next could start), so a long message costs one live packet, not thousands.
  struct Message {
    MessageClient* client = nullptr;
    int tag = 0;
    int src_tile = 0, dst_tile = 0, h = 0;
    std::int64_t q0 = 0;            // injection request slot
    std::int64_t next_q = 0;        // when the next packet may enter the injection port
    std::int64_t payload_left = 0;  // payload flits not yet packetized
    int packets = 0, injected = 0, delivered = 0;
    std::int64_t tail = 0;
  };

  int router_of_tile(int t) const { return t / tpr_; }
  int link(int router, int dir) const { return router * 4 + dir; }
  int ejection(int tile) const { return 4 * routers_n_ + tile; }
  int injection(int tile) const { return 4 * routers_n_ + tiles_ + tile; }
  int route(int router, int dst_tile) const;  // output channel at `router` towards dst_tile
  int need(const Packet& p) const { return std::min(p.flits, Bf_); }
  // VCT: earliest slot >= t at which the downstream buffer of `c` has room for `p` (kNever: it
  // depends on a packet that has not moved on yet).
  std::int64_t room_at(Channel& c, const Packet& p, std::int64_t t) const;
  std::int64_t cycle_of(std::int64_t slot) const { return (slot + B_ - 1) / B_; }

  void request(int ch, int packet, std::int64_t q);
  void grant(int ch, int packet, std::int64_t g);
  void release(int ch, std::int64_t at, int packet);
  void try_grant(int ch);
  void drain();
  int new_packet(int msg);  // the message's next packet, requesting the injection port
  int new_message();

  const SimSpec& spec_;
  Stats& stats_;
  int mx_, my_, tpr_, routers_n_, tiles_;
  int B_;           // flit slots per cycle
  int Bf_;          // router input buffer depth (flits)
  std::int64_t R_;  // router pipeline, slots
  bool vct_, xy_;
  std::vector<Channel> ch_;
  std::vector<std::unique_ptr<Router>> routers_;
  std::vector<Packet> packets_;
  std::vector<int> free_packets_;
  std::vector<Message> messages_;
  std::vector<int> free_messages_;
  std::deque<int> rearbitrate_;  // channels released, to offer to their waiters
  std::deque<int> next_packet_;  // messages whose next packet may enter the injection port
  std::vector<std::pair<std::int64_t, int>>* link_log_ = nullptr;
};

}  // namespace imc::sim::systemc
