"""The walk-through of docs/python.md, run as written: torchvision's ResNet-18 -> Workload.from_torch
-> estimate on two chips -> a matplotlib comparison written to a file. Skipped (not failed) when
PyTorch, torchvision or matplotlib are not installed."""
import os
import pathlib

import pytest

pytestmark = pytest.mark.slow


def test_resnet18_from_torch_on_two_chips(tmp_path):
    torch = pytest.importorskip("torch")
    torchvision = pytest.importorskip("torchvision")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import imcsim
    from conftest import ROOT

    # --- docs/python.md, step by step ---
    model = torchvision.models.resnet18(weights=None)  # architecture only: no download
    workload = imcsim.Workload.from_torch(model, torch.randn(1, 3, 224, 224), name="resnet18")

    chips = {name: imcsim.Arch.load(str(ROOT / "configs" / "arch" / f"{name}.toml"))
             for name in ("rram_default", "sram_default")}
    reports = {name: imcsim.estimate(chip, workload) for name, chip in chips.items()}

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, key, label in ((axes[0], "energy_pj", "energy (uJ)"), (axes[1], "latency_ns", "latency (us)")):
        ax.bar(list(reports), [r.total[key] * 1e-6 if key == "energy_pj" else r.total[key] * 1e-3
                               for r in reports.values()])
        ax.set_ylabel(label)
    fig.suptitle("torchvision ResNet-18 on two chips (imcsim.estimate)")
    fig.tight_layout()
    out = pathlib.Path(os.environ.get("IMCSIM_TEST_OUT", tmp_path)) / "resnet18_two_chips.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    # --- end of the walk-through ---

    assert out.stat().st_size > 1000
    # the imported network is torchvision's: about 1.8 GMAC; the zoo's resnet18 has the same convolutions
    zoo = imcsim.Workload.zoo("resnet18")
    assert workload.macs == pytest.approx(zoo.macs, rel=0.02)
    for r in reports.values():
        assert r.total["energy_pj"] > 0 and r.total["latency_cycles"] > 0
    assert reports["rram_default"].total["energy_pj"] != reports["sram_default"].total["energy_pj"]
