"""estimate / simulate / validate through Python: the same figures as the CLI's JSON, mapping
options checked by their declarations, the GIL released during the work."""
import json
import threading
import time

import pytest

import imcsim
from conftest import ROOT, cli_error, run_cli

pytestmark = pytest.mark.unit
RRAM = str(ROOT / "configs" / "arch" / "rram_default.toml")


@pytest.fixture(scope="module")
def chip():
    return imcsim.Arch.load(RRAM)


@pytest.fixture(scope="module")
def vgg8():
    return imcsim.Workload.zoo("vgg8")


def cli_json(tmp_path, command, *flags):
    out = tmp_path / f"{command}.json"
    run_cli(command, "--arch", RRAM, "--workload", "vgg8", *flags, "--json", out)
    return json.loads(out.read_text())["workloads"][0]


def test_estimate_matches_cli(chip, vgg8, tmp_path):
    r = imcsim.estimate(chip, vgg8, batch=2)
    cli = cli_json(tmp_path, "estimate", "--batch", "2")
    for key in ("energy_pj", "latency_cycles", "interval_cycles", "area_mm2", "macs"):
        assert r.total[key] == pytest.approx(cli["total"][key], rel=1e-12), key
    assert [layer["name"] for layer in r.layers] == [layer["name"] for layer in cli["layers"]]
    assert r.total["latency_cycles"] > imcsim.estimate(chip, vgg8).total["latency_cycles"]


def test_mapping_option_out_of_range_is_input_error(chip, vgg8):
    with pytest.raises(imcsim.InputError) as e:
        imcsim.estimate(chip, vgg8, batch=0)
    cli = cli_error("estimate", "--arch", RRAM, "--workload", "vgg8", "--batch", "0")
    # same declaration, same allowed range; only the origin (flag or keyword) differs
    assert str(e.value).split(": ", 1)[1] == cli.split(": ", 1)[1]
    with pytest.raises(imcsim.InputError, match="mapping.nonsense"):
        imcsim.estimate(chip, vgg8, nonsense=1)


def test_simulate_matches_cli(chip, vgg8, tmp_path):
    r = imcsim.simulate(chip, vgg8)
    cli = cli_json(tmp_path, "simulate")
    assert r.model == "systemc"
    assert r.total["latency_cycles"] == cli["total"]["latency_cycles"]
    assert r.total["energy_pj"] == pytest.approx(cli["total"]["energy_pj"], rel=1e-12)


def test_validate_counts_equal(chip):
    r = imcsim.validate(chip, imcsim.Workload.zoo("resnet20"))
    assert r.total["actions_equal"] is True
    assert r.total["systemc_cycles"] > 0 and len(r.layers) > 0
    assert all(layer["actions_equal"] for layer in r.layers)
    # the CLI's main-stall column and latency-bound check (cli/model_comparison.h)
    assert all("main_stall" in layer for layer in r.layers)
    assert r.total["latency_bound_holds"] is True and "main_stall" in r.total


def test_to_pandas(chip, vgg8):
    pandas = pytest.importorskip("pandas")
    df = imcsim.estimate(chip, vgg8).to_pandas()
    assert isinstance(df, pandas.DataFrame)
    assert "energy_pj" in df.columns and len(df) > 0


def test_gil_released_during_simulate(chip, vgg8):
    """A Python thread keeps running while simulate() works in C++ (and in its child)."""
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    time.sleep(0.01)
    start = time.perf_counter()
    imcsim.simulate(chip, vgg8)
    end = time.perf_counter()
    stop.set()
    t.join()
    inside = [x for x in ticks if start <= x <= end]
    # with the GIL held the thread could not tick at all between start and end
    assert end - start > 0.02
    assert len(inside) >= 5, (end - start, len(inside))
