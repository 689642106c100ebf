#include "python/py_convert.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <sstream>

#include "common/config.h"

namespace py = pybind11;

namespace imc::python {

py::object to_python(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return py::none();
    case nlohmann::json::value_t::boolean:
      return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return py::int_(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return py::int_(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return py::float_(j.get<double>());
    case nlohmann::json::value_t::string:
      return py::str(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      py::list l;
      for (const auto& x : j) l.append(to_python(x));
      return l;
    }
    case nlohmann::json::value_t::object: {
      py::dict d;
      for (const auto& [k, v] : j.items()) d[py::str(k)] = to_python(v);
      return d;
    }
    default:
      return py::none();
  }
}

namespace {

toml::table to_table(const py::dict& d, const std::string& path);
toml::array to_array(const py::handle& seq, const std::string& path);

// Hands `put` the TOML value of `v` (a bool, integer, float, string, table or array).
template <class Put>
void convert(const py::handle& v, const std::string& path, Put&& put) {
  // bool before int: Python's bool is an int.
  if (py::isinstance<py::bool_>(v))
    put(v.cast<bool>());
  else if (py::isinstance<py::int_>(v))
    put(v.cast<std::int64_t>());
  else if (py::isinstance<py::float_>(v))
    put(v.cast<double>());
  else if (py::isinstance<py::str>(v))
    put(v.cast<std::string>());
  else if (py::isinstance<py::dict>(v))
    put(to_table(v.cast<py::dict>(), path));
  else if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v))
    put(to_array(v, path));
  else
    throw common::InputError(fmt::format("{}: a value must be a bool, int, float, str, list or dict, got {}",
                                         path, std::string(py::str(v.get_type().attr("__name__")))));
}

toml::table to_table(const py::dict& d, const std::string& path) {
  toml::table t;
  for (const auto& [k, x] : d) {
    if (!py::isinstance<py::str>(k))
      throw common::InputError(fmt::format("{}: keys must be strings, got {}", path.empty() ? "dict" : path,
                                           std::string(py::repr(k))));
    const std::string name = k.cast<std::string>();
    convert(x, path.empty() ? name : path + "." + name,
            [&](auto&& value) { t.insert(name, std::forward<decltype(value)>(value)); });
  }
  return t;
}

toml::array to_array(const py::handle& seq, const std::string& path) {
  toml::array a;
  for (const py::handle& x : seq)
    convert(x, path + "[]", [&](auto&& value) { a.push_back(std::forward<decltype(value)>(value)); });
  return a;
}

}  // namespace

std::string dict_to_toml(const py::dict& d) {
  std::ostringstream os;
  os << to_table(d, "") << "\n";
  return os.str();
}

std::string value_text(const py::handle& v, const std::string& key) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(v)) return std::to_string(v.cast<std::int64_t>());
  if (py::isinstance<py::float_>(v)) return fmt::format("{}", v.cast<double>());
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  throw common::InputError(fmt::format("{}: expected a bool, int, float or str, got {}", key,
                                       std::string(py::str(v.get_type().attr("__name__")))));
}

}  // namespace imc::python
