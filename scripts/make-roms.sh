#!/usr/bin/env bash
# The shipped ROM images: for every int8 model (weights/*-qat), one ROM set per MAC-array height
# P that a board of boards/boards.tsv uses, written by the quantizer from the committed checkpoint
# into weights/<model>/rom-pP/ (what `make synth` and `make sim` build from the default model,
# ready for any other flow). Seconds; a test checks they are what the quantizer writes.
#   usage: scripts/make-roms.sh [MODEL...]      (default: every weights/*-qat)
set -euo pipefail
cd "$(dirname "$0")/.."
F=build/flimgru
models=("$@")
if [[ ${#models[@]} -eq 0 ]]; then
  for dir in weights/*-qat/; do models+=("$(basename "$dir")"); done
fi
for m in "${models[@]}"; do
  for p in $(awk '!/^#/ && NF {print $11}' boards/boards.tsv | sort -un); do
    $F quantize "weights/$m/model.safetensors" -o "weights/$m/rom-p$p" --mac-rows "$p"
  done
done
