#include "nas/vit_supernet/evaluate.h"

#include "nas/supernet/inherited.h"
#include "nas/vit_supernet/train.h"

namespace imc::nas::vit_supernet {

nlohmann::json prepare_vit_supernet(const VitSupernetSpace& space, const accuracy::AccuracyOptions& o) {
  const supernet::SupernetTrainOptions& t = o.supernet.train;
  const std::string key = vit_supernet_key(space, t);
  return supernet::find_or_train(
      key, vit_supernet_file_name(key), o, [&](const accuracy::Dataset& data, const std::string& dir) {
        VitSupernet net(space, t.supernet.noise_sigma);
        const supernet::SupernetTrainStats st = train_vit_supernet(net, data.train, t, o.log);
        return std::pair{st, save_vit_supernet(net, dir, key)};
      });
}

accuracy::AccuracyResult evaluate_vit_subnet(const arch::ArchSpec& spec, const VitSupernetSpace& space,
                                             const VitSubnet& subnet, const std::string& file,
                                             const accuracy::AccuracyOptions& o) {
  accuracy::configure_threads(o.threads);
  const accuracy::Dataset& data = accuracy::cached_dataset(o.dataset_dir);
  const double noise_sigma = o.supernet.train.supernet.noise_sigma;
  VitSupernet& net = supernet::loaded_once<VitSupernet>(file, "ViT supernet",
                                                        [&] { return VitSupernet(space, noise_sigma); });
  accuracy::GraphNet g = supernet::recalibrated_export(net, subnet, data, o);
  accuracy::AccuracyResult r = supernet::inherited_result(subnet, file);
  score_network(spec, g, data, o, r);
  return r;
}

}  // namespace imc::nas::vit_supernet
