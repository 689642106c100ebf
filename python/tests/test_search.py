"""search through Python: the run directory and summary of `imcsim search` with the same seed."""
import json

import pytest

import imcsim
from conftest import ROOT, run_cli

pytestmark = pytest.mark.unit
CONFIG = ROOT / "tests" / "search" / "data" / "hw_only.toml"


def test_search_matches_cli(tmp_path):
    py = imcsim.search(CONFIG, tmp_path / "py", generations=2, finalists=0)
    run_cli("search", "--config", CONFIG, "--out", tmp_path / "cli", "--generations", 2, "--finalists", 0,
            "--json", tmp_path / "cli.json")
    cli = json.loads((tmp_path / "cli.json").read_text())
    assert len(py["front"]) > 0
    assert py["designs_evaluated"] == cli["designs_evaluated"]
    assert py["hypervolume"] == cli["hypervolume"]
    for name in ("pareto.csv", "evaluations.csv"):
        assert (tmp_path / "py" / name).read_text() == (tmp_path / "cli" / name).read_text(), name


def test_search_unknown_option():
    with pytest.raises(imcsim.InputError, match="generationz"):
        imcsim.search(CONFIG, "unused", generationz=2)


def test_search_out_of_range_like_cli(tmp_path):
    with pytest.raises(imcsim.InputError, match="population"):
        imcsim.search(CONFIG, tmp_path / "bad", population=1)
