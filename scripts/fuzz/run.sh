#!/usr/bin/env bash
# Builds the libFuzzer harnesses (scripts/fuzz, address sanitizer + libFuzzer coverage) and runs
# each for FUZZ_SECONDS (default 60) with seed corpora from the shipped files.
#
#   scripts/fuzz/run.sh [HARNESS...]        # all harnesses when none is named
#   FUZZ_SECONDS=600 scripts/fuzz/run.sh FuzzWAV
#
# Corpora grow under .build/fuzz/corpus/<harness> (kept between runs); crashes land in
# .build/fuzz/crashes/<harness>. Each harness's last stats line goes to .build/fuzz/<harness>.log.
# Exit status 1 if any harness found a crash, timeout, out-of-memory or property violation.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
# Allocations beyond this are findings: no parser may allocate far more than its input.
FUZZ_MALLOC_LIMIT_MB=${FUZZ_MALLOC_LIMIT_MB:-512}
FUZZ_RSS_LIMIT_MB=${FUZZ_RSS_LIMIT_MB:-2048}
ALL=(FuzzGridMap FuzzPreset FuzzShaping FuzzSafeTensors FuzzWAV FuzzManifest FuzzBLEU FuzzJSON FuzzReplay FuzzARPA FuzzSweepSpace FuzzCorpora)
HARNESSES=("$@")
[ ${#HARNESSES[@]} -eq 0 ] && HARNESSES=("${ALL[@]}")

SWIFT_BIN=$(dirname "$(command -v swift)")
FUZZER_LIB=$(ls "$SWIFT_BIN"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -1)
if [ -z "$FUZZER_LIB" ]; then
  echo "SKIPPED: libclang_rt.fuzzer_no_main not found in the Swift toolchain (needs a Linux toolchain with libFuzzer)"
  exit 0
fi

# SwiftPM links each executable with its own entry point (<Module>_main): the harnesses define it
# and call LLVMFuzzerRunDriver, so libFuzzer comes without its main (fuzzer_no_main).
FLAGS=(-Xswiftc -sanitize=address
  -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
  -Xswiftc -parse-as-library -Xlinker "$FUZZER_LIB" -Xlinker -lstdc++)
echo "fuzz: building ${HARNESSES[*]}"
# One build for all harnesses (the library is compiled once, instrumented). FUZZ_NO_BUILD=1 runs
# the harnesses as last built.
[ "${FUZZ_NO_BUILD:-0}" = 1 ] || swift build --package-path scripts/fuzz --scratch-path .build/fuzz/build "${FLAGS[@]}" 2>&1 \
  | grep -v "Cannot export local symbol" | grep -E "error:|Build complete" || true
for h in "${HARNESSES[@]}"; do
  [ -x .build/fuzz/build/debug/"$h" ] || { echo "fuzz: $h did not build"; exit 1; }
done

seed() {  # harness -> seed files (the shipped files each parser reads)
  case "$1" in
    FuzzGridMap) ls environments/gridworld/*.map Tests/Fixtures/gridworld/*.map 2>/dev/null ;;
    FuzzPreset) ls environments/presets/*.yml environments/presets/*.yaml 2>/dev/null ;;
    FuzzShaping) ls environments/potentials/* Tests/Fixtures/gridworld/*.potential 2>/dev/null ;;
    FuzzSafeTensors) find Tests/Fixtures -name '*.safetensors' 2>/dev/null ;;
    FuzzWAV) find Tests/Fixtures -name '*.wav' 2>/dev/null ;;
    FuzzManifest) find Tests/Fixtures -name '*manifest*' 2>/dev/null ;;
    FuzzBLEU) find Tests/Fixtures/bleu -type f -size -64k 2>/dev/null | head -40 ;;
    FuzzJSON) find Tests/Fixtures -name '*.json' -size -64k 2>/dev/null | head -60 ;;
    FuzzARPA) find Tests/Fixtures -name '*.arpa' -size -64k -o -name '*lexicon*' -size -64k -o -name 'tokens*.txt' -size -64k 2>/dev/null | head -20 ;;
    FuzzSweepSpace) ls environments/sweeps/*.yaml 2>/dev/null ;;
    FuzzReplay) ;;  # the fixtures are megabytes: scripts/fuzz/seeds/FuzzReplay holds cut-down ones
  esac
}

status=0
for h in "${HARNESSES[@]}"; do
  corpus=.build/fuzz/corpus/$h
  crashes=.build/fuzz/crashes/$h
  mkdir -p "$corpus" "$crashes"
  # Seeds: the shipped files (a selector byte first for the harnesses that take one), plus the
  # hand-made seeds for formats with no shipped file (scripts/fuzz/seeds/<harness>) and the
  # regression inputs of earlier findings (scripts/fuzz/regressions/<harness>).
  while read -r f; do
    [ -f "$f" ] || continue
    name=seed-$(echo "$f" | tr '/' '_')
    case "$h" in
      FuzzShaping) { printf '\001'; cat "$f"; } > "$corpus/$name" ;;
      FuzzBLEU) { printf '\000'; head -c 2048 "$f"; } > "$corpus/$name" ;;
      FuzzARPA)  # selector: 0 ARPA model, 1 token list, 2 lexicon
        case "$f" in
          *.arpa) { printf '\000'; cat "$f"; } > "$corpus/$name" ;;
          *tokens*) { printf '\001'; cat "$f"; } > "$corpus/$name" ;;
          *) { printf '\002'; head -c 16384 "$f"; } > "$corpus/$name" ;;
        esac ;;
      *) cp "$f" "$corpus/$name" ;;
    esac
  done < <(seed "$h")
  for extra in scripts/fuzz/seeds/$h scripts/fuzz/regressions/$h; do
    [ -d "$extra" ] && cp "$extra"/* "$corpus/" 2>/dev/null || true
  done
  # Inputs up to 64 KiB; BLEU scores every n-gram of every line (quadratic in debug), so 4 KiB.
  max_len=65536
  [ "$h" = FuzzBLEU ] && max_len=4096
  log=.build/fuzz/$h.log
  echo "fuzz: $h for ${FUZZ_SECONDS}s ($(ls "$corpus" | wc -l) corpus files)"
  if .build/fuzz/build/debug/"$h" "$corpus" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
    -malloc_limit_mb="$FUZZ_MALLOC_LIMIT_MB" -rss_limit_mb="$FUZZ_RSS_LIMIT_MB" -timeout=60 \
    -artifact_prefix="$crashes/" -max_len="$max_len" > "$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $h ok: $runs executions in ${FUZZ_SECONDS}s, corpus $(ls "$corpus" | wc -l) files"
  else
    status=1
    echo "fuzz: $h FOUND A PROBLEM (log $log, inputs in $crashes):"
    grep -E "ERROR|PROPERTY|Fatal error|deadly|SUMMARY" "$log" | head -5
  fi
done
exit $status
