# Sourced by make-weights.sh and make-results.sh: the simulated data sets, each made on demand
# and determined by its name's count, seed and protocol.
# Seeds: training 1001, validation 2002, test 777 (never used for training or model selection).
F=build/flimgru
D=build/data

data() {  # name count seed [simulate options...]
  mkdir -p "$D"
  [[ -f $D/$1/meta.json ]] || $F simulate -n "$2" --seed "$3" -o "$D/$1" "${@:4}"
}
# The general protocol is flimgru simulate's defaults (docs/training.md). The known-IRF protocol
# draws the same way with the IRF of one instrument (Gaussian, FWHM 0.3 ns and peak at 1 ns, each
# within a few per cent), for models trained for that instrument.
KNOWN_IRF=(--irf-fwhm-min 0.28 --irf-fwhm-max 0.32 --irf-peak-min 0.95 --irf-peak-max 1.05)
