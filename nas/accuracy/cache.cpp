#include "nas/accuracy/cache.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "common/config.h"
#include "common/hash.h"
#include "nas/accuracy/accuracy.h"

namespace imc::nas::accuracy {
namespace fs = std::filesystem;

namespace {
// Bump when the module layout or the training procedure changes, so stale weights are not reused.
constexpr int kFormatVersion = 2;  // 2: data-parallel training in shards (ghost batch norm)

}  // namespace

std::string canonical_graph(const workloads::Graph& g) {
  std::string s;
  for (const auto& n : g.nodes()) {
    s +=
        fmt::format("{}|{}|{}|", workloads::to_string(n.op), fmt::join(n.inputs, ","), fmt::join(n.out, ","));
    s += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}|", n.in_channels, n.out_channels, n.kernel_h,
                     n.kernel_w, n.stride_h, n.stride_w, n.pad_h, n.pad_w, n.dilation_h, n.dilation_w,
                     n.groups, n.bias);
    s += fmt::format("{},{},{},{},{}|", n.in_features, n.out_features, workloads::to_string(n.act), n.axis,
                     workloads::to_string(n.move));
    s += fmt::format("{}|{},{},{},{}\n", fmt::join(n.perm, ","), n.start, n.step, n.pad_before,
                     n.learned_params);
  }
  return s;
}

std::string training_key(const workloads::Graph& g, int weight_bits, int input_bits, const TrainOptions& o) {
  const std::string settings =
      fmt::format("v{}|fashion-mnist|wb{}|ib{}|e{}|n{}|b{}|{}|lr{}|s{}|qat{}|noise{}", kFormatVersion,
                  weight_bits, input_bits, o.epochs, o.train_subset, o.batch_size, to_string(o.optimizer),
                  o.learning_rate, o.seed, o.quantization_aware, o.noise_sigma);
  return fmt::format("{:016x}", common::fnv1a64(canonical_graph(g) + settings));
}

std::string cache_path(const std::string& dir, const std::string& graph_name, const std::string& key,
                       const std::string& ext) {
  std::string safe = graph_name;
  for (char& c : safe)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return (fs::path(dir) / fmt::format("{}-{}.{}", safe, key, ext)).string();
}

std::optional<nlohmann::json> load_cached(GraphNet& net, const std::string& dir, const std::string& key) {
  if (dir.empty()) return std::nullopt;
  const std::string pt = cache_path(dir, net->graph().name(), key, "pt");
  const std::string js = cache_path(dir, net->graph().name(), key, "json");
  if (!fs::exists(pt) || !fs::exists(js)) return std::nullopt;
  try {
    std::ifstream in(js);
    nlohmann::json record = nlohmann::json::parse(in);
    torch::load(net, pt);
    net->eval();
    return record;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable or from another layout: train again and overwrite
  }
}

std::string save_cached(GraphNet& net, const std::string& dir, const std::string& key,
                        const nlohmann::json& record) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw common::InputError(
        fmt::format("{}: cannot create the accuracy cache folder ({})", dir, ec.message()));
  const std::string pt = cache_path(dir, net->graph().name(), key, "pt");
  const std::string js = cache_path(dir, net->graph().name(), key, "json");
  torch::save(net, pt + ".tmp");
  {
    std::ofstream out(js + ".tmp");
    out << record.dump(2) << "\n";
    if (!out) throw common::InputError(fmt::format("{}: cannot write", js));
  }
  fs::rename(pt + ".tmp", pt);
  fs::rename(js + ".tmp", js);
  return pt;
}

}  // namespace imc::nas::accuracy
