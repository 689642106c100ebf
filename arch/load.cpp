#include "arch/load.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "arch/fields.h"
#include "common/config.h"

namespace imc::arch {
namespace fs = std::filesystem;

const BufferTech& TechSpec::buffer(BufferTechnology technology) const {
  switch (technology) {
    case BufferTechnology::Sram:
      return sram;
    case BufferTechnology::Edram:
      return edram;
    case BufferTechnology::Regfile:
      return regfile;
  }
  throw std::logic_error("TechSpec::buffer: a BufferTechnology out of range");
}

const OffchipTech& TechSpec::offchip(OffchipKind kind) const {
  switch (kind) {
    case OffchipKind::HyperTransport:
      return hypertransport;
    case OffchipKind::Lpddr4:
      return lpddr4;
    case OffchipKind::Ddr4:
      return ddr4;
    case OffchipKind::Hbm2:
      return hbm2;
    case OffchipKind::None:
      throw common::InputError(
          "key 'offchip.kind': \"none\" has no off-chip memory or link (its inputs and outputs cross the "
          "host "
          "interface)");
  }
  throw std::logic_error("TechSpec::offchip: an OffchipKind out of range");
}

const OffchipTech& TechSpec::boundary_link(OffchipKind kind) const {
  return kind == OffchipKind::None ? host_interface : offchip(kind);
}

namespace {

void scale_buffer(BufferTech& b, double e, double a, double l) {
  b.energy_fj_per_bit *= e;
  b.area_um2_coeff *= a;
  b.leakage_nw_per_bit *= l;
}

// Applies the node scaling rule documented in arch/tech.h.
void scale_to_node(TechSpec& t, double node_nm) {
  if (std::abs(node_nm - t.node_nm) < 1e-9) return;
  const double e = node_nm / t.node_nm, a = e * e, l = e;
  // ADC figures follow their own exponents (noise- and matching-limited, not lithography-limited).
  const double e_adc = std::pow(e, t.adc_energy_node_exponent), a_adc = std::pow(e, t.adc_area_node_exponent);
  for (double* v : {&t.adc_energy_floor_pj, &t.adc_walden_fom_fj}) *v *= e_adc;
  for (double* v : {&t.adc_area_floor_um2, &t.adc_area_per_step_um2}) *v *= a_adc;
  for (double* v : {&t.adc_sense_amp_energy_pj, &t.dac_energy_fj_1bit, &t.row_wire_energy_fj_per_col,
                    &t.voltage_dac_energy_fj_per_bit, &t.sample_hold_energy_fj, &t.shift_add_energy_fj,
                    &t.activation_energy_fj, &t.pool_energy_fj, &t.vector_lane_energy_fj,
                    &t.bus_energy_fj_per_bit, &t.router_energy_fj_per_bit})
    *v *= e;
  for (double* v : {&t.adc_sense_amp_area_um2, &t.dac_area_um2_1bit, &t.voltage_dac_area_um2_per_bit,
                    &t.sample_hold_area_um2, &t.crossbar_periphery_area_um2, &t.shift_add_area_um2,
                    &t.activation_area_um2, &t.pool_area_um2, &t.vector_lane_area_um2,
                    &t.bus_area_um2_per_wire, &t.router_xbar_area_um2, &t.router_buffer_area_um2_per_bit})
    *v *= a;
  t.router_leakage_mw *= l;
  // Faster transistors at smaller nodes: max clock ~ 1/node (constant-field scaling).
  t.fmax_nominal_ghz /= e;
  scale_buffer(t.regfile, e, a, l);
  scale_buffer(t.sram, e, a, l);
  scale_buffer(t.edram, e, a, l);
  t.node_nm = node_nm;
}

ArchSpec finish(const common::ConfigNode& root, const std::string& base_dir) {
  ArchSpec spec;
  common::read_fields(root, [&](common::Fields& f) { describe(f, spec); });
  spec.source = root.file();
  std::string tech_path;
  try {
    tech_path = find_tech_file(spec.chip.tech, base_dir);
  } catch (const common::InputError& e) {
    common::ConfigNode n = root.get("chip").get("tech");
    if (n.valid()) n.fail(e.what());
    root.fail(fmt::format("key 'chip.tech' (default \"{}\"): {}", spec.chip.tech, e.what()));
  }
  try {
    spec.tech = load_tech(tech_path, spec.chip.node_nm);
  } catch (const common::InputError& e) {  // name the arch file and key that chose the tech file too
    common::ConfigNode n = root.get("chip").get("tech");
    if (n.valid()) n.fail(fmt::format("in the tech file it names: {}", e.what()));
    root.fail(
        fmt::format("key 'chip.tech' (default \"{}\"): in the tech file: {}", spec.chip.tech, e.what()));
  }
  for (const auto& p : check_arch(spec)) {
    // Point at the offending key's line when the file sets it, else at the file.
    common::ConfigNode n = root;
    std::string rest = p.key;
    while (n.valid() && !rest.empty()) {
      auto dot = rest.find('.');
      common::ConfigNode next = n.get(rest.substr(0, dot));
      if (!next.valid()) break;
      n = next;
      rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
    }
    if (rest.empty()) n.fail(p.message);
    root.fail(fmt::format("key '{}': {}", p.key, p.message));
  }
  return spec;
}

}  // namespace

std::string find_tech_file(const std::string& name, const std::string& base_dir) {
  if (name.find('/') != std::string::npos || name.ends_with(".toml")) {
    fs::path p = fs::path(name).is_absolute() ? fs::path(name) : fs::path(base_dir) / name;
    if (fs::exists(p)) return p.string();
    if (fs::exists(name)) return name;
    throw common::InputError(fmt::format("tech file '{}' not found (looked at {})", name, p.string()));
  }
  std::vector<fs::path> tried = {fs::path(base_dir) / (name + ".toml"),
                                 fs::path(base_dir) / ".." / "tech" / (name + ".toml")};
  if (const char* root = std::getenv("IMCSIM_ROOT"))
    tried.push_back(fs::path(root) / "configs/tech" / (name + ".toml"));
  tried.push_back(fs::path("configs/tech") / (name + ".toml"));
  std::string where;
  for (const auto& p : tried) {
    if (fs::exists(p)) return p.lexically_normal().string();
    where += (where.empty() ? "" : ", ") + p.lexically_normal().string();
  }
  throw common::InputError(fmt::format(
      "tech \"{}\" not found; looked at {} (set IMCSIM_ROOT to the imcsim checkout)", name, where));
}

TechSpec load_tech(const std::string& path, double node_nm) {
  common::ConfigNode root = common::ConfigNode::parse_file(path);
  TechSpec t;
  common::read_fields(root, [&](common::Fields& f) { describe(f, t); });
  t.file = path;
  scale_to_node(t, node_nm);
  return t;
}

ArchSpec load_arch(const std::string& path) {
  if (!fs::exists(path)) throw common::InputError(fmt::format("{}: no such arch file", path));
  common::ConfigNode root = common::ConfigNode::parse_file(path);
  return finish(root,
                fs::path(path).parent_path().string().empty() ? "." : fs::path(path).parent_path().string());
}

ArchSpec load_arch_string(const std::string& text, const std::string& source_name,
                          const std::string& base_dir) {
  return finish(common::ConfigNode::parse_string(text, source_name), base_dir);
}

double fmax_ghz(const ArchSpec& s) {
  const TechSpec& t = s.tech;
  const double v = s.supply_v(), v0 = t.vdd_nominal_v;
  if (v <= t.vth_v) return 0;
  // Alpha-power law: f ~ (V - Vth)^alpha / V, normalized to the nominal supply.
  return t.fmax_nominal_ghz * (std::pow(v - t.vth_v, t.alpha) / v) / (std::pow(v0 - t.vth_v, t.alpha) / v0);
}

std::vector<SpecProblem> check_arch(const ArchSpec& s) {
  std::vector<SpecProblem> out;
  auto bad = [&](std::string key, std::string msg) { out.push_back({std::move(key), std::move(msg)}); };
  if (s.device.r_off_ohm <= s.device.r_on_ohm)
    bad("device.r_off_ohm", fmt::format("must exceed device.r_on_ohm ({:g} ohm)", s.device.r_on_ohm));
  if (s.device.type == DeviceType::Sram && s.device.bits_per_cell != 1)
    bad("device.bits_per_cell", "an SRAM cell stores 1 bit: allowed 1");
  if (s.device.type == DeviceType::Sram && s.device.cell_read_energy_fj <= 0)
    bad("device.cell_read_energy_fj", "SRAM cells need an explicit read energy (> 0 fJ)");
  if (s.device.bits_per_cell > s.precision.weight_bits)
    bad("device.bits_per_cell", fmt::format("{} exceeds precision.weight_bits = {}", s.device.bits_per_cell,
                                            s.precision.weight_bits));
  if (s.dac.bits > s.precision.input_bits)
    bad("dac.bits", fmt::format("{} exceeds precision.input_bits = {}", s.dac.bits, s.precision.input_bits));
  if (s.adc.cols_per_adc > s.crossbar.cols)
    bad("adc.cols_per_adc",
        fmt::format("{} exceeds crossbar.cols = {}", s.adc.cols_per_adc, s.crossbar.cols));
  if (s.adc.type == AdcType::SenseAmp && s.adc.bits != 1)
    bad("adc.bits", "a sense amplifier resolves 1 bit: allowed 1");
  if (s.crossbar.rows_parallel > s.crossbar.rows)
    bad("crossbar.rows_parallel",
        fmt::format("{} exceeds crossbar.rows = {}", s.crossbar.rows_parallel, s.crossbar.rows));
  if (s.noc.tiles_per_router + 4 > s.noc.ports && s.noc.routers() > 1)
    bad("noc.ports", fmt::format("{} ports cannot serve {} tiles plus 4 mesh neighbours", s.noc.ports,
                                 s.noc.tiles_per_router));
  if (s.offchip.kind != OffchipKind::None && s.offchip.links < 1)
    bad("offchip.links", "at least 1 with an off-chip kind");
  // With kind none the host interface's figures apply (tech file): an override would be ignored.
  if (s.offchip.kind == OffchipKind::None && s.offchip.bandwidth_gbps > 0)
    bad("offchip.bandwidth_gbps",
        "no off-chip link to override with offchip.kind = \"none\" (the host interface's "
        "bandwidth is [host_interface] in the tech file)");
  if (s.offchip.kind == OffchipKind::None && s.offchip.latency_ns > 0)
    bad("offchip.latency_ns",
        "no off-chip link to override with offchip.kind = \"none\" (the host interface's "
        "latency is [host_interface] in the tech file)");
  const double fmax = fmax_ghz(s);
  if (s.chip.clock_ghz > fmax * (1 + 1e-9))
    bad("chip.clock_ghz", fmt::format("{:g} GHz exceeds the highest clock {:.3g} GHz at {:g} V on {:g} nm",
                                      s.chip.clock_ghz, fmax, s.supply_v(), s.chip.node_nm));
  if (s.pe.input_buffer.capacity_bytes == 0)
    bad("pe.input_buffer.capacity_bytes", "a PE needs an input buffer (> 0)");
  if (s.pe.output_buffer.capacity_bytes == 0)
    bad("pe.output_buffer.capacity_bytes", "a PE needs an output buffer (> 0)");
  if (s.tile.buffer.capacity_bytes == 0) bad("tile.buffer.capacity_bytes", "a tile needs a buffer (> 0)");
  return out;
}

std::string document_arch_keys() {
  ArchSpec s;
  return common::document_fields([&](common::Fields& f) { describe(f, s); });
}

std::string document_tech_keys() {
  TechSpec t;
  return common::document_fields([&](common::Fields& f) { describe(f, t); });
}

}  // namespace imc::arch
