#include "nas/supernet/inherited.h"

#include <filesystem>

namespace imc::nas::supernet {
namespace fs = std::filesystem;

nlohmann::json find_or_train(const std::string& key, const std::string& file_name,
                             const accuracy::AccuracyOptions& o, const TrainAndSave& train) {
  nlohmann::json out{{"key", key}, {"train_seconds", 0.0}};
  for (const auto& [dir, source] :
       {std::pair{o.supernet.shipped_dir, "shipped"}, std::pair{o.cache_dir, "cache"}})
    if (!dir.empty() && fs::exists(fs::path(dir) / file_name)) {
      out["file"] = (fs::path(dir) / file_name).string();
      out["source"] = source;
      return out;
    }
  if (o.cache_dir.empty())
    throw common::InputError(
        "accuracy: method = \"supernet\" needs a cache folder to keep the trained supernet");
  accuracy::configure_threads(o.supernet.train_threads);
  const accuracy::Dataset& data = accuracy::cached_dataset(o.dataset_dir);
  torch::manual_seed(o.supernet.train.seed);  // the initial weights
  const auto [st, file] = train(data, o.cache_dir);
  out["file"] = file;
  out["source"] = "trained";
  out["train_seconds"] = st.seconds;
  out["epoch_seconds"] = st.epoch_seconds;
  out["epoch_loss_largest"] = st.epoch_loss_largest;
  return out;
}

}  // namespace imc::nas::supernet
