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
  if [[ ! -f $R/$name/trainer_state.bin && -f weights/runs/$name/trainer_state.bin ]]; then
    mkdir -p "$R/$name" && cp "weights/runs/$name"/* "$R/$name/"
  fi
  $F train --data "$D/$TRAIN" --val "$D/$VAL" -o "$R/$name" --layers "$layers" --hidden "$hidden" \
    --epochs "$epochs" --lr "$lr" --seed "$seed" --progress 400 "$@"
}
# Shape from the name: ...-hN[-kd] is 1 x GRU(N), reduced-2xN is 2 x GRU(N).
hidden_of() { local n=${1##*-h}; n=${n##*-2x}; echo "${n%%-*}"; }
layers_of() { [[ $1 == reduced-2x* ]] && echo 2 || echo 1; }
# The loss a name asks for (docs/training.md, "Loss"), also kept by its -qat fine-tuning: -kd
# learns from the shipped teacher with weight KD_ALPHA on its outputs; -lt adds the lifetime term,
# -ltm also the first-moment term.
KD_ALPHA=0.5 LIFETIME_WEIGHT=0.1 MOMENT_WEIGHT=10
loss_args() {
  if [[ $1 == *-kd* ]]; then echo "--teacher weights/teacher/model.safetensors --alpha $KD_ALPHA"; fi
  if [[ $1 == *-lt* ]]; then echo "--lifetime-weight $LIFETIME_WEIGHT"; fi
  if [[ $1 == *-ltm* ]]; then echo "--moment-weight $MOMENT_WEIGHT"; fi
  # irf-*: IRF-conditioned (input width 2), the IRF of each sample built from its labels
  if [[ $1 == irf-* ]]; then echo "--irf-input"; fi
}
ship() {  # run-name -> weights/run-name/model.safetensors (and, for int8 models, its ROM sets)
  mkdir -p "weights/$1"
  cp "$R/$1/best.safetensors" "weights/$1/model.safetensors"
  if [[ $1 == *-qat ]]; then scripts/make-roms.sh "$1"; fi
}

models=("$@")
[[ ${#models[@]} -gt 0 ]] ||
  models=(student-h16 student-h32 student-h64 student-h16-qat student-h32-qat student-h64-qat
          reduced-2x16 reduced-2x32 reduced-2x64 known-irf-h32 known-irf-h32-qat teacher
          student-h16-kd student-h32-kd student-h64-kd
          student-h16-kd-qat student-h32-kd-qat student-h64-kd-qat student-h32-lt student-h32-lt-qat
          student-h32-kd-lt student-h32-kd-lt-qat irf-h32 irf-h32-qat irf-h32-lt irf-h32-lt-qat
          student-h32-kd-ltm student-h32-kd-ltm-qat)
for m in "${models[@]}"; do
  # The name's prefix picks the data: known-irf-* models train for one instrument's IRF.
  TRAIN=train300k VAL=val10k
  if [[ $m == known-irf-* ]]; then
    data train300k-irf 300000 1001 "${KNOWN_IRF[@]}"
    data val10k-irf 10000 2002 "${KNOWN_IRF[@]}"
    TRAIN=train300k-irf VAL=val10k-irf
  fi
  case $m in
    *-qat)           # QAT fine-tuning of the float model of the same name and shape
                     base=${m%-qat}
                     # shellcheck disable=SC2046  # loss_args is a list of words
                     train "$m" "$(layers_of "$base")" "$(hidden_of "$base")" 8 3e-4 2 --qat \
                       --init "weights/$base/model.safetensors" $(loss_args "$base") ;;
    student-h32|student-h32-kd)  # shellcheck disable=SC2046
                     train "$m" 1 32 60 2e-3 1 $(loss_args "$m") ;;
    student-h*-ltm)  # the -lt model of the same name, fine-tuned with the first-moment term too
                     # shellcheck disable=SC2046
                     train "$m" 1 "$(hidden_of "$m")" 10 5e-4 5 \
                       --init "weights/${m%m}/model.safetensors" $(loss_args "$m") ;;
    student-h*-lt)   # the student of the same width, fine-tuned with the lifetime term (and KD: -kd-lt)
                     # shellcheck disable=SC2046
                     train "$m" 1 "$(hidden_of "$m")" 10 5e-4 5 \
                       --init "weights/student-h$(hidden_of "$m")/model.safetensors" $(loss_args "$m") ;;
    student-h*)      # shellcheck disable=SC2046
                     train "$m" 1 "$(hidden_of "$m")" 30 2e-3 1 $(loss_args "$m") ;;
    irf-h*-lt)       # the IRF-conditioned student, 2 more epochs with the lifetime term
                     # shellcheck disable=SC2046
                     train "$m" 1 "$(hidden_of "$m")" 2 5e-4 5 \
                       --init "weights/irf-h$(hidden_of "$m")/model.safetensors" $(loss_args "$m") ;;
    irf-h*)          # the general student of the same width, fine-tuned with the IRF as a second input
                     # (its new input column starts at zero): one network for any instrument
                     # shellcheck disable=SC2046
                     train "$m" 1 "$(hidden_of "$m")" 10 5e-4 3 \
                       --init "weights/student-h$(hidden_of "$m")/model.safetensors" $(loss_args "$m") ;;
    known-irf-h*)    # the general student of the same width, fine-tuned for the instrument's IRF
                     train "$m" 1 "$(hidden_of "$m")" 10 5e-4 3 \
                       --init "weights/student-h$(hidden_of "$m")/model.safetensors" ;;
    reduced-2x*)     train "$m" 2 "$(hidden_of "$m")" 30 2e-3 1 ;;  # the teacher's depth, reduced width
    teacher)         train "$m" 2 128 60 1e-3 1 ;;
    *) echo "make-weights: unknown model $m" >&2; exit 2 ;;
  esac
  ship "$m"
done
