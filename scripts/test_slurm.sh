#!/usr/bin/env bash
# `make test-slurm`: `losslab rl compare --executor slurm` and `losslab sweep --executor slurm`
# against a real one-node Slurm.
#
# On Debian with root: installs slurm-wlm and munge with apt-get (when missing), writes a
# single-node slurm.conf for this host in a scratch folder, starts munged, slurmctld and slurmd,
# then
#   1. runs a 2-shaping x 2-seed comparison on a gridworld to completion and checks the report;
#   2. in a fresh folder, cancels one array task mid-run (scancel JOB_1), checks the watcher
#      lists it as failed, and checks that the rerun resubmits only that task (resuming it from
#      its checkpoint); that rerun is stopped with SIGTERM (the array keeps running), and a third
#      run watches the array again without submitting anything and writes the complete report;
#   3. runs a small `losslab sweep` (random sampler, ASHA pruning) on the same executor, one job
#      array per rung, and checks trials.csv and best.yaml;
# and stops the daemons it started by their PIDs (trap on exit).
# Without root or apt it prints SKIPPED with the reason (never PASS). Needs the release binary
# (`make test-slurm` builds it). About 2-4 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(pwd)/${LOSSLAB_BIN:-.build/release/losslab}

skip() {
  echo "=================================================================="
  echo "SKIPPED: make test-slurm: $*"
  echo "=================================================================="
  exit 0
}
fail() {
  echo "FAIL: make test-slurm: $*" >&2
  exit 1
}
step() { echo "--- test-slurm: $*"; }

[ "$(uname -s)" = Linux ] || skip "not Linux ($(uname -s)); a real Slurm needs Debian"
[ "$(id -u)" = 0 ] || skip "not root: this test installs slurm-wlm and munge with apt-get and starts their daemons"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null \
  || ! command -v sbatch >/dev/null; then
  command -v apt-get >/dev/null || skip "no apt-get: install Slurm (slurmctld, slurmd, sbatch) and munge by hand"
  step "installing slurm-wlm and munge with apt-get"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge) \
    || skip "apt-get install slurm-wlm munge failed (no network or no Debian repository?)"
fi
[ -x "$BIN" ] || fail "$BIN is not built (make test-slurm builds it)"

