#include "nas/supernet/validate.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/config.h"

namespace imc::nas::supernet {

std::string standalone_csv_header() {
  return "subnet,epochs,batch_size,learning_rate,seed,test_images,float_accuracy,quantized_accuracy,"
         "train_seconds";
}

std::vector<StandaloneRecord> read_standalone_csv(const std::string& path) {
  std::vector<StandaloneRecord> out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == standalone_csv_header()) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
    if (f.size() != 9)
      throw common::InputError(
          fmt::format("{}:{}: {} fields, expected 9 ({})", path, line_no, f.size(), standalone_csv_header()));
    try {
      StandaloneRecord r;
      r.subnet = f[0];
      r.epochs = std::stoi(f[1]);
      r.batch_size = std::stoi(f[2]);
      r.learning_rate = std::stod(f[3]);
      r.seed = std::stoull(f[4]);
      r.test_images = std::stoll(f[5]);
      r.float_accuracy = std::stod(f[6]);
      r.quantized_accuracy = std::stod(f[7]);
      r.train_seconds = std::stod(f[8]);
      out.push_back(r);
    } catch (const std::logic_error&) {  // stoi and friends: not a number
      throw common::InputError(fmt::format("{}:{}: a field is not a number: '{}'", path, line_no, line));
    }
  }
  return out;
}

void append_standalone_csv(const std::string& path, const StandaloneRecord& r) {
  const bool fresh = !std::filesystem::exists(path) || std::filesystem::file_size(path) == 0;
  std::ofstream out(path, std::ios::app);
  if (!out) throw common::InputError(fmt::format("{}: cannot write the stand-alone results", path));
  if (fresh) out << standalone_csv_header() << '\n';
  out << fmt::format("{},{},{},{},{},{},{:.4f},{:.4f},{:.1f}\n", r.subnet, r.epochs, r.batch_size,
                     r.learning_rate, r.seed, r.test_images, r.float_accuracy, r.quantized_accuracy,
                     r.train_seconds);
}

const StandaloneRecord* find_standalone(const std::vector<StandaloneRecord>& records,
                                        const StandaloneRecord& w) {
  for (const StandaloneRecord& r : records)
    if (r.subnet == w.subnet && r.epochs == w.epochs && r.batch_size == w.batch_size &&
        std::abs(r.learning_rate - w.learning_rate) <= 1e-12 * std::abs(w.learning_rate) &&
        r.seed == w.seed && r.test_images == w.test_images)
      return &r;
  return nullptr;
}

double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2)
    throw std::invalid_argument(fmt::format(
        "kendall_tau_b: {} and {} values (equal lengths of at least 2 needed)", x.size(), y.size()));
  double concordant = 0, discordant = 0, ties_x = 0, ties_y = 0, pairs = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = i + 1; j < x.size(); ++j) {
      const double dx = x[i] - x[j], dy = y[i] - y[j];
      ++pairs;
      if (dx == 0) ++ties_x;
      if (dy == 0) ++ties_y;
      if (dx == 0 || dy == 0) continue;
      (dx > 0) == (dy > 0) ? ++concordant : ++discordant;
    }
  const double denominator = std::sqrt((pairs - ties_x) * (pairs - ties_y));
  return denominator > 0 ? (concordant - discordant) / denominator : 0.0;
}

}  // namespace imc::nas::supernet
