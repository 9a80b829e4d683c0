#!/usr/bin/env bash
# The mode-vs-consensus experiment of docs/mrt.md (issue 19): MLE, MLE continued (training
# control), MBR over MLE samples (decoding control) and MRT per seed, then the comparison.
# Usage: scripts/mrt-mode-consensus.sh OUT SEEDS... [-- extra mrt-data flags]
# Environment: LOSSLAB (default .build/release/losslab), IDIOM_RATE (default 0.3).
set -euo pipefail
out=$1; shift
seeds=()
while [[ $# -gt 0 && $1 != "--" ]]; do seeds+=("$1"); shift; done
[[ ${1:-} == "--" ]] && shift
bin=${LOSSLAB:-.build/release/losslab}
pa=${IDIOM_RATE:-0.3}
data=$out/data
mkdir -p "$out"
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$out/log.txt"; }
timed() { local name=$1; shift; local t0=$SECONDS; "$@" >>"$out/log.txt" 2>&1; log "$name: $((SECONDS - t0)) s"; }

if [[ ! -f $data/ceilings.json ]]; then
  timed data "$bin" mrt data --out "$data" --seed 1 --train 8000 --dev 500 --test 1000 \
    --max-clauses 1 --max-length 24 --ambiguous-phrases 2 --idiom-rate "$pa" --alternatives 10 "$@"
fi
# evaluate NAME RUN FLAGS...: JSON report to $out/eval-NAME.json, score line to the log.
evaluate() {
  local name=$1; shift; local t0=$SECONDS
  "$bin" mrt eval "$@" --json >"$out/eval-$name.json"
  log "eval $name: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scoreLine"])' "$out/eval-$name.json") ($((SECONDS - t0)) s)"
}
model=(--embedding 32 --hidden 64)
fine=(--max-steps 400 --eval-every 50 --patience 4 --dev-sentences 500 --quiet)
for s in "${seeds[@]}"; do
  [[ -f $out/mle-$s/summary.json ]] || timed "mle-$s" "$bin" mrt train --data "$data" --out "$out/mle-$s" \
    --seed "$s" "${model[@]}" --max-steps 3000 --eval-every 500 --patience 2 --dev-sentences 500 --quiet
  [[ -f $out/mlec-$s/summary.json ]] || timed "mlec-$s" "$bin" mrt train --data "$data" --init "$out/mle-$s" \
    --objective mle --lr 3e-4 --out "$out/mlec-$s" --seed "$s" "${fine[@]}"
  [[ -f $out/mrt-$s/summary.json ]] || timed "mrt-$s" "$bin" mrt train --data "$data" --init "$out/mle-$s" \
    --objective risk --lr 3e-4 --samples 10 --out "$out/mrt-$s" --seed "$s" "${fine[@]}"
  for r in mle mlec mrt; do
    evaluate "$r-$s" "$out/$r-$s" --split test --examples 0
  done
  evaluate "mbr-$s" "$out/mle-$s" --split test --decode mbr --mbr-samples 20 --examples 0
done
