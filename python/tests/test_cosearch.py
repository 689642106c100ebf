"""cosearch through Python returns the run's summary, as `imcsim cosearch --json` writes it."""
import json

import pytest

import imcsim
from conftest import ROOT, run_cli

pytestmark = pytest.mark.unit
TINY = ROOT / "configs" / "cosearch" / "tiny.toml"


def test_cosearch_matches_cli(tmp_path):
    overrides = {"cosearch.generations": 2, "optimizer.population": 4}
    py = imcsim.cosearch(TINY, tmp_path / "py", overrides=overrides, systemc=False, baselines=False)
    run_cli("cosearch", TINY, "--out", tmp_path / "cli", "--generations", 2, "--population", 4, "--no-systemc",
            "--no-baselines", "--quiet", "--json", tmp_path / "cli.json")
    cli = json.loads((tmp_path / "cli.json").read_text())
    assert py["best"] == cli["best"]
    assert (tmp_path / "py" / "evaluations.csv").read_text() == (tmp_path / "cli" / "evaluations.csv").read_text()


def test_cosearch_bad_override():
    with pytest.raises(imcsim.InputError, match="cosearch.generations"):
        imcsim.cosearch(TINY, overrides={"cosearch.generations": -5}, systemc=False, baselines=False)
