// The README's hot-start example, `imcsim search --config configs/nas/fmnist_joint.toml --hot-start
// runs/demo`, through the binary (--dry-run: the designs are read and checked, nothing runs). It
// exited 2 on hardware.tile.buffer.capacity_bytes: the demo space does not have that gene, and the
// base chip's 131072 is not among fmnist_joint's [16384, 65536]. A numeric base value outside the
// list now takes the nearest allowed value with a warning naming the gene; a gene with no base value
// (a derived key) or a label the space does not list is still exit 2 naming it and its values.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.h"

namespace fs = std::filesystem;
using imc::test::has;
using imc::test::run_imcsim;
using imc::test::scratch_dir;
using imc::test::write_file;

namespace {

// A demo run's front.json (configs/nas/fmnist_demo.toml's genes; the values are the demo space's),
// as `imcsim search` writes it (only "genes" is read).
nlohmann::json demo_front() {
  const nlohmann::json genes = {{"network.stages", 3},
                                {"network.base_channels", 16},
                                {"network.kernel", 3},
                                {"network.residual", "residual"},
                                {"network.weight_bits", 8},
                                {"network.activation_bits", 8},
                                {"hardware.crossbar.rows", 128},
                                {"hardware.crossbar.cols", 128},
                                {"hardware.device.bits_per_cell", 2},
                                {"hardware.adc.bits", 6},
                                {"hardware.dac.bits", 1},
                                {"hardware.adc.cols_per_adc", 16},
                                {"hardware.tile.pes", 4},
                                {"hardware.noc.routers", 4},
                                {"hardware.chip.voltage_v", 0.9}};
  return {{"front", {{{"id", 3}, {"genes", genes}}, {{"id", 5}, {"genes", genes}}}}};
}

}  // namespace

TEST_CASE("the README's hot start from a demo run into fmnist_joint works, with a warning for the buffer") {
  const fs::path d = scratch_dir("hot_start_demo");
  const fs::path demo = d / "demo";
  fs::create_directories(demo);
  write_file(demo / "front.json", demo_front().dump(1));
  const auto o = run_imcsim("search --config configs/nas/fmnist_joint.toml --out " + (d / "joint").string() +
                            " --hot-start " + demo.string() + " --dry-run");
  CHECK_MESSAGE(o.exit_code == 0, o.err);
  CHECK_MESSAGE(has(o.out, "hot start: 2 design(s) read"), o.out);
  CHECK_MESSAGE(has(o.err, "imcsim: warning: " + (demo / "front.json").string() + ": front[0]"), o.err);
  CHECK_MESSAGE(has(o.err,
                    "'hardware.tile.buffer.capacity_bytes': base value 131072 is not among the allowed "
                    "(16384, 65536), took the nearest, 65536"),
                o.err);
  // The genes the demo did not have but whose base values are listed are filled silently (a note).
  CHECK_MESSAGE(has(o.err, "network.blocks_per_stage=1"), o.err);
  CHECK_FALSE(fs::exists(d / "joint"));  // a dry run writes nothing
  fs::remove_all(d);
}

TEST_CASE("a hot-start gene without a usable base value is still exit 2 naming it and its values") {
  const fs::path d = scratch_dir("hot_start_bad");
  const fs::path demo = d / "demo";
  fs::create_directories(demo);
  nlohmann::json front = demo_front();
  // noc.routers is derived (no base value); chip.tech is a label the base chip has ("22nm"): given
  // "7nm" it is a bad design value, not a missing one.
  front["front"][0]["genes"].erase("hardware.noc.routers");
  write_file(demo / "front.json", front.dump(1));
  auto o = run_imcsim("search --config configs/nas/fmnist_joint.toml --out " + (d / "joint").string() +
                      " --hot-start " + demo.string() + " --dry-run");
  CHECK(o.exit_code == 2);
  CHECK_MESSAGE(has(o.err, "front.json: front[0]"), o.err);
  CHECK_MESSAGE(has(o.err, "'hardware.noc.routers' (allowed: 1, 2, 4, 6, 9)"), o.err);

  front = demo_front();
  front["front"][1]["genes"]["hardware.chip.tech"] = "7nm";
  write_file(demo / "front.json", front.dump(1));
  o = run_imcsim("search --config configs/nas/fmnist_joint.toml --out " + (d / "joint").string() +
                 " --hot-start " + demo.string() + " --dry-run");
  CHECK(o.exit_code == 2);
  CHECK_MESSAGE(has(o.err, "front.json: front[1]"), o.err);
  CHECK_MESSAGE(has(o.err, "hardware.chip.tech"), o.err);
  CHECK_MESSAGE(has(o.err, "7nm"), o.err);
  fs::remove_all(d);
}
