#include "nas/supernet/evaluate.h"

#include "nas/supernet/inherited.h"
#include "nas/supernet/train.h"

namespace imc::nas::supernet {

namespace {

// With o.threads torch threads: the subnet exported from the supernet of `file` (loaded once per
// process) after recalibration, and the data set it is scored (or fine-tuned) on.
std::pair<accuracy::GraphNet, const accuracy::Dataset*> exported(const SupernetSpace& space,
                                                                 const Subnet& subnet,
                                                                 const std::string& file,
                                                                 const accuracy::AccuracyOptions& o) {
  accuracy::configure_threads(o.threads);
  const accuracy::Dataset& data = accuracy::cached_dataset(o.dataset_dir);
  Supernet& net =
      loaded_once<Supernet>(file, "supernet", [&] { return Supernet(space, o.supernet.train.supernet); });
  return {recalibrated_export(net, subnet, data, o), &data};
}

}  // namespace

nlohmann::json prepare_supernet(const SupernetSpace& space, const accuracy::AccuracyOptions& o) {
  const SupernetTrainOptions& t = o.supernet.train;
  const std::string key = supernet_key(space, t);
  return find_or_train(key, supernet_file_name(key), o,
                       [&](const accuracy::Dataset& data, const std::string& dir) {
                         Supernet net(space, t.supernet);
                         const SupernetTrainStats st = train_supernet(net, data.train, t, o.log);
                         return std::pair{st, save_supernet(net, dir, key)};
                       });
}

accuracy::AccuracyResult evaluate_subnet(const arch::ArchSpec& spec, const SupernetSpace& space,
                                         const Subnet& subnet, const std::string& file,
                                         const accuracy::AccuracyOptions& o) {
  auto [g, data] = exported(space, subnet, file, o);
  accuracy::AccuracyResult r = inherited_result(subnet, file);
  score_network(spec, g, *data, o, r);
  return r;
}

accuracy::AccuracyResult finetune_subnet(const arch::ArchSpec& spec, const SupernetSpace& space,
                                         const Subnet& subnet, const std::string& file,
                                         const accuracy::AccuracyOptions& o) {
  auto [g, data] = exported(space, subnet, file, o);
  accuracy::TrainOptions t = o.train;
  t.epochs = o.supernet.finetune_epochs;
  t.train_subset = 0;
  t.learning_rate = (t.learning_rate > 0 ? t.learning_rate : 1e-3) / 10;  // inherited weights: small steps
  accuracy::AccuracyResult r = inherited_result(subnet, file);
  r.from_cache = false;
  const accuracy::TrainStats st = accuracy::train(g, data->train, t, o.log);
  r.train_images = data->train.count;
  r.train_seconds = st.seconds;
  score_network(spec, g, *data, o, r);
  return r;
}

}  // namespace imc::nas::supernet
