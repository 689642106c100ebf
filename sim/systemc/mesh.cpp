#include "sim/systemc/mesh.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "sim/timing.h"

namespace imc::sim::systemc {

// ---- Router -------------------------------------------------------------------------------------

Router::Router(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, Mesh& mesh)
    : sc_core::sc_module(name), spec_(spec), stats_(stats), mesh_(mesh) {
  SC_METHOD(step);
  sensitive << wake_;
  dont_initialize();
}

void Router::head_at(int packet, std::int64_t cycle) {
  agenda_.push(cycle, packet);
  arm(wake_, spec_, cycle);
}

void Router::step() {
  stats_.events++;
  const std::int64_t now = spec_.now();
  while (agenda_.due(now)) {
    heads_++;
    mesh_.on_head(agenda_.pop());
  }
  arm(wake_, spec_, agenda_.next_time());
}

// ---- Mesh ---------------------------------------------------------------------------------------

Mesh::Mesh(const sc_core::sc_module_name& name, const SimSpec& spec, Stats& stats, int mesh_x, int mesh_y,
           int tiles_per_router)
    : sc_core::sc_module(name),
      spec_(spec),
      stats_(stats),
      mx_(mesh_x),
      my_(mesh_y),
      tpr_(tiles_per_router),
      routers_n_(mesh_x * mesh_y),
      tiles_(mesh_x * mesh_y * tiles_per_router) {
  const arch::NocSpec& n = spec.arch.noc;
  B_ = std::max(1, n.link_flits_per_cycle);
  Bf_ = std::max(1, n.router_buffer_flits);
  R_ = std::int64_t(n.router_latency_cycles) * B_;
  const std::int64_t L = std::int64_t(n.link_latency_cycles) * B_;
  vct_ = n.flow_control == arch::FlowControl::Vct;
  xy_ = n.routing == arch::Routing::Xy;
  ch_.resize(std::size_t(4 * routers_n_ + 2 * tiles_));
  for (int r = 0; r < routers_n_; ++r) {
    const int x = r % mx_, y = r / mx_;
    const int nx[4] = {x + 1, x - 1, x, x}, ny[4] = {y, y, y + 1, y - 1};
    for (int d = 0; d < 4; ++d) {
      Channel& c = ch_[std::size_t(link(r, d))];
      if (nx[d] < 0 || nx[d] >= mx_ || ny[d] < 0 || ny[d] >= my_) continue;
      c.down_router = ny[d] * mx_ + nx[d];
      c.lat = L;
      c.is_link = true;
      c.vct_gate = vct_;
    }
  }
  for (int t = 0; t < tiles_; ++t) {
    Channel& i = ch_[std::size_t(injection(t))];
    i.down_router = router_of_tile(t);
    i.is_injection = true;
    i.vct_gate = vct_;
  }
  routers_.reserve(std::size_t(routers_n_));
  for (int r = 0; r < routers_n_; ++r)
    routers_.push_back(std::make_unique<Router>(("router_" + std::to_string(r)).c_str(), spec, stats, *this));
}

int Mesh::hops(int a, int b) const {
  const int ra = router_of_tile(a), rb = router_of_tile(b);
  return std::abs(ra % mx_ - rb % mx_) + std::abs(ra / mx_ - rb / mx_) + 1;
}

int Mesh::route(int r, int dst_tile) const {
  const int d = router_of_tile(dst_tile);
  if (r == d) return ejection(dst_tile);
  const int rx = r % mx_, ry = r / mx_, dx = d % mx_, dy = d / mx_;
  const bool move_x = xy_ ? rx != dx : ry == dy;
  if (move_x) return link(r, dx > rx ? 0 : 1);
  return link(r, dy > ry ? 2 : 3);
}

int Mesh::links() const {
  int n = 0;
  for (const Channel& c : ch_) n += c.is_link;
  return n;
}

std::int64_t Mesh::link_busy_slots() const {
  std::int64_t n = 0;
  for (const Channel& c : ch_)
    if (c.is_link) n += c.busy_slots;
  return n;
}

int Mesh::new_message() {
  if (!free_messages_.empty()) {
    const int m = free_messages_.back();
    free_messages_.pop_back();
    messages_[std::size_t(m)] = Message{};
    return m;
  }
  messages_.emplace_back();
  return int(messages_.size()) - 1;
}

int Mesh::new_packet(int msg) {
  int p;
  if (!free_packets_.empty()) {
    p = free_packets_.back();
    free_packets_.pop_back();
  } else {
    packets_.emplace_back();
    p = int(packets_.size()) - 1;
  }
  Message& m = messages_[std::size_t(msg)];
  const std::int64_t payload = std::min<std::int64_t>(spec_.arch.noc.packet_payload_flits, m.payload_left);
  m.payload_left -= payload;
  Packet& pk = packets_[std::size_t(p)];
  pk.msg = msg;
  pk.flits = int(payload + 1);  // + head flit
  pk.dst_tile = m.dst_tile;
  pk.h = m.h;
  pk.pos = 0;
  pk.next_ch = injection(m.src_tile);
  pk.prev_ch = -1;
  pk.q = std::max(m.q0, m.next_q);
  pk.D = 0;
  pk.holds.clear();
  stats_.noc.packets++;
  stats_.noc.flits += pk.flits;
  stats_.noc.flit_hops += std::int64_t(pk.flits) * pk.h;
  return p;
}

void Mesh::send(int src_tile, int dst_tile, std::int64_t bits, MessageClient* client, int tag) {
  if (src_tile < 0 || src_tile >= tiles_ || dst_tile < 0 || dst_tile >= tiles_)
    throw std::logic_error("systemc: send between tiles outside the mesh");
  const std::int64_t now = spec_.now();
  if (bits <= 0) {
    client->injected(tag, now);
    client->delivered(tag, now);
    return;
  }
  const int m = new_message();
  Message& msg = messages_[std::size_t(m)];
  msg.client = client;
  msg.tag = tag;
  msg.src_tile = src_tile;
  msg.dst_tile = dst_tile;
  msg.h = hops(src_tile, dst_tile);
  msg.q0 = now * B_;
  msg.payload_left = (bits + spec_.arch.noc.flit_bits - 1) / spec_.arch.noc.flit_bits;
  msg.packets = int(noc_packets(bits, spec_.arch));
  stats_.noc.messages++;
  const int p = new_packet(m);
  request(packets_[std::size_t(p)].next_ch, p, msg.q0);
  drain();
}

void Mesh::on_head(int p) {
  const Packet& pk = packets_[std::size_t(p)];
  request(pk.next_ch, p, pk.q);
  drain();
}

std::int64_t Mesh::room_at(Channel& c, const Packet& p, std::int64_t t) const {
  if (!c.vct_gate) return t;
  // Packets whose every flit has left before the channel was last free are gone for good.
  std::erase_if(c.occupants, [&](const Channel::Occupant& o) {
    return o.leaves < kNever && o.leaves + o.flits <= c.free_at;
  });
  auto used = [&](std::int64_t at) {
    std::int64_t u = 0;
    for (const auto& o : c.occupants)
      u += o.leaves >= kNever ? o.flits : o.flits - std::clamp<std::int64_t>(at - o.leaves, 0, o.flits);
    return u;
  };
  const std::int64_t need = std::min(p.flits, Bf_);
  if (used(t) + need <= Bf_) return t;
  std::int64_t hi = t;
  for (const auto& o : c.occupants) hi = std::max(hi, o.leaves >= kNever ? kNever : o.leaves + o.flits);
  if (hi >= kNever) return kNever;  // a blocked packet frees nothing until it moves on
  std::int64_t lo = t;              // used() is non-increasing: the first slot with room
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (used(mid) + need <= Bf_ ? hi : lo) = mid;
  }
  return hi;
}

