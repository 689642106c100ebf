#include "nas/supernet/evaluate.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

#include "common/config.h"
#include "nas/accuracy/score.h"
#include "nas/accuracy/train.h"
#include "nas/supernet/train.h"

namespace imc::nas::supernet {
namespace fs = std::filesystem;

namespace {

// The supernet of a file, loaded once per process (a worker scores many candidates with it).
Supernet& loaded_supernet(const SupernetSpace& space, const SupernetOptions& options,
                          const std::string& file) {
  static std::map<std::string, Supernet> loaded;
  auto it = loaded.find(file);
  if (it != loaded.end()) return it->second;
  Supernet net(space, options);
  try {
    torch::load(net, file);
  } catch (const std::exception& e) {
    throw common::InputError(fmt::format("{}: cannot load the supernet ({})", file, e.what()));
  }
  net->eval();
  return loaded.emplace(file, net).first->second;
}

// A subnet with its own statistics, exported: the GraphNet every score starts from.
accuracy::GraphNet exported(Supernet& net, const Subnet& subnet, const accuracy::Dataset& data,
                            const accuracy::AccuracyOptions& o) {
  const std::int64_t n = std::min(o.supernet.recalibration_images, data.train.count);
  net->recalibrate(subnet, accuracy::image_tensor(data.train, 0, n), accuracy::Precision::Quantized);
  return net->export_subnet(subnet, "subnet").net;
}

accuracy::AccuracyResult result_header(const Subnet& subnet, const std::string& file) {
  accuracy::AccuracyResult r;
  r.workload = to_string(subnet);
  r.weights_file = file;
  r.from_cache = true;
  r.weight_bits = subnet.weight_bits;
  r.input_bits = subnet.activation_bits;
  return r;
}

}  // namespace

nlohmann::json prepare_supernet(const SupernetSpace& space, const accuracy::AccuracyOptions& o) {
  const SupernetTrainOptions& t = o.supernet.train;
  const std::string key = supernet_key(space, t);
  nlohmann::json out{{"key", key}, {"train_seconds", 0.0}};
  for (const auto& [dir, source] :
       {std::pair{o.supernet.shipped_dir, "shipped"}, std::pair{o.cache_dir, "cache"}})
    if (!dir.empty() && fs::exists(fs::path(dir) / supernet_file_name(key))) {
      out["file"] = (fs::path(dir) / supernet_file_name(key)).string();
      out["source"] = source;
      return out;
    }
  if (o.cache_dir.empty())
    throw common::InputError(
        "accuracy: method = \"supernet\" needs a cache folder to keep the trained supernet");
  accuracy::configure_threads(o.supernet.train_threads);
  const accuracy::Dataset& data = accuracy::cached_dataset(o.dataset_dir);
  torch::manual_seed(t.seed);  // the initial weights
  Supernet net(space, t.supernet);
  const SupernetTrainStats st = train_supernet(net, data.train, t, o.log);
  out["file"] = save_supernet(net, o.cache_dir, key);
  out["source"] = "trained";
  out["train_seconds"] = st.seconds;
  out["epoch_seconds"] = st.epoch_seconds;
  out["epoch_loss_largest"] = st.epoch_loss_largest;
  return out;
}

accuracy::AccuracyResult evaluate_subnet(const arch::ArchSpec& spec, const SupernetSpace& space,
                                         const Subnet& subnet, const std::string& file,
                                         const accuracy::AccuracyOptions& o) {
  accuracy::configure_threads(o.threads);
  const accuracy::Dataset& data = accuracy::cached_dataset(o.dataset_dir);
  Supernet& net = loaded_supernet(space, o.supernet.train.supernet, file);
  accuracy::GraphNet g = exported(net, subnet, data, o);
  accuracy::AccuracyResult r = result_header(subnet, file);
  score_network(spec, g, data, o, r);
  return r;
}

accuracy::AccuracyResult finetune_subnet(const arch::ArchSpec& spec, const SupernetSpace& space,
                                         const Subnet& subnet, const std::string& file,
                                         const accuracy::AccuracyOptions& o) {
  accuracy::configure_threads(o.threads);
  const accuracy::Dataset& data = accuracy::cached_dataset(o.dataset_dir);
  Supernet& net = loaded_supernet(space, o.supernet.train.supernet, file);
  accuracy::GraphNet g = exported(net, subnet, data, o);
  accuracy::TrainOptions t = o.train;
  t.epochs = o.supernet.finetune_epochs;
  t.train_subset = 0;
  t.learning_rate = (t.learning_rate > 0 ? t.learning_rate : 1e-3) / 10;  // inherited weights: small steps
  accuracy::AccuracyResult r = result_header(subnet, file);
  r.from_cache = false;
  const accuracy::TrainStats st = accuracy::train(g, data.train, t, o.log);
  r.train_images = data.train.count;
  r.train_seconds = st.seconds;
  score_network(spec, g, data, o, r);
  return r;
}

}  // namespace imc::nas::supernet
