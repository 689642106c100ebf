// The compiled part of the Python module (imported as imcsim._core; python/imcsim/__init__.py wraps
// the reports and adds from_torch and to_pandas). Each function goes through the same code as the
// matching command: the arch and mapping loaders and their declarations, the mapper and lowering,
// the analytical model in process, SystemC in a child process. InputError carries the message the
// CLI prints after "imcsim: error: ". The GIL is released while C++ works.
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "arch/cost.h"
#include "arch/load.h"
#include "arch/overrides.h"
#include "cli/arch_summary.h"
#include "cli/model_comparison.h"
#include "cli/pipeline.h"
#include "common/config.h"
#include "common/run_dir.h"
#include "mapping/mapping.h"
#include "nas/cosearch/config.h"
#include "nas/cosearch/cosearch.h"
#include "nas/cosearch/summary.h"
#include "nas/nas_plugin.h"
#include "nas/search/run.h"
#include "python/py_convert.h"
#include "sim/analytical/analytical_model.h"
#include "sim/systemc/systemc_model.h"
#include "workloads/activity.h"
#include "workloads/load.h"
#include "workloads/summary.h"

namespace py = pybind11;
using imc::common::InputError;

namespace imc::python {
namespace {

// The [mapping] keys estimate/simulate/validate accept as keyword arguments (the CLI's flags), plus
// `mapping` (a mapping TOML file) and `activity` (an activity JSON file).
cli::Session session_of(const arch::ArchSpec& spec, const workloads::Graph& graph, const py::dict& kwargs,
                        const char* function) {
  cli::Session s;
  s.spec = spec;
  s.costs = arch::cost::build(spec);
  std::string activity;
  for (const auto& [k, v] : kwargs) {
    const std::string key = k.cast<std::string>();
    const std::string origin = fmt::format("{}({}=...)", function, key);
    if (key == "mapping")
      s.options = mapping::load_mapping_options(v.cast<std::string>());
    else if (key == "activity")
      activity = v.cast<std::string>();
  }
  for (const auto& [k, v] : kwargs) {
    const std::string key = k.cast<std::string>();
    if (key == "mapping" || key == "activity") continue;
    const std::string origin = fmt::format("{}({}=...)", function, key);
    common::set_field([&](common::Fields& f) { mapping::describe(f, s.options); }, "mapping." + key,
                      value_text(v, origin), origin);
  }
  s.graphs = {graph};
  if (!activity.empty()) workloads::apply_activity_file(s.graphs[0], activity);
  return s;
}

py::dict report_dict(const sim::Report& r, const mapping::Program& program, const arch::ArchSpec& spec) {
  nlohmann::json j = cli::workload_json(r, program);
  j["arch"] = spec.chip.name;
  return to_python(j).cast<py::dict>();
}

py::dict estimate(const arch::ArchSpec& spec, const workloads::Graph& graph, const py::kwargs& kwargs) {
  const cli::Session s = session_of(spec, graph, kwargs, "estimate");
  sim::Report r;
  cli::Prepared p;
  {
    py::gil_scoped_release release;
    p = cli::prepare(s, s.graphs[0]);
    r = sim::AnalyticalModel().evaluate(s.spec, s.costs, p.program);
    r.eval_us += p.prepare_us;
  }
  return report_dict(r, p.program, spec);
}

py::dict simulate(const arch::ArchSpec& spec, const workloads::Graph& graph, bool ideal_buffers,
                  const py::kwargs& kwargs) {
  const cli::Session s = session_of(spec, graph, kwargs, "simulate");
  sim::Report r;
  cli::Prepared p;
  sim::ChildRunInfo info;
  {
    py::gil_scoped_release release;
    p = cli::prepare(s, s.graphs[0]);
    sim::SystemCOptions opt;
    opt.finite_buffers = !ideal_buffers;
    r = sim::run_systemc_in_child(s.spec, p.program, opt, &info);  // SystemC elaborates once per process
    r.eval_us += p.prepare_us;
  }
  py::dict d = report_dict(r, p.program, spec);
  d["systemc_wall_s"] = info.wall_s;
  d["systemc_peak_rss_kb"] = info.peak_rss_kb;
  return d;
}

// `imcsim validate --json`'s figures of one workload (cli/model_comparison.h, the same function):
// totals under "total" (gap, main stall, action counts, latency bound), per-layer figures with
// their main stall under "layers".
py::dict validate(const arch::ArchSpec& spec, const workloads::Graph& graph, bool ideal_buffers,
                  const py::kwargs& kwargs) {
  const cli::Session s = session_of(spec, graph, kwargs, "validate");
  nlohmann::json out;
  {
    py::gil_scoped_release release;
    const cli::Prepared p = cli::prepare(s, s.graphs[0]);
    const sim::Report a = sim::AnalyticalModel().evaluate(s.spec, s.costs, p.program);
    sim::SystemCOptions opt;
    opt.finite_buffers = !ideal_buffers;
    sim::ChildRunInfo info;
    const sim::Report c = sim::run_systemc_in_child(s.spec, p.program, opt, &info);
    nlohmann::json total = cli::compare_models(s.spec, s.costs, graph.name(), p.program, a, c, info);
    nlohmann::json layers = std::move(total.at("layers"));
    for (const char* moved : {"layers", "workload", "batch"}) total.erase(moved);
    out = {{"workload", graph.name()},
           {"arch", spec.chip.name},
           {"batch", p.program.batch},
           {"total", std::move(total)},
           {"layers", std::move(layers)}};
  }
  return to_python(out).cast<py::dict>();
}

arch::ArchSpec arch_from_dict(const py::dict& d, const std::string& name, const std::string& base_dir) {
  return arch::load_arch_string(dict_to_toml(d), name, base_dir);
}

arch::ArchSpec with_overrides(const arch::ArchSpec& spec, const py::dict& overrides,
                              const std::string& base_dir) {
  arch::ArchSpec out = spec;
  std::vector<arch::Override> list;
  for (const auto& [k, v] : overrides) {
    const std::string key = k.cast<std::string>();
    if (py::isinstance<py::str>(v))
      list.push_back({key, v.cast<std::string>()});
    else if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v))
      list.push_back({key, v.cast<double>()});
    else
      throw InputError(fmt::format("with_overrides: key '{}': expected a number or a string, got {}", key,
                                   std::string(py::str(v.get_type().attr("__name__")))));
  }
  arch::apply_overrides(out, list, base_dir);
  const auto problems = arch::check_arch(out);
  if (!problems.empty()) {
    std::string msg = fmt::format("{}: after overrides:", spec.source);
    for (const auto& p : problems) msg += fmt::format("\n  {}: {}", p.key, p.message);
    throw InputError(msg);
  }
  return out;
}

