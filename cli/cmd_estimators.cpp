// imcsim estimators: the hardware-cost estimators of a search space (analytical model, lookup table,
// learned predictor) validated against SystemC on held-out designs (docs/estimators.md). The work runs
// in libimcsim_nas.so (XGBoost, libgomp), loaded here only.
#include <fmt/format.h>

#include <memory>

#include "cli/command.h"
#include "common/config.h"
#include "nas/predictor/estimators_plugin.h"

namespace imc::cli {
namespace {

const Command kEstimators{
    "estimators", "Validate the analytical, lookup-table and learned estimators against SystemC", 85,
    [](CLI::App& sub) -> Action {
      auto o = std::make_shared<nas::predictor::ValidationOptions>();
      sub.add_option("--config", o->config_path, "search TOML (its space, chip, [estimator] settings)")
          ->required();
      sub.add_option("--designs", o->designs, "held-out designs drawn (default 30)")
          ->check(CLI::Range(2, 100000));
      sub.add_option("--seed", o->seed, "draws the held-out designs");
      sub.add_option("--workers", o->workers,
                     "SystemC processes (default 1: the time per design is one core's)")
          ->check(CLI::Range(1, 1024));
      sub.add_option("--out", o->out_dir, "write estimators.json, estimators.csv and estimators.md here");
      return [o]() {
        const auto& plugin = nas::predictor::estimators_plugin();
        const nlohmann::json result = plugin.validate(*o);
        fmt::print("{}", plugin.table(result));
        return 0;
      };
    }};

}  // namespace
}  // namespace imc::cli
