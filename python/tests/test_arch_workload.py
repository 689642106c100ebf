"""Arch and Workload through Python: the same loaders, figures and messages as the CLI."""
import json
import math
import tomllib

import pytest

import imcsim
from conftest import ROOT, cli_error, run_cli

pytestmark = pytest.mark.unit
RRAM = ROOT / "configs" / "arch" / "rram_default.toml"


def test_summary_matches_imcsim_arch(tmp_path):
    out = tmp_path / "arch.json"
    run_cli("arch", "--arch", RRAM, "--json", out)
    cli = json.loads(out.read_text())
    py = imcsim.Arch.load(str(RRAM)).summary()
    assert py["chip"] == cli["chip"]
    assert py["counts"] == cli["counts"]
    assert py["peak_tops"] == pytest.approx(cli["peak_tops"], rel=1e-12)
    assert len(py["inventory"]) == len(cli["inventory"]) > 0


def test_from_dict_equals_the_file():
    d = tomllib.loads(RRAM.read_text())
    a = imcsim.Arch.from_dict(d, base_dir=str(RRAM.parent))
    assert a.summary()["chip"] == imcsim.Arch.load(str(RRAM)).summary()["chip"]


def same_message_as_file(d, tmp_path):
    """Loads the dict and the TOML file holding the same text; returns both messages with the
    source names made equal."""
    path = tmp_path / "bad.toml"
    path.write_text(imcsim.dict_to_toml(d))
    with pytest.raises(imcsim.InputError) as from_file:
        imcsim.Arch.load(str(path))
    with pytest.raises(imcsim.InputError) as from_dict:
        imcsim.Arch.from_dict(d, name=str(path), base_dir=str(RRAM.parent))
    return str(from_file.value), str(from_dict.value)


def test_unknown_key_same_message_as_toml(tmp_path):
    d = tomllib.loads(RRAM.read_text())
    d["crossbar"]["rowz"] = 128
    file_msg, dict_msg = same_message_as_file(d, tmp_path)
    assert "rowz" in file_msg
    assert dict_msg == file_msg
    # and the CLI prints that message for the file
    assert cli_error("arch", "--arch", tmp_path / "bad.toml") == file_msg


def test_nan_same_message_as_toml(tmp_path):
    d = tomllib.loads(RRAM.read_text())
    d["crossbar"]["rows"] = math.nan
    file_msg, dict_msg = same_message_as_file(d, tmp_path)
    assert "crossbar.rows" in file_msg or "rows" in file_msg
    assert dict_msg == file_msg


def test_input_error_is_a_value_error():
    assert issubclass(imcsim.InputError, ValueError)
    with pytest.raises(ValueError):
        imcsim.Arch.load("no/such/arch.toml")


def test_unsupported_value_type_is_input_error():
    with pytest.raises(imcsim.InputError, match="crossbar.rows"):
        imcsim.Arch.from_dict({"crossbar": {"rows": object()}})


def test_with_overrides():
    a = imcsim.Arch.load(str(RRAM))
    rows = a.summary()["counts"]["cells"] // a.summary()["counts"]["crossbars"]
    b = a.with_overrides({"crossbar.rows": 64, "crossbar.cols": 64})
    assert b.summary()["counts"]["cells"] == b.summary()["counts"]["crossbars"] * 64 * 64
    assert rows != 64 * 64  # the override changed the chip
    with pytest.raises(imcsim.InputError, match="crossbar.rowz"):
        a.with_overrides({"crossbar.rowz": 256})


def test_zoo_and_unknown_workload_message():
    w = imcsim.Workload.zoo("vgg8")
    assert w.name == "vgg8" and w.macs > 0 and w.params > 0
    with pytest.raises(imcsim.InputError) as e:
        imcsim.Workload.zoo("vgg9")
    assert str(e.value) == cli_error("workload", "vgg9")


def test_onnx_bytes_and_file(tmp_path):
    path = tmp_path / "resnet20.onnx"
    run_cli("workload", "resnet20", "--export-onnx", path)
    from_file = imcsim.Workload.load(str(path))
    from_bytes = imcsim.Workload.from_onnx_bytes(path.read_bytes(), "resnet20")
    zoo = imcsim.Workload.zoo("resnet20")
    assert from_file.macs == from_bytes.macs == zoo.macs
    assert from_bytes.name == "resnet20"
    with pytest.raises(imcsim.InputError, match="not a valid ONNX model"):
        imcsim.Workload.from_onnx_bytes(b"not a model", "junk")