// An ONNX model given as bytes goes through the file importer (libimcsim_onnx.so) from a private
// temporary file named after the model, so messages name "<name>.onnx".
workloads::Graph workload_from_onnx_bytes(const py::bytes& data, const std::string& name) {
  const std::string bytes = data;
  py::gil_scoped_release release;
  std::random_device rd;
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("imcsim-onnx-{:x}", rd());
  std::filesystem::create_directories(dir);
  const auto path = dir / (name + ".onnx");
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{dir};
  {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) throw InputError(fmt::format("from_onnx_bytes: cannot write {}", path.string()));
  }
  return workloads::load_workload(path.string());
}

py::dict run_search(const std::string& config, const std::string& out, const py::kwargs& kwargs) {
  nas::search::RunOptions o;
  o.config_path = config;
  o.out_dir = out;
  o.progress = nullptr;
  for (const auto& [k, v] : kwargs) {
    const std::string key = k.cast<std::string>();
    if (key == "resume") {
      o.resume_dir = v.cast<std::string>();
    } else if (key == "hot_start") {
      o.hot_start = v.cast<std::string>();
    } else if (key == "optimizer") {
      o.optimizer = v.cast<std::string>();
    } else {
      std::optional<std::int64_t>* field = key == "seed"          ? &o.seed
                                           : key == "generations" ? &o.generations
                                           : key == "population"  ? &o.population
                                           : key == "workers"     ? &o.workers
                                           : key == "finalists"   ? &o.finalists
                                                                  : nullptr;
      if (!field)
        throw InputError(fmt::format(
            "search({}=...): unknown option; allowed: seed, generations, population, workers, finalists, "
            "optimizer, resume, hot_start",
            key));
      *field = v.cast<std::int64_t>();
    }
  }
  nlohmann::json s;
  {
    py::gil_scoped_release release;
    s = nas::nas_plugin().run_search(o);
  }
  return to_python(s).cast<py::dict>();
}

