// Conversions between Python objects and the formats imcsim's loaders read: JSON values (reports,
// summaries) to Python dicts and lists, and a Python dict to TOML text, so that Arch.from_dict goes
// through the very loader (and validation) an arch TOML file does.
#pragma once

#include <pybind11/pybind11.h>

#include <nlohmann/json.hpp>
#include <string>

namespace imc::python {

pybind11::object to_python(const nlohmann::json& j);

// {"chip": {"name": "x", ...}, "crossbar": {...}} -> "[chip]\nname = \"x\"\n...". Keys must be
// strings; values bool, int, float (NaN and inf included: the loader rejects them as it would in a
// file), str, lists of these, or nested dicts. Throws common::InputError for any other type.
std::string dict_to_toml(const pybind11::dict& d);

// A mapping/override value as the command line would give it ("16", "auto", "true").
std::string value_text(const pybind11::handle& v, const std::string& key);

}  // namespace imc::python