SCRATCH=$(mktemp -d /tmp/losslab-slurm.XXXXXX)
HOST=$(hostname -s)
CPUS=$(nproc)
# Memory in MB (90% of MemTotal), so that --slurm-mem requests can be satisfied.
MEMORY=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
CONF=$SCRATCH/slurm.conf
mkdir -p "$SCRATCH/state" "$SCRATCH/spool" "$SCRATCH/log"
PIDS=()
cleanup() {
  status=$?
  if [ -n "${SLURM_CONF:-}" ] && command -v scancel >/dev/null; then
    scancel --name=losslab-compare >/dev/null 2>&1 || true
    sleep 1
  fi
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[$i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$status" != 0 ]; then
    echo "test-slurm: failed; daemon logs:" >&2
    tail -n 20 "$SCRATCH"/log/*.log >&2 2>/dev/null || true
  fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

cat >"$CONF" <<EOF
ClusterName=losslabtest
SlurmctldHost=$HOST
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$SCRATCH/state
SlurmdSpoolDir=$SCRATCH/spool
SlurmctldPidFile=$SCRATCH/slurmctld.pid
SlurmdPidFile=$SCRATCH/slurmd.pid
SlurmctldLogFile=$SCRATCH/log/slurmctld.log
SlurmdLogFile=$SCRATCH/log/slurmd.log
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
KillWait=15
NodeName=$HOST CPUs=$CPUS RealMemory=$MEMORY State=UNKNOWN
PartitionName=losslab Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$CONF

step "starting munged, slurmctld, slurmd ($HOST, $CPUS CPUs, config $CONF)"
if ! pgrep -x munged >/dev/null; then
  mkdir -p /run/munge
  munged --foreground --force >"$SCRATCH/log/munged.log" 2>&1 &
  PIDS+=($!)
  sleep 1
fi
slurmctld -D -f "$CONF" >"$SCRATCH/log/slurmctld.out" 2>&1 &
PIDS+=($!)
slurmd -D -f "$CONF" >"$SCRATCH/log/slurmd.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 60); do
  state=$(sinfo --noheader --Node --format=%t 2>/dev/null | head -n 1 || true)
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "the node never became idle (sinfo says '$state')"
step "node $HOST is idle"

export LOSSLAB_SLURM_POLL_SECONDS=1
# Called only in a subshell (a pipeline or `&`): it execs, so `$!` is losslab's own PID.
compare() {
  exec "$BIN" rl compare --env gridworld:fourrooms --shapings none,pbrs:bfs --seeds 2 --steps "$1" \
    --eval-freq "$2" --eval-episodes 5 --executor slurm --slurm-max-parallel 2 --slurm-time 10 \
    --no-progress --out "$3" "${@:4}"
}
finished_runs() { grep -l '"finished"' "$1"/runs/*/seed-*/status.json 2>/dev/null | wc -l; }
last_submission() { tr -d ' \n' <"$1/slurm/submissions.json" | sed 's/.*"job":\([0-9]*\),.*/\1/'; }
last_tasks() { tr -d ' \n' <"$1/slurm/submissions.json" | sed 's/.*"tasks":\[\([0-9,]*\)\].*/\1/'; }

# 1. A comparison to completion.
A=$SCRATCH/compare-a
step "1. rl compare --executor slurm (2 shapings x 2 seeds) to completion"
compare 4096 1024 "$A" --slurm-mem 500M 2>&1 | tee "$SCRATCH/a.out"
[ -f "$A/report.md" ] || fail "no report.md in $A"
[ "$(finished_runs "$A")" = 4 ] || fail "expected 4 finished runs in $A, got $(finished_runs "$A")"
grep -q "pbrs:bfs" "$A/report.md" || fail "report.md has no pbrs:bfs row"
[ "$(last_tasks "$A")" = "0,1,2,3" ] || fail "first submission should be tasks 0-3, got $(last_tasks "$A")"
step "1. ok: 4 finished runs, report.md written"

# 2. Cancel array task 1 mid-run; the rerun resubmits only it. Runs long enough (~20 s at ~5000
# steps/s) to be caught mid-run.
B=$SCRATCH/compare-b
LONG=100000
step "2. cancelling one array task mid-run"
compare "$LONG" 8192 "$B" >"$SCRATCH/b1.out" 2>&1 &
watcher=$!
target=$B/runs/none/seed-1
for _ in $(seq 240); do
  [ -f "$target/metrics.csv" ] && [ "$(wc -l <"$target/metrics.csv")" -ge 3 ] && break
  sleep 0.5
done
[ -f "$target/metrics.csv" ] || fail "array task 1 never started training ($target)"
grep -q '"finished"' "$target/status.json" && fail "array task 1 finished before it could be cancelled"
job=$(last_submission "$B")
scancel "${job}_1"
step "2. scancel ${job}_1 sent"
set +e
wait "$watcher"
first=$?
set -e
cat "$SCRATCH/b1.out"
[ "$first" = 1 ] || fail "the watcher should exit 1 with a failed task, got $first"
grep -q "FAILED .*runs/none/seed-1" "$SCRATCH/b1.out" || fail "the cancelled task is not listed as FAILED"
grep -q "task-1.out" "$SCRATCH/b1.out" || fail "the failed task's log tail is not shown"
[ "$(finished_runs "$B")" = 3 ] || fail "expected 3 finished runs after the cancel, got $(finished_runs "$B")"
grep -Eq '"status" : "(interrupted|running|failed)"' "$target/status.json" \
  || fail "the cancelled run's status.json: $(cat "$target/status.json")"

step "2. rerun: must resubmit task 1 only; stopping the watcher with SIGTERM leaves it running"
compare "$LONG" 8192 "$B" >"$SCRATCH/b2.out" 2>&1 &
watcher=$!
for _ in $(seq 60); do
  [ "$(last_submission "$B")" != "$job" ] && break
  sleep 0.5
done
[ "$(last_tasks "$B")" = "1" ] || fail "the rerun should resubmit task 1 only, got tasks $(last_tasks "$B")"
sleep 2
kill -TERM "$watcher"
set +e
wait "$watcher"
second=$?
set -e
cat "$SCRATCH/b2.out"
[ "$second" = 130 ] || fail "the interrupted watcher should exit 130, got $second"
grep -q "submitted job .*array 1%2 (1 of 4 runs)" "$SCRATCH/b2.out" || fail "no resubmission of task 1 alone"
grep -q "scancel $(last_submission "$B")" "$SCRATCH/b2.out" || fail "the interrupted watcher does not say how to cancel"
"$BIN" rl report "$B" >"$SCRATCH/partial.out" 2>&1 || fail "rl report of the partial array failed: $(cat "$SCRATCH/partial.out")"
grep -q "report: " "$SCRATCH/partial.out" || fail "rl report wrote no report while the array runs"
step "2. rl report while task 1 runs: ok ($(grep -c "left out" "$SCRATCH/partial.out") run left out)"

step "2. rerun again: watches the running task (no new submission) and writes the report"
before=$(last_submission "$B")
compare "$LONG" 8192 "$B" 2>&1 | tee "$SCRATCH/b3.out"
[ "$(last_submission "$B")" = "$before" ] || fail "the third run submitted again"
grep -q "still queued or running; watching them" "$SCRATCH/b3.out" || fail "the third run did not watch the array"
[ "$(finished_runs "$B")" = 4 ] || fail "expected 4 finished runs at the end, got $(finished_runs "$B")"
grep -q -- "--resume" "$B/slurm/logs/task-1.out" || fail "task 1 was not resumed from its checkpoint"
[ -f "$B/report.md" ] || fail "no report.md in $B"
step "2. ok: only task 1 was resubmitted, resumed from its checkpoint; report complete"
# 3. A sweep on the same executor: each ASHA rung of each batch is one job array.
S=$SCRATCH/sweep
step "3. losslab sweep --executor slurm (4 random trials x 2 seeds, ASHA rungs 64/192/576 steps)"
cat >"$SCRATCH/space.yaml" <<'SPACE'
parameters:
  learning_rate: {type: loguniform, low: 1.0e-4, high: 3.0e-2}
  shaping: {type: choice, values: [none, "pbrs:bfs"]}
SPACE
"$BIN" sweep --space "$SCRATCH/space.yaml" --env gridworld:frozenlake-4x4 --set n_steps=64 \
  --set batch_size=64 --sampler random --trials 4 --seeds 2 --steps 576 --min-steps 64 --eta 3 \
  --pruner asha --eval-freq 64 --eval-episodes 5 --executor slurm --slurm-max-parallel 2 \
  --slurm-time 10 --out "$S" 2>&1 | tee "$SCRATCH/s.out"
[ -f "$S/trials.csv" ] || fail "no trials.csv in $S"
[ -f "$S/best.yaml" ] || fail "no best.yaml in $S"
rows=$(tail -n +2 "$S/trials.csv" | grep -c -E ',(complete|pruned),' || true)
[ "$rows" = 4 ] || fail "expected 4 complete or pruned trials in trials.csv, got $rows"
arrays=$(find "$S/slurm" -name 'submissions.json' | wc -l)
[ "$arrays" -ge 2 ] || fail "expected one job array per rung (at least 2), found $arrays"
step "3. ok: 4 trials recorded ($(grep -c ',pruned,' "$S/trials.csv" || true) pruned), $arrays job arrays"
echo "PASS: make test-slurm (Slurm $(sinfo --version | awk '{print $2}'), $SECONDS s)"
