// Issue 15, first list: each reproduction of "bad input yields a number" now gets exit 2 with a
// message naming the file and key (or, where the input is fine, a correct number).
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "cli_run.h"

namespace fs = std::filesystem;
using imc::test::edited;
using imc::test::has;
using imc::test::run_imcsim;
using imc::test::scratch_dir;
using imc::test::write_file;

namespace {

const std::string kArch = "configs/arch/rram_default.toml";

// An arch file (in `dir`) whose chip.tech is the tech file `tech_path`.
std::string arch_with_tech(const fs::path& dir, const std::string& tech_path) {
  return write_file(dir / "arch.toml", edited(kArch, "tech = \"22nm\"", "tech = \"" + tech_path + "\""));
}

// A config of `path` with relative base_arch made absolute, edited by `from` -> `to`, written in `dir`.
std::string config_copy(const fs::path& dir, const std::string& path, const std::string& base_arch_line,
                        const std::string& from, const std::string& to) {
  const fs::path base = fs::absolute(fs::path(path).parent_path());
  const std::string rel = base_arch_line.substr(base_arch_line.find('"') + 1,
                                                base_arch_line.rfind('"') - base_arch_line.find('"') - 1);
  std::string text =
      edited(path, base_arch_line, "base_arch = \"" + (base / rel).lexically_normal().string() + "\"");
  if (!from.empty()) {
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, path << " does not contain " << from);
    text.replace(at, from.size(), to);
  }
  return write_file(dir / fs::path(path).filename(), text);
}

std::string cosearch_config(const fs::path& dir, const std::string& from, const std::string& to) {
  return config_copy(dir, "configs/cosearch/tiny.toml", "base_arch = \"rram_base.toml\"", from, to);
}

std::string search_config(const fs::path& dir, const std::string& from, const std::string& to) {
  return config_copy(dir, "tests/search/data/hw_only.toml",
                     "base_arch = \"../../../configs/arch/rram_default.toml\"", from, to);
}

void check_exit2(const imc::test::CliOutcome& o, const std::string& names) {
  CHECK(o.exit_code == 2);
  CHECK_MESSAGE(has(o.err, names), o.err);
  CHECK_MESSAGE(has(o.err, "imcsim: error:"), o.err);
}

}  // namespace

TEST_CASE("wrong numbers with exit 0: empty or partial tech, directories, missing sections") {
  const fs::path d = scratch_dir("bad_tech");
  const std::string empty_tech = write_file(d / "empty_tech.toml", "");
  check_exit2(run_imcsim("estimate --workload vgg8 --arch " + arch_with_tech(d, empty_tech)),
              "empty_tech.toml");
  const std::string no_sram = write_file(
      d / "no_sram.toml", edited("configs/tech/32nm.toml", "[sram]", "[sram_deleted_for_the_test]"));
  // An unknown section is an error too; the point is that nothing becomes NaN.
  check_exit2(run_imcsim("estimate --workload vgg8 --arch " + arch_with_tech(d, no_sram)), "no_sram.toml");
  check_exit2(run_imcsim("estimate --workload vgg8 --arch " + d.string()), "is a directory");
  check_exit2(run_imcsim("estimate --workload vgg8 --arch " + arch_with_tech(d, "/tmp")), "is a directory");
  std::string text = imc::test::slurp_file(kArch);
  const std::string no_device_section =
      text.substr(0, text.find("[device]")) + text.substr(text.find("[crossbar]"));
  check_exit2(
      run_imcsim("estimate --workload vgg8 --arch " + write_file(d / "nodev.toml", no_device_section)),
      "missing required section [device]");
  check_exit2(run_imcsim("estimate --workload vgg8 --arch " + write_file(d / "empty_arch.toml", "")),
              "empty_arch.toml");
  fs::remove_all(d);
}

TEST_CASE("wrong numbers with exit 0: shapes whose products overflow 64 bits") {
  const fs::path d = scratch_dir("bad_shapes");
  const std::string big_input =
      write_file(d / "big.toml",
                 "[network]\nname = \"big\"\ninput = [4294967296, 4294967296, 4294967296]\n"
                 "[[layer]]\nname = \"c\"\nop = \"conv\"\nout_channels = 8\nkernel = 3\n");
  const auto o = run_imcsim("estimate --arch " + kArch + " --workload " + big_input);
  CHECK(o.exit_code == 2);
  CHECK_MESSAGE(has(o.err, "big.toml"), o.err);
  CHECK_MESSAGE(has(o.err, "2^31"), o.err);
  const std::string big_pad = write_file(
      d / "pad.toml",
      "[network]\nname = \"pad\"\ninput = [3, 32, 32]\n"
      "[[layer]]\nname = \"c\"\nop = \"conv\"\nout_channels = 8\nkernel = 3\npad = 9000000000000000000\n");
  const auto p = run_imcsim("estimate --arch " + kArch + " --workload " + big_pad);
  CHECK(p.exit_code == 2);
  CHECK_MESSAGE(has(p.err, "pad.toml"), p.err);
  CHECK_MESSAGE(has(p.err, "'c'"), p.err);
  fs::remove_all(d);
}

