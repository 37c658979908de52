#!/usr/bin/env bash
# Remakes the trained models in weights/ from nothing but this repository (hours on 2 cores;
# never run by CI). Every training run checkpoints each epoch under build/runs/ and resumes when
# this script is run again, so it can be stopped and restarted any number of times.
#   usage: scripts/make-weights.sh [MODEL...]      (default: every model below, in order)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/datasets.sh
R=build/runs
data train300k 300000 1001
data val10k 10000 2002
data test20k 20000 777
TRAIN=train300k VAL=val10k

train() {  # run-name layers hidden epochs lr seed [extra args...]
  local name=$1 layers=$2 hidden=$3 epochs=$4 lr=$5 seed=$6; shift 6
  # A run that a session could not finish is committed under weights/runs/: continue it.
  if [[ ! -d $R/$name && -f weights/runs/$name/trainer_state.bin ]]; then
    mkdir -p "$R" && cp -r "weights/runs/$name" "$R/$name"
  fi
  $F train --data "$D/$TRAIN" --val "$D/$VAL" -o "$R/$name" --layers "$layers" --hidden "$hidden" \
    --epochs "$epochs" --lr "$lr" --seed "$seed" --progress 400 "$@"
}
ship() {  # run-name -> weights/run-name/model.safetensors + eval.json
  mkdir -p "weights/$1"
  cp "$R/$1/best.safetensors" "weights/$1/model.safetensors"
}

models=("$@")
[[ ${#models[@]} -gt 0 ]] ||
  models=(student-h16 student-h32 student-h64 student-h16-qat student-h32-qat student-h64-qat
          reduced-2x16 reduced-2x32 reduced-2x64 known-irf-h32 teacher)
for m in "${models[@]}"; do
  case $m in
    student-h16)     train student-h16 1 16 30 2e-3 1 ;;
    student-h32)     train student-h32 1 32 60 2e-3 1 ;;
    student-h64)     train student-h64 1 64 30 2e-3 1 ;;
    student-h*-qat)  # QAT fine-tuning of the float student of the same width
                     h=${m#student-h}; h=${h%-qat}
                     train "$m" 1 "$h" 8 3e-4 2 --qat --init "weights/student-h$h/model.safetensors" ;;
    reduced-2x*)     train "$m" 2 "${m#reduced-2x}" 30 2e-3 1 ;;  # the teacher's depth at reduced width
    teacher)         train teacher 2 128 60 1e-3 1 ;;
    known-irf-h32)   # the student for one known IRF (evaluated on test20k-irf by make results)
                     data train300k-irf 300000 1001 "${KNOWN_IRF[@]}"
                     data val10k-irf 10000 2002 "${KNOWN_IRF[@]}"
                     data test20k-irf 20000 777 "${KNOWN_IRF[@]}"
                     TRAIN=train300k-irf VAL=val10k-irf train known-irf-h32 1 32 30 2e-3 1 ;;
    *) echo "make-weights: unknown model $m" >&2; exit 2 ;;
  esac
  ship "$m"
done
