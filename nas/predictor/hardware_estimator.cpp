#include "nas/predictor/hardware_estimator.h"

#include <fmt/format.h>

#include <random>

#include "arch/fields.h"
#include "common/config.h"
#include "common/hash.h"
#include "nas/decode.h"

namespace imc::nas::predictor {

std::vector<Genome> sample_valid_genomes(const EstimatorContext& ctx, std::size_t count, std::uint64_t seed) {
  const SearchSpace& space = *ctx.space;
  std::mt19937_64 rng(seed);
  std::vector<Genome> out;
  const std::vector<std::size_t> card = space.cardinalities();
  for (std::size_t draw = 0; out.size() < count && draw < 50 * count; ++draw) {
    Genome g(card.size());
    for (std::size_t i = 0; i < card.size(); ++i)
      g[i] = static_cast<int>(std::uniform_int_distribution<std::size_t>(0, card[i] - 1)(rng));
    if (!space.check(g).ok()) continue;
    try {
      decode_hardware(ctx.base, space, g, ctx.tech_dir);
      decode_network(network_params(ctx.network_defaults, space, g), "sample");
    } catch (const DecodeError&) {
      continue;
    }
    out.push_back(std::move(g));
  }
  return out;
}

nlohmann::json estimator_key(const EstimatorContext& ctx, const nlohmann::json& settings) {
  arch::ArchSpec spec = ctx.base;  // dump_fields reads through non-const references
  arch::TechSpec tech = ctx.base.tech;
  const nlohmann::json chip = {
      {"arch", common::dump_fields([&](common::Fields& f) { arch::describe(f, spec); })},
      {"tech", common::dump_fields([&](common::Fields& f) { arch::describe(f, tech); })}};
  return {
      {"space", ctx.space->fingerprint()},
      {"arch", fmt::format("{} ({})", common::hash_hex(common::hash64(chip.dump())), ctx.base_arch_file)},
      {"mapping", fmt::format("schedule {}, batch {}, overflow {}", static_cast<int>(ctx.mapping.schedule),
                              ctx.mapping.batch, static_cast<int>(ctx.mapping.overflow))},
      {"settings", settings}};
}

void check_estimator_key(const std::string& file, const nlohmann::json& stored,
                         const nlohmann::json& expected) {
  for (const char* part : {"space", "arch", "mapping", "settings"}) {
    const nlohmann::json mine = expected.at(part);
    const nlohmann::json theirs =
        stored.is_object() && stored.contains(part) ? stored.at(part) : nlohmann::json();
    if (mine == theirs) continue;
    auto text = [](const nlohmann::json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); };
    throw common::InputError(fmt::format(
        "{}: key '{}': this file was built for another {} ({}); allowed here: only a file built for {} "
        "(delete the file or name another one)",
        file, part, part, text(theirs), text(mine)));
  }
}

}  // namespace imc::nas::predictor