TEST_CASE("nonsense wins the search: derived gene keys, fault rates and NaN are checked at load") {
  const fs::path d = scratch_dir("bad_genes");
  check_exit2(run_imcsim("cosearch --dry-run " +
                         cosearch_config(d, "capacity_mb = [0.5, 2]", "capacity_mb = [-0.02, 2]")),
              "global.capacity_mb");
  check_exit2(run_imcsim("cosearch --dry-run " +
                         cosearch_config(d, "cycle_ns = [1, 2, 4]", "cycle_ns = [1, 1000000]")),
              "chip.clock_ghz");
  check_exit2(run_imcsim("search --dry-run --config " +
                         search_config(d, "noc.routers = [1, 2, 4, 9]",
                                       "noc.routers = [1, 2, 4, 9]\nglobal.capacity_mb = [-0.5, 1]")),
              "global.capacity_mb");
  // Fault rates of the same cells: an arch file summing above 1 is refused (a gene combination that
  // does is an infeasible candidate: decode_hardware runs the same rule through apply_overrides).
  {
    std::string text = edited(kArch, "stuck_on_rate = 0.001", "stuck_on_rate = 0.9");
    text.replace(text.find("stuck_off_rate = 0.001"), 22, "stuck_off_rate = 0.9");
    check_exit2(run_imcsim("estimate --workload fmnist_small --arch " + write_file(d / "stuck.toml", text)),
                "exceeds 1");
  }
  check_exit2(
      run_imcsim(
          "search --dry-run --config " +
          search_config(d, "objectives = [\"energy\", \"latency\", \"area\"]",
                        "objectives = [\"energy\", \"latency\", \"area\"]\nreference_point = [nan, 1, 1]")),
      "finite");
  check_exit2(run_imcsim("search --dry-run --config " +
                         search_config(d, "crossbar.cols = [64, 128]", "crossbar.cols = [64, inf]")),
              "finite");
  // A good config passes the same check.
  CHECK(run_imcsim("search --dry-run --config tests/search/data/hw_only.toml").exit_code == 0);
  CHECK(run_imcsim("cosearch --dry-run configs/cosearch/tiny.toml").exit_code == 0);
  fs::remove_all(d);
}

TEST_CASE("non-finite training flags are refused, not replaced by defaults") {
  for (const char* flag : {"--lr nan", "--noise-sigma inf", "--lr -inf"}) {
    const auto o =
        run_imcsim(std::string("accuracy --arch ") + kArch + " --workload fmnist_small --no-cache " + flag);
    if (has(o.err, "without libtorch")) return;
    CAPTURE(flag);
    check_exit2(o, "finite");
  }
  check_exit2(run_imcsim("accuracy --arch " + kArch + " --workload fmnist_small --threads 5000"),
              "--threads");
}

TEST_CASE("allowed values that exhaust the machine are refused before allocating") {
  // The estimate of a batch of 65536 vgg8 inferences is far above 1 GiB: refused with the figure.
  auto o = run_imcsim("estimate --arch " + kArch + " --workload vgg8 --batch 65536 --max-memory 1G");
  check_exit2(o, "--max-memory");
  CHECK(has(o.err, "GiB"));
  const fs::path d = scratch_dir("bad_mesh");
  const std::string mesh = write_file(
      d / "mesh.toml", edited(kArch, "mesh_x = 8\nmesh_y = 8\n", "mesh_x = 1024\nmesh_y = 1024\n"));
  o = run_imcsim("simulate --arch " + mesh + " --workload vgg8 --max-memory 2G");
  CHECK(o.exit_code == 2);
  CHECK_MESSAGE((has(o.err, "memory") || has(o.err, "mesh")), o.err);
  check_exit2(run_imcsim("estimate --arch " + kArch + " --workload vgg8 --max-memory lots"), "--max-memory");
  fs::remove_all(d);
}

TEST_CASE("runs that mix: a non-empty --out is refused, a live lock refuses, a stale lock is taken") {
  const fs::path d = scratch_dir("bad_out");
  write_file(d / "someone_elses.txt", "x");
  check_exit2(run_imcsim("search --config tests/search/data/hw_only.toml --out " + d.string()), "not empty");
  check_exit2(run_imcsim("cosearch configs/cosearch/tiny.toml --out " + d.string()), "not empty");
  // --force empties only a directory holding an imcsim run.
  check_exit2(run_imcsim("search --config tests/search/data/hw_only.toml --force --out " + d.string()),
              "remove them yourself");
  fs::remove(d / "someone_elses.txt");
  // A lock held by a live process (this test) refuses the directory.
  write_file(d / ".imcsim.lock", std::to_string(::getpid()) + "\n");
  check_exit2(run_imcsim("search --config tests/search/data/hw_only.toml --out " + d.string()),
              "in use by process");
  fs::remove_all(d);
}

