#!/bin/sh
# The Bible es->en results of docs/bible.md: MLE, MLE continued (control) and minimum-risk
# fine-tuning, 3 seeds, one BLAS thread each, niced; then test BLEU with one reference (KJV) and
# two (KJV + WEB). Usage: scripts/bible_experiment.sh [mle|finetune|eval|all] (default all).
# Needs data/bible (losslab mrt data bible --out data/bible). Logs go to runs/bible/*.log.
set -eu
BIN=${BIN:-.build/release/losslab}
DATA=data/bible
OUT=runs/bible
SEEDS=${SEEDS:-"1 2 3"}
phase=${1:-all}
mkdir -p "$OUT"
timed() { /usr/bin/time -f "wall %e s, user %U s" nice -n 10 "$@"; }

if [ "$phase" = mle ] || [ "$phase" = all ]; then
  for s in $SEEDS; do
    timed "$BIN" mrt train --data $DATA --out $OUT/mle-$s --seed $s --max-steps 1000 \
      --eval-every 200 --patience 4 --dev-sentences 286 --quiet > $OUT/mle-$s.log 2>&1 &
  done
  wait
fi
if [ "$phase" = finetune ] || [ "$phase" = all ]; then
  for s in $SEEDS; do
    timed "$BIN" mrt train --data $DATA --init $OUT/mle-$s --objective risk --out $OUT/mrt-$s \
      --seed $s --samples 8 --sources-per-step 16 --max-steps 100 --eval-every 25 \
      --dev-sentences 286 --quiet > $OUT/mrt-$s.log 2>&1 &
    timed "$BIN" mrt train --data $DATA --init $OUT/mle-$s --objective mle --lr 1e-4 \
      --out $OUT/mlec-$s --seed $s --max-steps 100 --eval-every 25 --dev-sentences 286 \
      --quiet > $OUT/mlec-$s.log 2>&1 &
  done
  wait
fi
if [ "$phase" = eval ] || [ "$phase" = all ]; then
  for s in $SEEDS; do
    for r in mle mlec mrt; do
      "$BIN" mrt eval $OUT/$r-$s --split test --examples 0 > $OUT/$r-$s.test.txt
      "$BIN" bleu $DATA/test.ref1 $DATA/test.ref2 -i $OUT/$r-$s/test.greedy.hyp > $OUT/$r-$s.test2.txt
      echo "$r-$s: $(head -1 $OUT/$r-$s.test.txt | sed 's/.*BLEU = /1 ref: BLEU = /')"
      echo "$r-$s: 2 refs: $(cat $OUT/$r-$s.test2.txt)"
    done
  done
fi
