#!/usr/bin/env bash
# docs/results.md from the shipped models: every weights/<model>/model.safetensors is evaluated
# (float, PTQ int16, PTQ int8; QAT models as int8 and float) on the held-out test set (seed 777,
# never used in training; known-IRF models on the same draws with their IRF), each report saved as
# weights/<model>/eval.json, and the ML fit on both sets (build/results/fit-*.json), then
# `flimgru report` writes the tables, with RMS error ÷ Cramér–Rao bound per photon band. Minutes
# on 2 cores (the fit ≈ 5 min per set); not CI.
#   usage: scripts/make-results.sh [MODEL...] [fit]   (re-evaluate only these models, and the fit
#          if named, plus those without a report; the others' saved reports go in as they are)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/datasets.sh
data test20k 20000 777
evals=()
for dir in weights/*/; do
  m=${dir%/}; name=${m#weights/}
  [[ -f $m/model.safetensors && ! -L $m ]] || continue
  evals+=("$m/eval.json")
  if [[ $# -gt 0 && -f $m/eval.json && " $* " != *" $name "* ]]; then continue; fi
  # A QAT checkpoint as int8 and as its float twin (the same weights unquantized).
  if [[ $name == *-qat ]]; then backends=float,int8; else backends=float,int16,int8; fi
  echo "== eval $name ($backends)"
  test=test20k
  if [[ $name == known-irf-* ]]; then test=test20k-irf; data $test 20000 777 "${KNOWN_IRF[@]}"; fi
  $F eval --data "$D/$test" --model "$m/model.safetensors" --backend "$backends" \
    --name "$name" --out "$m/eval.json"
done
# Told each sample's IRF (--irf-given; IRF-conditioned models always are): the default network
# on both sets, and the IRF-conditioned models on the fixed-IRF set too; τI then comes from the
# photons (docs/numerics.md §7b). Re-run when missing or when "irf-given" is among the arguments.
data test20k-irf 20000 777 "${KNOWN_IRF[@]}"
mkdir -p build/results
# And the default network with no IRF from the user: on the fixed-IRF set the IRF fitted to the
# set's summed decay (--irf-estimated), as `image` fits an image's; on the general set each
# pixel's own IRF fitted with the network's decay shape (--irf-pixel, as `infer --irf pixel`).
# default-irf: what `infer --irf FILE` / `image --irf FILE` run when no --model is named.
given=(default:test20k:given default:test20k-irf:given default:test20k-irf:estimated default:test20k:pixel
       default-irf:test20k:given)
for dir in weights/irf-*/; do given+=("$(basename "$dir"):test20k-irf:given"); done
for mt in "${given[@]}"; do
  IFS=: read -r name test how <<<"$mt"; m=weights/$name
  [[ -f $m/model.safetensors ]] || continue
  out=build/results/$name-irf-$how-$test.json
  evals+=("$out")
  if [[ $# -gt 0 && -f $out && " $* " != *" irf-given "* ]]; then continue; fi
  if [[ $name == *-qat || $name == default* ]]; then backends=float,int8; else backends=float,int16,int8; fi
  label="IRF $how"; [[ $how == pixel ]] && label="IRF fitted per pixel"
  echo "== eval $name with the IRF $how on $test ($backends)"
  $F eval --data "$D/$test" --model "$m/model.safetensors" --backend "$backends" --irf-"$how" \
    --name "$name, $label" --out "$out"
done
# The maximum-likelihood fit on the same held-out sets, each sample's true IRF given: with the
# mono/bi model selection (fit) and always bi-exponential (fit-bi). Re-run when missing or when
# "fit" is among the arguments.
for test in test20k test20k-irf; do
  out=build/results/fit-$test.json
  evals+=("$out")
  if [[ $# -gt 0 && -f $out && " $* " != *" fit "* ]]; then continue; fi
  echo "== eval fit on $test"
  $F eval --data "$D/$test" --backend fit,fit-bi --name "ML fit (true IRF)" --out "$out"
done
# Real data: a hazelnut slice (../shared/data/hazelnut) through the default int8 network and the fit.
images=()
Z10=../shared/data/hazelnut/hazelnut_z10.ptu
if [[ -f $Z10 ]]; then
  for method in fit nn; do
    out=build/results/hazelnut_z10_$method
    $F image "$Z10" -o "$out" --bin 4 --method "$method" --backend int8 --min-photons 100 \
      --tau-range 0.7,1.7 --quiet
    images+=("$out")
  done
fi
# Precision at fixed parameters against the Cramér–Rao bound (networks, fit, centre of mass); the
# study's IRF is the known-IRF protocol's, so the known-IRF model is scored there too.
$F precision --out build/results/precision.json -M 400
precision=(build/results/precision.json)
if [[ -f weights/known-irf-h32-qat/model.safetensors ]]; then
  $F precision --out build/results/precision-known-irf.json -M 400 --methods float,int8,int8-photons \
    --model weights/known-irf-h32-qat/model.safetensors
  precision+=(build/results/precision-known-irf.json)
fi
$F report "${evals[@]}" -o docs/results.md --title "Results on the held-out simulated test set" \
  ${images:+--images "$(IFS=,; echo "${images[*]}")"} --precision "$(IFS=,; echo "${precision[*]}")"
