// Workload specs: zoo names, suites, files and comma-separated lists.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "common/config.h"
#include "workloads/load.h"
#include "workloads/zoo.h"

#if defined(IMCSIM_WITH_ONNX) && __has_include("workloads/onnx/onnx_io.h")
#include <filesystem>

#include "workloads/onnx/onnx_io.h"
#define TEST_HAVE_ONNX 1
#endif

using namespace imc::workloads;
using imc::common::InputError;

namespace {
std::string root() {
  const char* r = std::getenv("IMCSIM_ROOT");
  return r ? r : ".";
}
std::vector<std::string> names(const std::vector<Graph>& gs) {
  std::vector<std::string> n;
  for (const auto& g : gs) n.push_back(g.name());
  return n;
}
}  // namespace

TEST_CASE("load_workloads expands zoo names, suites, files and lists in order") {
  CHECK(names(load_workloads("resnet20")) == std::vector<std::string>{"resnet20"});
  CHECK(names(load_workloads("imagenet4")) == suite("imagenet4"));
  auto mixed =
      names(load_workloads(" fmnist_small , cifar2," + root() + "/configs/workloads/small_resnet.toml"));
  CHECK(mixed == std::vector<std::string>{"fmnist_small", "vgg8", "resnet20", "small_resnet"});
  CHECK(load_workload("vgg8").name() == "vgg8");
}

TEST_CASE("load errors list the zoo and suites") {
  try {
    load_workloads("resnet20,resnet21");
    FAIL("expected an error");
  } catch (const InputError& e) {
    std::string m = e.what();
    CHECK(m.find("unknown workload 'resnet21'") != std::string::npos);
    CHECK(m.find("gpt2_medium") != std::string::npos);
    CHECK(m.find("imagenet4") != std::string::npos);
  }
  CHECK_THROWS_AS(load_workloads("resnet20,,vgg8"), InputError);
  CHECK_THROWS_AS(load_workloads(""), InputError);
  try {
    load_workload("cifar2");
    FAIL("expected an error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("names 2 networks (vgg8, resnet20)") != std::string::npos);
  }
#ifndef IMCSIM_WITH_ONNX
  try {
    load_workloads("model.onnx");
    FAIL("expected an error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("without ONNX support") != std::string::npos);
  }
#endif
}

#ifdef TEST_HAVE_ONNX
TEST_CASE("a .onnx spec goes through the ONNX importer") {
  auto path = (std::filesystem::temp_directory_path() / "imcsim_test_load_resnet20.onnx").string();
  Graph r = zoo_network("resnet20");
  onnx::ExportOptions opt;
  opt.weights = onnx::WeightData::Embedded;
  onnx::export_onnx(r, path, opt);
  auto gs = load_workloads("fmnist_small," + path);
  REQUIRE(gs.size() == 2);
  CHECK(gs[0].name() == "fmnist_small");
  CHECK(gs[1].total_macs() == r.total_macs());
  CHECK(gs[1].total_params() == r.total_params());
  std::filesystem::remove(path);
}
#endif
