// The space a supernet covers, read from a search config's [network] genes.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/config.h"
#include "nas/search/config.h"
#include "nas/supernet/space.h"

using namespace imc;
using namespace imc::nas;
using namespace imc::nas::supernet;
namespace fs = std::filesystem;

namespace {

const std::set<std::string> kSearchKeys = {"base_arch", "objectives",  "cache_dir", "reference_point",
                                           "search",    "constraints", "accuracy",  "optimizer"};

std::string root() {
  const char* r = std::getenv("IMCSIM_ROOT");
  return r ? r : ".";
}

fs::path write_space(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("imcsim-supernet-" + name + ".toml");
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("the supernet space of fmnist_joint.toml holds the largest choice of every network gene") {
  const SearchSpace space = SearchSpace::load(root() + "/configs/nas/fmnist_joint.toml", kSearchKeys);
  const SupernetSpace s = SupernetSpace::from_search_space(space);
  const Subnet big = s.largest(), small = s.smallest();
  CHECK(big.net.stages == 3);
  CHECK(big.net.blocks_per_stage == 2);
  CHECK(big.net.base_channels == 24);
  CHECK(big.net.kernel == 5);
  CHECK(big.net.residual);
  CHECK(big.net.expansion == 2);
  CHECK(big.net.prune == 0.0);
  CHECK(big.net.fc_hidden == 32);
  CHECK(big.weight_bits == 8);
  CHECK(big.activation_bits == 8);
  CHECK(small.net.stages == 2);
  CHECK(small.net.base_channels == 8);
  CHECK(small.net.kernel == 3);
  CHECK(!small.net.residual);
  CHECK(small.net.prune == 0.5);
  CHECK(small.weight_bits == 4);
  CHECK(s.contains(big));
  CHECK(s.contains(small));
  std::mt19937_64 rng(3);
  for (int i = 0; i < 20; ++i) CHECK(s.contains(s.sample(rng)));
  // Every genome of the search decodes to a subnet the supernet holds.
  for (int i = 0; i < 50; ++i) {
    Genome genome;
    for (std::size_t c : space.cardinalities())
      genome.push_back(int(std::uniform_int_distribution<std::size_t>(0, c - 1)(rng)));
    const Subnet sub = subnet_of(space, genome);
    CHECK(s.contains(sub));
    CHECK(sub.weight_bits == int(space.genes()[space.index_of("network.weight_bits")]
                                     .values.at(std::size_t(genome[space.index_of("network.weight_bits")]))
                                     .as_number()));
  }
  Subnet other = big;
  other.net.kernel = 7;
  std::string why;
  CHECK(!s.contains(other, &why));
  CHECK(why.find("kernel") != std::string::npos);
}

TEST_CASE("genes the space does not declare are fixed at the given network") {
  const fs::path p = write_space("fixed", "[network]\nbase_channels = [8, 16]\n");
  Subnet fixed;
  fixed.net.stages = 3;
  fixed.weight_bits = 6;
  const SupernetSpace s = SupernetSpace::from_search_space(SearchSpace::load(p.string()), fixed);
  CHECK(s.stages == std::vector<int>{3});
  CHECK(s.weight_bits == std::vector<int>{6});
  CHECK(s.base_channels == std::vector<int>{8, 16});
  CHECK(s.canonical() != SupernetSpace::from_search_space(SearchSpace::load(p.string())).canonical());
}

TEST_CASE("a network gene value the supernet cannot hold is a load-time error with file and line") {
  auto message = [](const std::string& text) {
    const fs::path p = write_space("bad", text);
    try {
      SupernetSpace::from_search_space(SearchSpace::load(p.string()));
    } catch (const common::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string even = message("[network]\nstages = [2]\nkernel = [3, 4]\n");
  CAPTURE(even);
  CHECK(even.find(":3:") != std::string::npos);
  CHECK(even.find("network.kernel") != std::string::npos);
  CHECK(even.find("1, 3, 5, 7") != std::string::npos);
  const std::string deep = message("[network]\nstages = [2, 5]\n");  // 28 >> 4 < 2
  CHECK(deep.find("network.stages") != std::string::npos);
  const std::string bits = message("[network]\nweight_bits = [1, 8]\n");
  CHECK(bits.find("[2, 16]") != std::string::npos);
}

TEST_CASE("a search config with method = supernet is checked against the supernet when it loads") {
  auto message = [](const std::string& accuracy, const std::string& network) {
    const fs::path p = write_space("search", "base_arch = \"" + root() +
                                                 "/configs/arch/rram_default.toml\"\n"
                                                 "objectives = [\"accuracy\", \"energy\"]\n"
                                                 "[accuracy]\n" +
                                                 accuracy + "\n[network]\n" + network + "\n");
    try {
      const search::SearchConfig c = search::load_search_config(p.string());
      return std::string("loaded, method ") + accuracy::to_string(c.accuracy.method);
    } catch (const common::InputError& e) {
      return std::string(e.what());
    }
  };
  // A kernel the supernet cannot hold: file, line of the gene, what is allowed.
  const std::string even = message("method = \"supernet\"", "stages = [2]\nkernel = [3, 4]");
  CAPTURE(even);
  CHECK(even.find("imcsim-supernet-search.toml:7:") != std::string::npos);
  CHECK(even.find("network.kernel") != std::string::npos);
  CHECK(even.find("1, 3, 5, 7") != std::string::npos);
  // The same space is fine when each network trains its own weights.
  CHECK(message("method = \"train\"", "stages = [2]\nkernel = [3, 4]") == "loaded, method train");
  CHECK(message("method = \"supernet\"", "stages = [2]\nkernel = [3, 5]") == "loaded, method supernet");
  // An unknown method names the allowed ones; supernet settings are range-checked.
  const std::string unknown = message("method = \"oracle\"", "stages = [2]");
  CAPTURE(unknown);
  CHECK(unknown.find("\"train\", \"supernet\"") != std::string::npos);
  const std::string bad_epochs = message("method = \"supernet\"\nsupernet.epochs = 0", "stages = [2]");
  CAPTURE(bad_epochs);
  CHECK(bad_epochs.find("epochs") != std::string::npos);
}
