"""imcsim from Python: the simulator of in-memory-computing accelerators (docs/python.md).

The compiled core (imcsim._core) runs the same code as the `imcsim` command: the arch, workload and
mapping loaders with their validation, the analytical model, SystemC in a child process, the
searches. Bad input raises imcsim.InputError (a ValueError) with the CLI's message.
"""
import io

from ._core import Arch, InputError, Workload, dict_to_toml, __version__  # noqa: F401
from . import _core

__all__ = ["Arch", "Workload", "InputError", "Report", "estimate", "simulate", "validate", "search",
           "cosearch", "dict_to_toml"]


class Report:
    """One network on one chip: `.total` (a dict whose keys carry their units, e.g. energy_pj,
    latency_cycles, area_mm2) and `.layers` (a list of dicts, one per layer)."""

    def __init__(self, data):
        self.data = data
        self.total = data["total"]
        self.layers = data["layers"]
        self.workload = data.get("workload")
        self.arch = data.get("arch")
        self.model = data.get("model", "validate")

    def to_pandas(self):
        """The layers as a pandas DataFrame (pandas must be installed)."""
        import pandas  # imported here: pandas is optional

        rows = [{k: v for k, v in layer.items() if not isinstance(v, dict)} for layer in self.layers]
        return pandas.DataFrame(rows)

    def __repr__(self):
        return f"<imcsim.Report {self.workload} on {self.arch} ({self.model})>"


def estimate(arch, workload, **mapping_options):
    """The analytical model. Keyword arguments are the [mapping] keys (mapper, schedule, overflow,
    duplication, batch, weight_bits, input_bits, chunks_per_layer), `mapping` (a mapping TOML file)
    and `activity` (an activity JSON file), checked as `imcsim estimate` checks its flags."""
    return Report(_core._estimate(arch, workload, **mapping_options))


def simulate(arch, workload, ideal_buffers=False, **mapping_options):
    """The cycle-level SystemC model, run in a child process (as the CLI does)."""
    return Report(_core._simulate(arch, workload, ideal_buffers, **mapping_options))


def validate(arch, workload, ideal_buffers=False, **mapping_options):
    """Analytical against SystemC, layer by layer: cycles of each, gap, equal action counts."""
    return Report(_core._validate(arch, workload, ideal_buffers, **mapping_options))


def search(config, out, **overrides):
    """`imcsim search --config CONFIG --out OUT`: returns the run's summary (front, hypervolume, ...).
    Overrides: seed, generations, population, workers, finalists, optimizer, resume, hot_start."""
    return _core._search(str(config), str(out), **overrides)


def cosearch(config, out="", overrides=None, systemc=True, baselines=True, resume=False):
    """`imcsim cosearch CONFIG`: returns the summary JSON as a dict. `overrides` maps dotted config
    keys to values (checked against their declarations)."""
    return _core._cosearch(str(config), str(out), overrides or {}, systemc, baselines, resume)


def _from_torch(module, example_input, name=None, opset=17):
    """A PyTorch module as a Workload: exported with torch.onnx.export into memory, then imported
    like an .onnx file. Needs PyTorch."""
    import torch  # imported here: PyTorch is optional

    buf = io.BytesIO()
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, example_input, buf, opset_version=opset, do_constant_folding=True)
    return Workload.from_onnx_bytes(buf.getvalue(), name or type(module).__name__.lower())


Workload.from_torch = staticmethod(_from_torch)
