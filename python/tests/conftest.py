"""Shared fixtures of the Python tests: the repository root, the imcsim binary (to compare the
module's results with the CLI's) and a scratch folder."""
import os
import pathlib
import subprocess

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "unit: fast test (ctest label unit)")
    config.addinivalue_line("markers", "slow: trains or needs PyTorch (ctest label slow)")


ROOT = pathlib.Path(os.environ.get("IMCSIM_ROOT", pathlib.Path(__file__).resolve().parents[2]))
BIN = os.environ.get("IMCSIM_BIN", str(ROOT / "build" / "imcsim"))


@pytest.fixture
def root():
    return ROOT


@pytest.fixture
def out_dir(tmp_path):
    return tmp_path


def run_cli(*args, check=True):
    """Runs the imcsim binary; returns (exit code, stdout, stderr)."""
    p = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if check and p.returncode != 0:
        raise AssertionError(f"imcsim {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}")
    return p.returncode, p.stdout, p.stderr


def cli_error(*args):
    """The message the CLI prints for bad input (exit 2), without the "imcsim: error: " prefix."""
    code, _, err = run_cli(*args, check=False)
    assert code == 2, err
    prefix = "imcsim: error: "
    assert err.startswith(prefix), err
    return err[len(prefix):].rstrip("\n")
