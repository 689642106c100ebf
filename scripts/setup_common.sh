# Sourced by run.sh and test.sh: install missing Debian packages, configure and build into build/.
# Nothing is downloaded except Debian packages.
set -euo pipefail

IMCSIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export IMCSIM_ROOT
BUILD_DIR="${IMCSIM_BUILD_DIR:-$IMCSIM_ROOT/build}"

IMCSIM_PACKAGES=(
  build-essential cmake pkg-config clang-format
  libsystemc-dev libeigen3-dev libfmt-dev libtomlplusplus-dev doctest-dev libcli11-dev nlohmann-json3-dev
  libpagmo-dev libtorch-dev dataset-fashion-mnist libonnx-dev zlib1g-dev
  libxgboost-dev  # gradient-boosted trees of the learned estimators (nas/predictor, docs/estimators.md)
  libopenblas0-pthread  # optimized BLAS behind libblas.so.3 (libtorch otherwise uses the reference BLAS)
  python3-dev pybind11-dev python3-pytest  # the Python module and its tests (python/, docs/python.md)
  libopenmpi-dev openmpi-bin  # searches over MPI ranks (mpi/, docs/cluster.md) and their tests
  # Optional for the Python tests that use them (they skip cleanly without): DataFrames, the figure
  # of docs/python.md, torchvision's ResNet-18 through Workload.from_torch.
  python3-pandas python3-matplotlib python3-torch python3-torchvision
)

install_missing_packages() {
  local missing=()
  for p in "${IMCSIM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "imcsim: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "imcsim: need root to install packages. Run:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  local jobs
  jobs="$(nproc 2>/dev/null || echo 2)"
  cmake -S "$IMCSIM_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$BUILD_DIR" -j "$jobs"
}

# libtorch on few cores: one inter-op thread, intra-op = cores (oversubscription is ~10x slower).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc 2>/dev/null || echo 2)}"
