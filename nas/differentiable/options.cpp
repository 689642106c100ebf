#include "nas/differentiable/options.h"

#include <fmt/format.h>

#include <cmath>

namespace imc::nas::differentiable {

void describe(common::Fields& f, DifferentiableOptions& o) {
  f.choice("outer_optimizer", o.outer_optimizer,
           {"nsga2",
            {"nsga2", "random"},
            "the ask/tell optimizer (nas/optimizer.h) evolving the hardware genes of the outer loop"});
  f.integer("outer_population", o.outer_population,
            {8, 2, 1024, "genomes", "hardware genomes per outer generation (nsga2: a multiple of 4, >= 8)"});
  f.integer("outer_generations", o.outer_generations,
            {3, 1, 10000, "generations", "outer generations (each: one inner search per hardware genome)"});
  f.integer("inner_steps", o.inner_steps,
            {30, 1, 1000000, "steps", "architecture-gradient steps of one inner search"});
  f.integer("batch_size", o.batch_size, {64, 2, 4096, "images", "images per inner step"});
  f.integer("train_images", o.train_images,
            {2000, 2, 60000, "images", "first N Fashion-MNIST training images the inner loop reads"});
  f.real("arch_learning_rate", o.arch_learning_rate,
         {0.1, 1e-6, 100, "", "Adam learning rate of the architecture logits"});
  f.real("tau_start", o.tau_start,
         {5.0, 0.01, 100, "", "Gumbel-softmax temperature at the first inner step (decays geometrically)"});
  f.real("tau_end", o.tau_end, {0.5, 0.01, 100, "", "temperature at the last inner step (<= tau_start)"});
  f.rule("tau_end", [&o] {
    return o.tau_end <= o.tau_start
               ? std::string()
               : fmt::format("tau_end = {} is above tau_start = {}: the temperature must not grow", o.tau_end,
                             o.tau_start);
  });
  f.real("lambda", o.lambda,
         {1.0, 0, 1e6, "",
          "weight of the expected hardware cost (each objective divided by its mean over the space's "
          "networks on the current chip) beside the cross-entropy; 0 = accuracy only"});
  f.integer(
      "lambda_levels", o.lambda_levels,
      {1, 1, 16, "values",
       "1: every inner search uses lambda; > 1: lambda is a gene of the outer loop taking lambda / 3^k, "
       "k = levels-1 .. 0, so the outer optimizer chooses each chip's accuracy / cost trade-off"});
  f.real("energy_weight", o.energy_weight, {1, 0, 1e6, "", "energy's share of the hardware cost"});
  f.real("latency_weight", o.latency_weight, {1, 0, 1e6, "", "latency's share of the hardware cost"});
  f.real("area_weight", o.area_weight, {1, 0, 1e6, "", "area's share of the hardware cost"});
  f.rule("area_weight", [&o] {
    return o.energy_weight + o.latency_weight + o.area_weight > 0
               ? std::string()
               : std::string(
                     "energy_weight, latency_weight and area_weight are all 0: at least one must be > 0");
  });
  f.integer("weight_steps", o.weight_steps,
            {0, 0, 1000, "steps",
             "supernet weight steps after every architecture step (DARTS' alternation, first order); 0 = "
             "the supernet's weights are inherited unchanged"});
  f.real("weight_learning_rate", o.weight_learning_rate,
         {1e-4, 1e-8, 1, "", "Adam learning rate of the supernet weights when weight_steps > 0"});
  f.integer("max_subnets", o.max_subnets,
            {4096, 1, 1000000, "networks",
             "largest number of networks (product of the network genes' choices) the exact expectation "
             "enumerates; a larger space is rejected"});
  f.integer("seed", o.seed, {1, 0, 2147483647, "", "Gumbel noise, batches and the outer optimizer"});
  f.rule("outer_population", [&o] {
    if (o.outer_optimizer == "nsga2" && (o.outer_population < 8 || o.outer_population % 4 != 0))
      return fmt::format("outer_population = {}: nsga2 needs a multiple of 4, at least 8",
                         o.outer_population);
    return std::string();
  });
}

std::vector<double> lambda_values(const DifferentiableOptions& o) {
  std::vector<double> v;
  for (std::int64_t k = o.lambda_levels - 1; k >= 0; --k) v.push_back(o.lambda / std::pow(3.0, double(k)));
  return v;
}

DifferentiableOptions read_differentiable_options(const std::string& config_path) {
  const common::ConfigNode root = common::ConfigNode::parse_file(config_path);
  DifferentiableOptions o;
  const common::ConfigNode n = root.get("differentiable");
  const auto body = [&o](common::Fields& f) { describe(f, o); };
  if (!n.valid()) {
    common::default_fields(body);
    return o;
  }
  if (!n.is_table()) n.fail("must be a table");
  common::read_fields(n, body);
  return o;
}

std::string document_differentiable_keys() {
  return common::document_fields([](common::Fields& f) {
    DifferentiableOptions o;
    describe(f, o);
  });
}

}  // namespace imc::nas::differentiable
