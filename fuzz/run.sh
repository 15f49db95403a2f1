#!/usr/bin/env bash
# Runs fuzz targets one after another, each for SECONDS (default 60), and prints one
# line per target: executions, corpus size, and the crash input if it found one.
#
#   fuzz/run.sh                 every target, 60 s each
#   fuzz/run.sh 600 cache slab  two targets, 10 minutes each
#
# An input that runs for more than 10 s counts as a failure (a hang: every input
# normally takes milliseconds); libFuzzer's own limit is 20 minutes.
#
# Each target starts from its committed seeds (seeds/TARGET/) and the corpus earlier
# runs grew (corpus/TARGET/, not committed); new inputs go to the corpus. A crash
# input lands in artifacts/TARGET/; replay it with
#   cargo +nightly fuzz run TARGET artifacts/TARGET/crash-…
# Exits non-zero when any target failed. Needs nightly Rust and cargo-fuzz
# (`cargo install cargo-fuzz --locked`), which it installs when missing.
set -uo pipefail
cd "$(dirname "$0")"

seconds=${1:-60}
shift || true
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=(slab buffer deque cache heap_bump_free_list heap_segregated heap_free_list)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# Build every target first (all at once: they share the crate), so the time limits
# are fuzzing time only.
mkdir -p logs
CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2} cargo +nightly fuzz build >logs/build.log 2>&1 ||
    { cat logs/build.log; exit 1; }

failed=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "seeds/$target"
    log="logs/$target.log"
    started=$SECONDS
    cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    files=$(find "corpus/$target" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        printf '%-20s ok     %4ss  %10s executions  %6s corpus files\n' \
            "$target" "$((SECONDS - started))" "${runs:-?}" "$files"
    else
        failed=1
        crash=$(grep -o "artifacts/$target/[a-z]*-[0-9a-f]*" "$log" | tail -n 1)
        printf '%-20s FAILED %4ss  %10s executions  %6s corpus files  %s (log: fuzz/%s)\n' \
            "$target" "$((SECONDS - started))" "${runs:-?}" "$files" "${crash:-no artifact}" "$log"
        grep -E "panicked at|^ *(assertion|left|right)|ERROR: |ALARM" "$log" | head -n 6 | sed 's/^/    /'
    fi
done
exit "$failed"
