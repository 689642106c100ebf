// hyperband in the search: a hardware-only space (no training budget) is rejected at load naming
// optimizer.name; a reduced budget scales [accuracy] train_subset (and so the trained-weights cache
// key) and nothing else.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/config.h"
#include "nas/search/config.h"
#include "nas/search/training_budget.h"

using namespace imc::nas::search;
namespace fs = std::filesystem;

TEST_CASE("hyperband on a hardware-only space is rejected at load") {
  const fs::path dir = fs::temp_directory_path() / ("imcsim_training_budget_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ifstream in("tests/search/data/hw_only.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  const std::string nsga2 = "name = \"nsga2\"";
  REQUIRE(s.find(nsga2) != std::string::npos);
  s.replace(s.find(nsga2), nsga2.size(), "name = \"hyperband\"");
  s.replace(s.find("../../../"), 9, fs::absolute(".").string() + "/");
  const fs::path p = dir / "hw_only_hyperband.toml";
  std::ofstream(p) << s;
  std::string error;
  try {
    load_search_config(p.string());
  } catch (const imc::common::InputError& e) {
    error = e.what();
  }
  CHECK(error.find(p.string()) != std::string::npos);
  CHECK(error.find("optimizer.name") != std::string::npos);
  CHECK(error.find("schedules the training budget") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("config_at_training_budget scales train_subset only") {
  SearchConfig c;
  c.accuracy.train.train_subset = 2000;
  c.accuracy.train.epochs = 2;
  c.accuracy.train.batch_size = 64;
  CHECK(config_at_training_budget(c, 1.0).accuracy.train.train_subset == 2000);
  CHECK(config_at_training_budget(c, 1.0 / 9).accuracy.train.train_subset == 222);
  CHECK(config_at_training_budget(c, 1.0 / 9).accuracy.train.epochs == 2);
  CHECK(config_at_training_budget(c, 0.001).accuracy.train.train_subset == 64);  // at least one batch
  c.accuracy.train.train_subset = 0;                                             // all 60,000
  CHECK(config_at_training_budget(c, 1.0 / 3).accuracy.train.train_subset == 20000);
  CHECK_THROWS(config_at_training_budget(c, 0.0));
}
