// The ViT genes of a search space: load-time errors with file, line, gene and allowed values; decoding
// a genome to a ViT; the ViT supernet's space; a search config with method = supernet on ViT genes.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "common/config.h"
#include "nas/decode.h"
#include "nas/decode_vit.h"
#include "nas/search/config.h"
#include "nas/search/evaluator.h"
#include "nas/vit_supernet/space.h"

using namespace imc;
using namespace imc::nas;
namespace fs = std::filesystem;

namespace {

std::string root() {
  const char* r = std::getenv("IMCSIM_ROOT");
  return r ? r : ".";
}

fs::path write_file(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("imcsim-vit-" + name + ".toml");
  std::ofstream(p) << text;
  return p;
}

// Loads a search config whose [network] table is `network` (line 5 is its first gene).
std::string load_message(const std::string& network, const std::string& method = "supernet") {
  const fs::path p = write_file("search", "base_arch = \"" + root() +
                                              "/configs/arch/rram_default.toml\"\n"
                                              "objectives = [\"accuracy\", \"energy\"]\n"
                                              "accuracy.method = \"" +
                                              method + "\"\n[network]\n" + network + "\n");
  try {
    const search::SearchConfig c = search::load_search_config(p.string());
    return "loaded";
  } catch (const common::InputError& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("bad ViT genes are load-time errors naming file, line, gene and the allowed values") {
  const std::string patch = load_message("patch = [7, 5]\nembed = [32]");
  CAPTURE(patch);
  CHECK(patch.find("imcsim-vit-search.toml:5: gene 'network.patch'") != std::string::npos);
  CHECK(patch.find("allowed: 1, 2, 4, 7, 14, 28") != std::string::npos);
  const std::string heads = load_message("embed = [32, 48]\nheads = [2, 3]");
  CAPTURE(heads);
  CHECK(heads.find(":6: gene 'network.heads'") != std::string::npos);
  CHECK(heads.find("value 3 does not divide network.embed value 32") != std::string::npos);
  CHECK(heads.find("allowed heads for embed [32, 48]: 1, 2, 4, 8, 16") != std::string::npos);
  const std::string depth = load_message("depth = [0, 2]", "train");
  CHECK(depth.find("gene 'network.depth': value '0'") != std::string::npos);
  const std::string mixed = load_message("depth = [2]\nstages = [2]", "train");
  CAPTURE(mixed);
  CHECK(mixed.find(":6: gene 'network.stages': a CNN gene in a ViT space") != std::string::npos);
  const std::string family = load_message("family = [\"cnn\", \"rnn\"]", "train");
  CHECK(family.find("allowed: \"cnn\", \"vit\"") != std::string::npos);
  const std::string one_supernet = load_message("family = [\"cnn\", \"vit\"]\ndepth = [1, 2]\nstages = [2]");
  CHECK(one_supernet.find("holds one family per supernet") != std::string::npos);
  const std::string bits = load_message("depth = [1, 2]\nweight_bits = [1, 8]");
  CHECK(bits.find("network.weight_bits") != std::string::npos);
  CHECK(
      load_message("patch = [7, 14]\ndepth = [1, 2]\nembed = [16, 32]\nheads = [2, 4]\nmlp_ratio = [1, 2]") ==
      "loaded");
  CHECK(load_message("family = [\"cnn\", \"vit\"]\ndepth = [1, 2]\nstages = [2, 3]", "train") == "loaded");
  // The lut / learned estimators know the CNN family only.
  const std::string lut = load_message("depth = [1, 2]\n[search]\nevaluator = \"lut\"", "train");
  CAPTURE(lut);
  CHECK(lut.find("evaluator") != std::string::npos);
  CHECK(lut.find("know the CNN family only") != std::string::npos);
}

TEST_CASE(
    "a ViT genome decodes to the ViT graph, is mapped and estimated; the family gene picks the family") {
  const fs::path p = write_file("decode", "base_arch = \"" + root() +
                                              "/configs/arch/rram_default.toml\"\n"
                                              "objectives = [\"energy\", \"latency\"]\n"
                                              "[constraints]\nweight_fetch = true\n"
                                              "[network]\nfamily = [\"cnn\", \"vit\"]\npatch = [7, 14]\n"
                                              "depth = [1, 2]\nembed = [16, 32]\nheads = [2, 4]\n"
                                              "stages = [2]\n");
  const search::SearchConfig c = search::load_search_config(p.string());
  const search::SearchEvaluator ev(c);
  Decoded vit{{"network.family", GeneValue::text("vit")}, {"network.patch", GeneValue::integer(7)},
              {"network.depth", GeneValue::integer(2)},   {"network.embed", GeneValue::integer(32)},
              {"network.heads", GeneValue::integer(4)},   {"network.stages", GeneValue::integer(2)}};
  const Genome g = c.space.encode(vit);
  CHECK(network_family(c.space, g) == NetworkFamily::kVit);
  const search::Design d = ev.decode(g);
  CHECK(d.family == NetworkFamily::kVit);
  CHECK(d.vit.depth == 2);
  CHECK(d.vit.embed == 32);
  workloads::VitFamilyParams expect;
  expect.patch = 7, expect.depth = 2, expect.embed = 32, expect.heads = 4;
  CHECK(d.graph.total_macs() == workloads::build_vit_family(expect).total_macs());
  const Evaluation e = ev.evaluate_hardware(g);
  CAPTURE(e.reason);
  CHECK(e.feasible());
  CHECK(e.extra.at("network").at("family") == "vit");
  CHECK(e.extra.at("macs").get<double>() > 0);
  // The same genome with family = cnn is a CNN of the CNN genes, and a different design.
  vit["network.family"] = GeneValue::text("cnn");
  const Genome cnn = c.space.encode(vit);
  CHECK(ev.decode(cnn).family == NetworkFamily::kCnn);
  CHECK(ev.key(cnn) != ev.key(g));
  // Two ViTs differing in one ViT gene are two designs.
  vit["network.family"] = GeneValue::text("vit");
  vit["network.heads"] = GeneValue::integer(2);
  CHECK(ev.key(c.space.encode(vit)) != ev.key(g));
}

TEST_CASE("the ViT supernet's space: choices, largest, smallest, samples and genomes inside") {
  const fs::path p = write_file("space",
                                "[network]\npatch = [14, 7]\ndepth = [1, 3]\nembed = [32, 16]\n"
                                "heads = [4, 2]\nmlp_ratio = [2, 1]\nweight_bits = [4, 8]\n");
  const SearchSpace space = SearchSpace::load(p.string());
  const auto s = vit_supernet::VitSupernetSpace::from_search_space(space);
  CHECK(s.patch == std::vector<int>{7, 14});
  CHECK(s.embed == std::vector<int>{16, 32});
  CHECK(s.activation_bits == std::vector<int>{8});  // undeclared: the fixed value
  CHECK(vit_supernet::to_string(s.largest()) == "p7 d3 e32 h4 r2 w8a8");
  CHECK(vit_supernet::to_string(s.smallest()) == "p14 d1 e16 h2 r1 w4a8");
  std::mt19937_64 rng(3);
  for (int i = 0; i < 50; ++i) {
    Genome g;
    for (std::size_t k : space.cardinalities()) g.push_back(int(rng() % k));
    CHECK(s.contains(vit_supernet::vit_subnet_of(space, g)));
    CHECK(s.contains(s.sample(rng)));
  }
  vit_supernet::VitSubnet outside = s.largest();
  outside.net.embed = 64;
  std::string why;
  CHECK(!s.contains(outside, &why));
  CHECK(why == "network.embed = 64 is not one of the supernet's choices [16, 32]");
  // The cache key follows the space and the settings.
  const supernet::SupernetTrainOptions o;
  const std::string key = vit_supernet::vit_supernet_key(s, o);
  CHECK(key.size() == 16);
  auto wider = s;
  wider.embed.push_back(64);
  CHECK(vit_supernet::vit_supernet_key(wider, o) != key);
  auto deeper = s;
  deeper.depth.push_back(4);
  CHECK(vit_supernet::vit_supernet_key(deeper, o) != key);
  for (auto change : std::vector<void (*)(supernet::SupernetTrainOptions&)>{
           [](auto& t) { t.epochs = 6; }, [](auto& t) { t.batch_size = 32; }, [](auto& t) { t.seed = 2; },
           [](auto& t) { t.learning_rate = 2e-3; }, [](auto& t) { t.random_subnets = 3; },
           [](auto& t) { t.train_subset = 1000; }, [](auto& t) { t.supernet.noise_sigma = 0.05; },
           [](auto& t) { t.label_weight = 0.25; }}) {
    supernet::SupernetTrainOptions t;
    change(t);
    CHECK(vit_supernet::vit_supernet_key(s, t) != key);
  }
}