void Mesh::request(int ch, int p, std::int64_t q) {
  Channel& c = ch_[std::size_t(ch)];
  if (c.holder < 0 && c.waiters.empty()) {
    const std::int64_t at = room_at(c, packets_[std::size_t(p)], std::max(q, c.free_at));
    if (at < kNever) return grant(ch, p, at);
  }
  c.waiters.emplace_back(p, q);
}

void Mesh::try_grant(int ch) {
  Channel& c = ch_[std::size_t(ch)];
  while (c.holder < 0 && !c.waiters.empty()) {
    const auto [p, q] = c.waiters.front();
    const std::int64_t at = room_at(c, packets_[std::size_t(p)], std::max(q, c.free_at));
    if (at >= kNever) break;  // re-tried when the blocking packet moves on
    c.waiters.pop_front();
    grant(ch, p, at);
  }
}

void Mesh::grant(int ch, int p, std::int64_t g) {
  Channel& c = ch_[std::size_t(ch)];
  Packet& pk = packets_[std::size_t(p)];
  const std::int64_t f = pk.flits;
  c.holder = p;
  c.busy_slots += f;
  if (c.is_link && link_log_) link_log_->emplace_back(g, pk.flits);
  stats_.noc.grants++;
  stats_.noc.head_wait_slots += g - pk.q;
  // VCT: the packet now enters the downstream buffer, and moves out of the one it was in (its
  // flits free their places from g - R - L on); waiters for that buffer may now have room.
  if (c.vct_gate) c.occupants.push_back({p, need(pk), kNever});
  if (pk.prev_ch >= 0 && ch_[std::size_t(pk.prev_ch)].vct_gate) {
    Channel& pc = ch_[std::size_t(pk.prev_ch)];
    for (auto& o : pc.occupants)
      if (o.packet == p && o.leaves >= kNever) o.leaves = g - R_ - pc.lat;
    rearbitrate_.push_back(pk.prev_ch);
  }
  // Wormhole back-pressure on the channels still held behind the head (see mesh.h).
  const int pos = pk.pos;
  for (Hold& h : pk.holds) {
    const std::int64_t m = pos - h.pos;
    if (m * Bf_ <= f) h.release = std::max(h.release, g - (pk.D - h.D) + f - m * Bf_);
  }
  pk.holds.push_back(Hold{ch, pos, g, pk.D, g + f});
  const bool last = pos == pk.h;
  if (last && c.down_router >= 0) throw std::logic_error("systemc: a packet's path does not end at its tile");
  while (!pk.holds.empty() && (last || std::int64_t(pos - pk.holds.front().pos + 1) * Bf_ > f)) {
    const Hold h = pk.holds.front();
    pk.holds.erase(pk.holds.begin());
    release(h.ch, h.release, p);
  }
  if (last) {
    Message& m = messages_[std::size_t(pk.msg)];
    m.delivered++;
    m.tail = std::max(m.tail, g + f);
    const int msg = pk.msg;
    free_packets_.push_back(p);
    if (m.delivered == m.packets) {
      m.client->delivered(m.tag, cycle_of(m.tail));
      free_messages_.push_back(msg);
    }
    return;
  }
  pk.prev_ch = ch;
  pk.q = g + c.lat + R_;
  pk.D += c.lat + R_;
  pk.pos++;
  pk.next_ch = route(c.down_router, pk.dst_tile);
  routers_[std::size_t(c.down_router)]->head_at(p, cycle_of(pk.q));
}

void Mesh::release(int ch, std::int64_t at, int p) {
  Channel& c = ch_[std::size_t(ch)];
  c.holder = -1;
  c.free_at = at;
  rearbitrate_.push_back(ch);
  if (c.is_injection) {
    const int msg = packets_[std::size_t(p)].msg;
    Message& m = messages_[std::size_t(msg)];
    m.injected++;
    m.next_q = at;
    if (m.payload_left > 0)
      next_packet_.push_back(msg);
    else if (m.injected == m.packets)
      m.client->injected(m.tag, cycle_of(at));
  }
}

void Mesh::drain() {
  while (!rearbitrate_.empty() || !next_packet_.empty()) {
    if (!next_packet_.empty()) {
      const int msg = next_packet_.front();
      next_packet_.pop_front();
      const int p = new_packet(msg);
      request(packets_[std::size_t(p)].next_ch, p, packets_[std::size_t(p)].q);
      continue;
    }
    const int ch = rearbitrate_.front();
    rearbitrate_.pop_front();
    try_grant(ch);
  }
}

}  // namespace imc::sim::systemc