TEST_CASE("exit 3 only for bugs: unwritable paths and odd files are input errors") {
  const fs::path d = scratch_dir("bad_paths");
  check_exit2(run_imcsim("search --config tests/search/data/hw_only.toml --out /proc/imcsim_x"),
              "/proc/imcsim_x");
  const std::string file = write_file(d / "a_file", "x");
  check_exit2(run_imcsim("search --config tests/search/data/hw_only.toml --out " + file), "not a directory");
  check_exit2(
      run_imcsim("search --dry-run --config " +
                 search_config(d, "objectives =", "cache_dir = \"/proc/imcsim_cache\"\nobjectives =")),
      "cache_dir");
  check_exit2(run_imcsim("estimate --arch " + kArch + " --workload vgg8 --json /proc/imcsim_x/r.json"),
              "/proc/imcsim_x/r.json");
  const std::string big_float = write_file(
      d / "big_float.toml", edited(kArch, "[device]\n", "[device]\ndrift_t0_s = 9007199254740993\n"));
  check_exit2(run_imcsim("estimate --workload vgg8 --arch " + big_float), "device.drift_t0_s");
  fs::remove_all(d);
}

TEST_CASE("command-line overrides are checked, never ignored") {
  for (const char* flag : {"--generations 0", "--generations -3", "--population -8", "--seed -5",
                           "--workers -1", "--finalists -2", "--generations 99999999999"}) {
    CAPTURE(flag);
    const auto o = run_imcsim(std::string("cosearch --dry-run configs/cosearch/tiny.toml ") + flag);
    CHECK(o.exit_code == 2);
    CHECK_MESSAGE(has(o.err, std::string(flag).substr(0, std::string(flag).find(' '))), o.err);
  }
  // nsga2's population rule is the declaration's: help and error agree.
  const auto help = run_imcsim("search --help");
  CHECK(has(help.out, "multiple of 4"));
  check_exit2(run_imcsim("search --dry-run --config tests/search/data/hw_only.toml --population 4"),
              "multiple of 4");
  const auto unknown = run_imcsim("nosuchcmd");
  check_exit2(unknown, "unknown command 'nosuchcmd'");
  // The README's flag list: every mapping option is a flag.
  const auto est = run_imcsim("estimate --help");
  for (const char* flag : {"--mapper", "--weight-bits", "--input-bits", "--chunks-per-layer", "--batch"})
    CHECK_MESSAGE(has(est.out, flag), flag);
}

TEST_CASE("resume: combinations that would be ignored are refused; a damaged checkpoint is an error") {
  const fs::path d = scratch_dir("bad_resume");
  const std::string run = (d / "run").string();
  REQUIRE(
      run_imcsim("search --config tests/search/data/hw_only.toml --generations 2 --finalists 0 --out " + run)
          .exit_code == 0);
  check_exit2(run_imcsim("search --config tests/search/data/hw_only.toml --resume " + run), "drop --config");
  check_exit2(run_imcsim("search --resume " + run + " --generations 2"), "completed 2 generations");
  auto o = run_imcsim("search --resume " + run + " --optimizer random");
  check_exit2(o, "--optimizer with --resume");
  CHECK(o.err.size() < 400);
  // A second run into the same directory is refused (the directory holds a run).
  check_exit2(run_imcsim("search --config tests/search/data/hw_only.toml --out " + run), "not empty");

  const fs::path ckpt = fs::path(run) / "checkpoint.json";
  const std::string good = imc::test::slurp_file(ckpt);
  auto damaged = [&](const std::string& from, const std::string& to, const std::string& names) {
    std::string text = good;
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    text.replace(at, from.size(), to);
    write_file(ckpt, text);
    CAPTURE(from);
    check_exit2(run_imcsim("search --resume " + run + " --generations 3 --finalists 0"), names);
  };
  const auto cands = good.find("\"candidates\":[");
  REQUIRE(cands != std::string::npos);
  damaged(good.substr(cands), "\"candidates\":[]}\n", "checkpoint");
  damaged("\"generation\":2", "\"generation\":999", "checkpoint");
  damaged("\"reference_point\":[", "\"reference_point\":[1.0,", "reference_point");
  write_file(ckpt, "null\n");
  check_exit2(run_imcsim("search --resume " + run + " --generations 3 --finalists 0"), "checkpoint");
  // The intact checkpoint resumes.
  write_file(ckpt, good);
  CHECK(run_imcsim("search --resume " + run + " --generations 3 --finalists 0").exit_code == 0);
  fs::remove_all(d);
}