py::dict run_cosearch(const std::string& config, const std::string& out, const py::dict& overrides,
                      bool systemc, bool baselines, bool resume) {
  nas::cosearch::Config c = nas::cosearch::load_config(config);
  for (const auto& [k, v] : overrides) {
    const std::string key = k.cast<std::string>();
    const std::string origin = fmt::format("cosearch(overrides['{}'])", key);
    common::set_field([&](common::Fields& f) { nas::cosearch::describe(f, c); }, key, value_text(v, origin),
                      origin);
  }
  if (!systemc) c.settings.systemc = false;
  if (!baselines)
    c.baselines.single = c.baselines.stagewise = c.baselines.random = c.baselines.specific = false;
  // The run directory is locked and never mixed with another run's files, as on the command line.
  common::RunLock lock;
  if (!out.empty())
    lock = common::open_run_dir(out, resume ? common::OutDirMode::Resume : common::OutDirMode::Fresh);
  nas::cosearch::RunOptions o;
  o.out_dir = out;
  o.resume = resume;
  nlohmann::json s;
  {
    py::gil_scoped_release release;
    s = nas::cosearch::runs_json(c, nas::nas_plugin().run_cosearch(c, o));
  }
  return to_python(s).cast<py::dict>();
}

}  // namespace
}  // namespace imc::python

PYBIND11_MODULE(_core, m) {
  using namespace imc;
  using namespace imc::python;
  m.doc() = "imcsim: in-memory-computing accelerator simulator (compiled core; use the imcsim package)";
  // Subclass of ValueError: bad input, with the message the CLI prints after "imcsim: error: ".
  py::register_exception<InputError>(m, "InputError", PyExc_ValueError);

  py::class_<arch::ArchSpec>(m, "Arch")
      .def_static(
          "load", [](const std::string& path) { return arch::load_arch(path); }, py::arg("path"),
          "Loads an arch TOML (and the tech file it names), validated as by `imcsim arch`.")
      .def_static("from_dict", &arch_from_dict, py::arg("d"), py::arg("name") = "<dict>",
                  py::arg("base_dir") = std::string(IMCSIM_SOURCE_DIR) + "/configs/arch",
                  "Same keys and validation as an arch TOML: the dict is written as TOML text and read by "
                  "the TOML loader. base_dir is where [chip].tech names are looked up.")
      .def("with_overrides", &with_overrides, py::arg("overrides"),
           py::arg("base_dir") = std::string(IMCSIM_SOURCE_DIR) + "/configs/arch",
           "A copy with dotted keys set ({'crossbar.rows': 256, ...}), as the search's hardware genes.")
      .def("summary",
           [](const arch::ArchSpec& s) {
             return to_python(cli::arch_summary_json(s, arch::cost::build(s))).cast<py::dict>();
           })
      .def_property_readonly("name", [](const arch::ArchSpec& s) { return s.chip.name; })
      .def_property_readonly("source", [](const arch::ArchSpec& s) { return s.source; })
      .def("__repr__", [](const arch::ArchSpec& s) {
        return fmt::format("<imcsim.Arch {} ({})>", s.chip.name, s.source);
      });

  py::class_<workloads::Graph>(m, "Workload")
      .def_static(
          "zoo", [](const std::string& name) { return workloads::load_workload(name); }, py::arg("name"))
      .def_static(
          "load",
          [](const std::string& path) {
            py::gil_scoped_release release;
            return workloads::load_workload(path);
          },
          py::arg("path"), "A workload TOML or ONNX file (or a zoo name).")
      .def_static("from_onnx_bytes", &workload_from_onnx_bytes, py::arg("data"), py::arg("name") = "model")
      .def_property_readonly("name", [](const workloads::Graph& g) { return g.name(); })
      .def_property_readonly("macs", [](const workloads::Graph& g) { return g.total_macs(); })
      .def_property_readonly("params", [](const workloads::Graph& g) { return g.total_params(); })
      .def("__repr__", [](const workloads::Graph& g) {
        return fmt::format("<imcsim.Workload {}: {} MACs, {} params>", g.name(), g.total_macs(),
                           g.total_params());
      });

  m.def("_estimate", &estimate, py::arg("arch"), py::arg("workload"));
  m.def("_simulate", &simulate, py::arg("arch"), py::arg("workload"), py::arg("ideal_buffers") = false);
  m.def("_validate", &validate, py::arg("arch"), py::arg("workload"), py::arg("ideal_buffers") = false);
  m.def("_search", &run_search, py::arg("config"), py::arg("out"));
  m.def("_cosearch", &run_cosearch, py::arg("config"), py::arg("out") = "", py::arg("overrides") = py::dict(),
        py::arg("systemc") = true, py::arg("baselines") = true, py::arg("resume") = false);
  m.def("dict_to_toml", &dict_to_toml, py::arg("d"), "The TOML text Arch.from_dict gives the loader.");
  m.attr("__version__") = "0.1.0";
}
