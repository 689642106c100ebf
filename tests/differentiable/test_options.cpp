// [differentiable] settings: read and range-checked at load (InputError naming file, key and what is
// allowed), and the search's loader takes the section without reading it as genes.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "common/config.h"
#include "nas/differentiable/arch_space.h"
#include "nas/differentiable/options.h"
#include "nas/search/config.h"

using namespace imc;
using namespace imc::nas::differentiable;
using imc::nas::Genome;
namespace fs = std::filesystem;

namespace {

const char* kConfig = "configs/nas/fmnist_darts.toml";

// The message of the InputError reading a config whose [differentiable] table is `table`.
std::string error_of(const std::string& table) {
  const fs::path dir = fs::temp_directory_path() / "imcsim_test_differentiable_options";
  fs::create_directories(dir);
  const fs::path file = dir / "bad.toml";
  std::ofstream(file) << "[differentiable]\n" << table << "\n";
  try {
    (void)read_differentiable_options(file.string());
  } catch (const common::InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find(file.string()) != std::string::npos);
    return msg;
  }
  FAIL("no InputError for: " << table);
  return "";
}

}  // namespace

TEST_CASE("differentiable options: the shipped config loads, in the search's loader too") {
  const DifferentiableOptions o = read_differentiable_options(kConfig);
  CHECK(o.outer_optimizer == "nsga2");
  CHECK(o.outer_generations == 4);
  CHECK(o.tau_end < o.tau_start);
  const nas::search::SearchConfig cfg = nas::search::load_search_config(kConfig);
  for (const nas::Gene& g : cfg.space.genes()) CHECK(g.group() != "differentiable");
  const ArchSpace arch =
      ArchSpace::of(cfg.space, kConfig, std::size_t(o.max_subnets), std::size_t(o.lambda_levels));
  CHECK(arch.subnet_count() == 64);  // stages, channels, kernel, residual, weight and activation bits: 2 each
  CHECK(arch.network_genes.size() + arch.outer_genes.size() == cfg.space.size());
  CHECK(arch.outer_cardinalities.size() == arch.outer_genes.size() + (o.lambda_levels > 1 ? 1 : 0));
}

TEST_CASE("differentiable options: lambda as an outer gene") {
  DifferentiableOptions o;
  o.lambda = 0.9;
  o.lambda_levels = 3;
  const std::vector<double> v = lambda_values(o);
  REQUIRE(v.size() == 3);
  CHECK(v[0] == doctest::Approx(0.1));
  CHECK(v[1] == doctest::Approx(0.3));
  CHECK(v[2] == doctest::Approx(0.9));
  o.lambda_levels = 1;
  CHECK(lambda_values(o) == std::vector<double>{0.9});
  const nas::search::SearchConfig cfg = nas::search::load_search_config(kConfig);
  const ArchSpace fixed = ArchSpace::of(cfg.space, kConfig, 4096, 1);
  const ArchSpace gene = ArchSpace::of(cfg.space, kConfig, 4096, 3);
  CHECK(fixed.outer_cardinalities.size() == fixed.outer_genes.size());
  REQUIRE(gene.outer_cardinalities.size() == gene.outer_genes.size() + 1);
  CHECK(gene.outer_cardinalities.back() == 3);
  Genome outer(gene.outer_genes.size(), 0);
  CHECK(fixed.lambda_index(outer) == 0);
  outer.push_back(2);
  CHECK(gene.lambda_index(outer) == 2);
  // The lambda gene is not part of the design.
  const Genome full = gene.genome(outer, gene.choice_of(5));
  CHECK(full.size() == cfg.space.size());
  CHECK(gene.outer_of(full) == Genome(outer.begin(), outer.end() - 1));
}

TEST_CASE("differentiable options: bad values are rejected with the key and what is allowed") {
  std::string m = error_of("lambda = -1.0");
  CHECK(m.find("differentiable.lambda") != std::string::npos);
  CHECK(m.find("allowed") != std::string::npos);
  m = error_of("tau_start = 1.0\ntau_end = 2.0");
  CHECK(m.find("tau_end") != std::string::npos);
  CHECK(m.find("tau_start") != std::string::npos);
  m = error_of("outer_optimizer = \"darts\"");
  CHECK(m.find("nsga2") != std::string::npos);
  CHECK(m.find("random") != std::string::npos);
  m = error_of("outer_population = 6");
  CHECK(m.find("multiple of 4") != std::string::npos);
  m = error_of("inner_steps = 0");
  CHECK(m.find("inner_steps") != std::string::npos);
  m = error_of("energy_weight = 0.0\nlatency_weight = 0.0\narea_weight = 0.0");
  CHECK(m.find("at least one") != std::string::npos);
  m = error_of("lambda_levels = 17");
  CHECK(m.find("differentiable.lambda_levels") != std::string::npos);
  m = error_of("temperature = 3.0");  // unknown key
  CHECK(m.find("temperature") != std::string::npos);
  m = error_of("tau_start = 0.0");  // below its range
  CHECK(m.find("differentiable.tau_start") != std::string::npos);
}

TEST_CASE("differentiable: a space too large to enumerate, or without hardware genes, is rejected") {
  const nas::search::SearchConfig cfg = nas::search::load_search_config(kConfig);
  try {
    (void)ArchSpace::of(cfg.space, kConfig, 10);
    FAIL("64 networks accepted with max_subnets = 10");
  } catch (const common::InputError& e) {
    const std::string m = e.what();
    CHECK(m.find(kConfig) != std::string::npos);
    CHECK(m.find("[network]") != std::string::npos);
    CHECK(m.find("max_subnets = 10") != std::string::npos);
  }
  const nas::SearchSpace network_only = nas::SearchSpace::from_config(
      common::ConfigNode::parse_string("[network]\nstages = [2, 3]\n", "net.toml"), {});
  CHECK_THROWS_AS((void)ArchSpace::of(network_only, "net.toml", 100), common::InputError);
}
