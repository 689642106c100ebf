// Builds small ONNX models in the test through the protobuf API (nothing is downloaded), the way
// torch.onnx.export lays them out: weights as initializers, a symbolic batch dimension, names like
// "/layer/Conv".
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace imc::test {

class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 13, const std::string& name = "test_net") {
    m_.set_ir_version(opset >= 15 ? 8 : 7);
    m_.set_producer_name("pytorch");
    auto* op = m_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    g_ = m_.mutable_graph();
    g_->set_name(name);
  }

  // A model input; dims[0] < 0 makes the batch symbolic ("batch_size"), as dynamic_axes does.
  void input(const std::string& name, const std::vector<std::int64_t>& dims,
             int type = ::onnx::TensorProto::FLOAT) {
    auto* v = g_->add_input();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    for (auto d : dims) {
      auto* dim = t->mutable_shape()->add_dim();
      if (d < 0)
        dim->set_dim_param("batch_size");
      else
        dim->set_dim_value(d);
    }
  }
  void output(const std::string& name) {
    auto* v = g_->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(::onnx::TensorProto::FLOAT);
  }
  // A float weight (zeros: values never matter to the importer), stored as raw data.
  const std::string& weight(const std::string& name, const std::vector<std::int64_t>& dims) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto::FLOAT);
    std::int64_t n = 1;
    for (auto d : dims) t->add_dims(d), n *= d;
    t->mutable_raw_data()->assign(static_cast<std::size_t>(n) * 4, '\0');
    return name;
  }
  const std::string& ints(const std::string& name, const std::vector<std::int64_t>& values) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto::INT64);
    t->add_dims(static_cast<std::int64_t>(values.size()));
    for (auto v : values) t->add_int64_data(v);
    return name;
  }
  // A scalar from a Constant node (torch emits those for literals in the forward code).
  const std::string& scalar(const std::string& name, float value) {
    auto& n = node("Constant", {}, {name});
    auto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(::onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(::onnx::TensorProto::FLOAT);
    a->mutable_t()->add_float_data(value);
    return name;
  }

  ::onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins,
                          const std::vector<std::string>& outs, const std::string& name = "") {
    auto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? "/" + op + "_" + std::to_string(g_->node_size()) : name);
    for (const auto& s : ins) n->add_input(s);
    for (const auto& s : outs) n->add_output(s);
    return *n;
  }

  static void attr(::onnx::NodeProto& n, const std::string& name, std::int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(::onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  static void attr(::onnx::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(::onnx::NodeProto& n, const std::string& name, const char* v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::STRING);
    a->set_s(v);
  }

  ::onnx::ModelProto& model() { return m_; }

  std::string save(const std::string& file) const {
    std::string path = (std::filesystem::temp_directory_path() / file).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!m_.SerializeToOstream(&out)) throw std::runtime_error("cannot write " + path);
    return path;
  }

 private:
  ::onnx::ModelProto m_;
  ::onnx::GraphProto* g_;
};

}  // namespace imc::test
