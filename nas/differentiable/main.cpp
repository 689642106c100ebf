// build/nas/differentiable/imcsim_differentiable: the differentiable search (docs/differentiable.md).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "common/config.h"
#include "nas/differentiable/options.h"
#include "nas/differentiable/run.h"

int main(int argc, char** argv) {
  imc::nas::differentiable::DifferentiableRunOptions o;
  CLI::App app{
      "differentiable HW-NAS: Gumbel-softmax architecture weights on the supernet, a LUT hardware "
      "term, hardware genes evolved in an outer loop"};
  app.add_option("--config", o.config_path, "search config with a [differentiable] section")->required();
  app.add_option("--out", o.out_dir, "run directory")->required();
  app.add_flag("--resume", o.resume, "continue from <out>/checkpoint.json");
  app.add_option("--workers", o.workers, "inner searches at a time (default: [search] workers, else cores)");
  app.add_option("--stop-after", o.stop_after, "stop after this many outer generations (resume later)");
  bool keys = false;
  app.add_flag("--keys", keys, "print the [differentiable] keys and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (keys) {
      std::cout << imc::nas::differentiable::document_differentiable_keys();
      return 0;
    }
    return app.exit(e);
  }
  if (keys) {
    std::cout << imc::nas::differentiable::document_differentiable_keys();
    return 0;
  }
  try {
    std::cout << imc::nas::differentiable::run_differentiable(o).dump(1) << "\n";
  } catch (const imc::common::InputError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  return 0;
}
