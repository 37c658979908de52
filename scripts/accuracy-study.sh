#!/usr/bin/env bash
# Where the whole-decay error comes from (docs/training.md): each model's float RMSE on small
# simulated sets with ONE known IRF (Gaussian, peak at 1 ns) and ONE photon count, against the
# IRF width and the count. Minutes on 2 cores; not run by CI.
#   usage: scripts/accuracy-study.sh [CHECKPOINT...]   (default: the shipped float students and the teacher)
set -euo pipefail
cd "$(dirname "$0")/.."
F=build/flimgru
D=build/data/study
models=("$@")
if [[ ${#models[@]} -eq 0 ]]; then
  for m in student-h16 student-h32 student-h64 teacher; do models+=("weights/$m/model.safetensors"); done
fi
fwhms=(0.15 0.3 0.6)
photons=(1000 5000 50000)
for w in "${fwhms[@]}"; do
  for n in "${photons[@]}"; do
    [[ -f $D/f${w}_n$n/meta.json ]] ||
      $F simulate -n 2000 --seed 91 --irf-fwhm-min "$w" --irf-fwhm-max "$w" --irf-peak-min 1 --irf-peak-max 1 \
        --photons-min "$n" --photons-max "$n" -o "$D/f${w}_n$n" >/dev/null
  done
done
printf '| model | IRF FWHM (ns) |'; for n in "${photons[@]}"; do printf ' %s photons |' "$n"; done; echo
printf '|---|---|'; for n in "${photons[@]}"; do printf -- '---|'; done; echo
for m in "${models[@]}"; do
  for w in "${fwhms[@]}"; do
    printf '| %s | %s |' "$m" "$w"
    for n in "${photons[@]}"; do
      rmse=$($F eval --data "$D/f${w}_n$n" --model "$m" --backend float | sed -n 's/.*float  RMSE \([0-9.]*\).*/\1/p')
      printf ' %s |' "$rmse"
    done
    echo
  done
done
