#include "arch/actions.h"

namespace imc::arch {

namespace {
struct Info {
  std::string_view name, component;
};
constexpr Info kInfo[kActionCount] = {
    {"xbar_cell_reads", "crossbar"},
    {"xbar_reads", "crossbar"},
    {"dac_drives", "dac"},
    {"sample_holds", "sample_hold"},
    {"adc_conversions", "adc"},
    {"pe_shift_adds", "shift_add"},
    {"pe_in_buf_read_bits", "pe_buffers"},
    {"pe_in_buf_write_bits", "pe_buffers"},
    {"pe_out_buf_read_bits", "pe_buffers"},
    {"pe_out_buf_write_bits", "pe_buffers"},
    {"bus_bits", "tile_bus"},
    {"tile_buf_read_bits", "tile_buffer"},
    {"tile_buf_write_bits", "tile_buffer"},
    {"tile_out_buf_read_bits", "tile_buffer"},
    {"tile_out_buf_write_bits", "tile_buffer"},
    {"tile_accumulates", "shift_add"},
    {"activations", "digital"},
    {"pool_ops", "digital"},
    {"vector_ops", "digital"},
    {"noc_flit_hops", "noc"},
    {"global_buf_read_bits", "global_buffer"},
    {"global_buf_write_bits", "global_buffer"},
    {"offchip_bits", "offchip"},
    {"cell_writes", "cell_programming"},
};
}  // namespace

std::string_view to_string(Action a) {
  return kInfo[static_cast<int>(a)].name;
}
std::string_view component_of(Action a) {
  return kInfo[static_cast<int>(a)].component;
}

}  // namespace imc::arch
