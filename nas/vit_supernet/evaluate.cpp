#include "nas/vit_supernet/evaluate.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "common/config.h"
#include "nas/accuracy/score.h"
#include "nas/accuracy/train.h"
#include "nas/vit_supernet/train.h"

namespace imc::nas::vit_supernet {
namespace fs = std::filesystem;

namespace {

VitSupernet& loaded(const VitSupernetSpace& space, double noise_sigma, const std::string& file) {
  static std::map<std::string, VitSupernet> nets;  // a worker scores many candidates with one
  auto it = nets.find(file);
  if (it != nets.end()) return it->second;
  std::optional<VitSupernet> net = load_vit_supernet(space, noise_sigma, file);
  if (!net) throw common::InputError(fmt::format("{}: cannot load the ViT supernet", file));
  return nets.emplace(file, *net).first->second;
}

}  // namespace

nlohmann::json prepare_vit_supernet(const VitSupernetSpace& space, const accuracy::AccuracyOptions& o) {
  const supernet::SupernetTrainOptions& t = o.supernet.train;
  const std::string key = vit_supernet_key(space, t);
  nlohmann::json out{{"key", key}, {"train_seconds", 0.0}};
  for (const auto& [dir, source] :
       {std::pair{o.supernet.shipped_dir, "shipped"}, std::pair{o.cache_dir, "cache"}})
    if (!dir.empty() && fs::exists(fs::path(dir) / vit_supernet_file_name(key))) {
      out["file"] = (fs::path(dir) / vit_supernet_file_name(key)).string();
      out["source"] = source;
      return out;
    }
  if (o.cache_dir.empty())
    throw common::InputError(
        "accuracy: method = \"supernet\" needs a cache folder to keep the trained supernet");
  accuracy::configure_threads(o.supernet.train_threads);
  const accuracy::Dataset& data = accuracy::cached_dataset(o.dataset_dir);
  torch::manual_seed(t.seed);
  VitSupernet net(space, t.supernet.noise_sigma);
  const VitTrainStats st = train_vit_supernet(net, data.train, t, o.log);
  out["file"] = save_vit_supernet(net, o.cache_dir, key);
  out["source"] = "trained";
  out["train_seconds"] = st.seconds;
  out["epoch_seconds"] = st.epoch_seconds;
  out["epoch_loss_largest"] = st.epoch_loss_largest;
  return out;
}

accuracy::AccuracyResult evaluate_vit_subnet(const arch::ArchSpec& spec, const VitSupernetSpace& space,
                                             const VitSubnet& subnet, const std::string& file,
                                             const accuracy::AccuracyOptions& o) {
  accuracy::configure_threads(o.threads);
  const accuracy::Dataset& data = accuracy::cached_dataset(o.dataset_dir);
  VitSupernet& net = loaded(space, o.supernet.train.supernet.noise_sigma, file);
  const std::int64_t n = std::min(o.supernet.recalibration_images, data.train.count);
  net->recalibrate(subnet, accuracy::image_tensor(data.train, 0, n), accuracy::Precision::Quantized);
  accuracy::GraphNet g = net->export_subnet(subnet, "subnet").net;
  accuracy::AccuracyResult r;
  r.workload = to_string(subnet);
  r.weights_file = file;
  r.from_cache = true;
  r.weight_bits = subnet.weight_bits;
  r.input_bits = subnet.activation_bits;
  score_network(spec, g, data, o, r);
  return r;
}

}  // namespace imc::nas::vit_supernet
