// The zoo registry: names, descriptions and suites of the built-in networks.
#include "workloads/zoo.h"

#include <fmt/format.h>

#include <functional>

#include "common/config.h"
#include "workloads/zoo_nets.h"

namespace imc::workloads {

namespace {

struct Entry {
  const char* name;
  Graph (*build)();
  const char* description;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      {"resnet18", zoo::resnet18, "ResNet-18 (torchvision), 3x224x224"},
      {"resnet50", zoo::resnet50, "ResNet-50 v1.5 (torchvision), 3x224x224"},
      {"vgg16", zoo::vgg16, "VGG-16 (torchvision, no BN), 3x224x224"},
      {"alexnet", zoo::alexnet, "AlexNet (torchvision variant), 3x224x224"},
      {"mobilenetv3_large", zoo::mobilenetv3_large, "MobileNetV3-Large (torchvision), 3x224x224"},
      {"densenet201", zoo::densenet201, "DenseNet-201 (torchvision), 3x224x224"},
      {"vit_b16", zoo::vit_b16, "ViT-B/16 (torchvision), 3x224x224, 197 tokens"},
      {"mobilebert", zoo::mobilebert, "MobileBERT encoder (HF google/mobilebert-uncased), seq 128"},
      {"gpt2_medium", zoo::gpt2_medium, "GPT-2 medium with tied LM head on all tokens, seq 256"},
      {"vgg8", zoo::vgg8, "VGG-8 (DNN+NeuroSim), CIFAR-10 3x32x32, 10 classes"},
      {"resnet20", zoo::resnet20, "ResNet-20 (He et al., option A), CIFAR-10 3x32x32, 10 classes"},
      {"fmnist_cnn", zoo::fmnist_cnn,
       "larger Fashion-MNIST CNN (conv32, conv64, fc128), 1x28x28, 10 classes"},
      {"fmnist_small", zoo::fmnist_small,
       "reference Fashion-MNIST CNN (accuracy benchmark), 1x28x28, 10 classes"},
  };
  return e;
}

struct Suite {
  const char* name;
  std::vector<std::string> members;
};

const std::vector<Suite>& suites() {
  static const std::vector<Suite> s = [] {
    std::vector<Suite> v = {
        {"imagenet4", {"resnet18", "vgg16", "alexnet", "mobilenetv3_large"}},
        {"mixed9",
         {"resnet18", "vgg16", "alexnet", "mobilenetv3_large", "resnet50", "densenet201", "vit_b16",
          "mobilebert", "gpt2_medium"}},
        {"cifar2", {"vgg8", "resnet20"}},
        {"all", {}},
    };
    for (const auto& e : entries()) v.back().members.emplace_back(e.name);
    return v;
  }();
  return s;
}

std::string known_list() {
  return fmt::format("known networks: {}; suites: {}", fmt::join(zoo_names(), ", "),
                     fmt::join(suite_names(), ", "));
}

}  // namespace

std::vector<std::string> zoo_names() {
  std::vector<std::string> n;
  for (const auto& e : entries()) n.emplace_back(e.name);
  return n;
}

bool is_zoo_name(const std::string& name) {
  for (const auto& e : entries())
    if (name == e.name) return true;
  return false;
}

std::string zoo_description(const std::string& name) {
  for (const auto& e : entries())
    if (name == e.name) return e.description;
  return "";
}

Graph zoo_network(const std::string& name) {
  for (const auto& e : entries())
    if (name == e.name) return e.build();
  throw common::InputError(fmt::format("unknown zoo network '{}'; {}", name, known_list()));
}

std::vector<std::string> suite_names() {
  std::vector<std::string> n;
  for (const auto& s : suites()) n.emplace_back(s.name);
  return n;
}

bool is_suite_name(const std::string& name) {
  for (const auto& s : suites())
    if (name == s.name) return true;
  return false;
}

std::vector<std::string> suite(const std::string& name) {
  for (const auto& s : suites())
    if (name == s.name) return s.members;
  throw common::InputError(
      fmt::format("unknown suite '{}'; suites: {}", name, fmt::join(suite_names(), ", ")));
}

}  // namespace imc::workloads
