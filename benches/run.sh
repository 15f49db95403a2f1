#!/usr/bin/env bash
# Runs every comparison of tinyalloc-bench, writes benches/RESULTS.md and rewrites the
# README's performance section (between its `benches/run.sh` markers):
#   1. instruction counts: each workload on each entry, one process under callgrind,
#      with the host's critical section (`count`) and with a no-op one (`count-bare`);
#      for the `worst` cases also the instructions inside the call's critical
#      sections alone, how many sections it entered and the longest (`count-masked`);
#   2. the heaps' packing figures (deterministic, no callgrind);
#   3. wall-clock medians with divan (`cargo bench -p tinyalloc-bench`).
# Needs valgrind, and for the 32-bit packing figures the Rust target
# i686-unknown-linux-gnu (added here with rustup) and a 32-bit C library to link
# against (Debian: `apt-get install gcc-multilib`). Takes a few minutes; builds with
# at most two jobs.
# Usage: benches/run.sh [--lto] [DIVAN_FILTER...]   (extra arguments go to divan)
#   --lto: the same runs built with fat LTO and one codegen unit, as firmware release
#          profiles often are; writes benches/RESULTS-lto.md and leaves the README alone.
set -euo pipefail
cd "$(dirname "$0")/.."

lto=false
if [ "${1:-}" = --lto ]; then
    lto=true
    shift
fi

# Its own target directory: the flags below would otherwise rebuild the one that
# `cargo test` and CI use, each time one or the other runs.
target=${CARGO_TARGET_DIR:-target}/bench-run
results=benches/RESULTS.md
command='benches/run.sh'
build='release profile (opt-level 3, 16 codegen units, no cross-crate LTO)'
if $lto; then
    target=${CARGO_TARGET_DIR:-target}/bench-run-lto
    results=benches/RESULTS-lto.md
    command='benches/run.sh --lto'
    build='release profile with fat LTO and one codegen unit'
    export CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
    export CARGO_PROFILE_BENCH_LTO=fat CARGO_PROFILE_BENCH_CODEGEN_UNITS=1
fi
export CARGO_TARGET_DIR=$target
# heapless's `box_pool!` needs 128-bit atomics on x86-64: a compare-and-swap
# (cmpxchg16b) and loads and stores (`vmovdqa`, atomic where the CPU has AVX).
# Without both CPU features enabled at compile time, `portable-atomic` picks them at
# run time, through a function pointer, on every call, which a Cortex-M
# (LDREX/STREX on 32-bit words) never pays: the pair took 102 instructions with
# cmpxchg16b alone, 55 with both. Every entry is built with the same flags, and AVX
# changes code generation throughout: 64-byte copies take about one instruction less,
# loops may be vectorised (the `worst` group's `Pool::read` closure that sums 64
# bytes: 131 -> 92), and other counts move by a little either way.
# Flags of the caller's own, kept for the 32-bit build, which the x86-64 ones below
# do not suit.
rustflags_given=${RUSTFLAGS:-}
if [ "$(uname -m)" = x86_64 ] && grep -qw cx16 /proc/cpuinfo; then
    features=+cmpxchg16b
    grep -qw avx /proc/cpuinfo && features=$features,+avx
    export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=$features"
    build="$build, -C target-feature=$features"
fi
# The packing figures once more for a 32-bit target, as on a microcontroller:
# talc's and rlsf's blocks are rounded to units that are half as large there.
# Needs the Rust target and a 32-bit C library to link against (Debian:
# `apt-get install gcc-multilib`).
packing32=i686-unknown-linux-gnu

out=$target/bench-results
mkdir -p "$out"
jobs=(-j2)

echo "==> building the drivers and the benches"
cargo build --release "${jobs[@]}" -p tinyalloc-bench --bins
cargo build --release "${jobs[@]}" -p tinyalloc-bench --no-default-features \
    --features bare-critical-section --bin count-bare --bin count-masked
cargo bench "${jobs[@]}" -p tinyalloc-bench --no-run
rustup target add "$packing32" >/dev/null 2>&1 || true
RUSTFLAGS=$rustflags_given cargo build --release "${jobs[@]}" -p tinyalloc-bench --bin count --target "$packing32" || {
    echo "run.sh: cannot build for $packing32 (the packing figures for a 32-bit target);" \
        "install its Rust target and a 32-bit C library (Debian: apt-get install gcc-multilib)" >&2
    exit 1
}

echo "==> instruction counts (callgrind)"
"$target/release/count" list >"$out/list.txt"
: >"$out/counts.txt"
total=$(wc -l <"$out/list.txt")
done_runs=0
while read -r group entry workload capacity; do
    for cs in std none; do
        driver="$target/release/count"
        [ "$cs" = none ] && driver="$target/release/count-bare"
        result=$(valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
            --toggle-collect='tinyalloc_bench::measured::*' \
            "$driver" run "$group" "$entry" "$workload" "$capacity" 2>"$out/valgrind.log") || {
            cat "$out/valgrind.log" >&2
            exit 1
        }
        ir=$(sed -n 's/^summary: //p' "$out/callgrind.out")
        echo "$cs $group $entry $workload $capacity $result ir=$ir" >>"$out/counts.txt"
    done
    if [ "$group" = worst ]; then
        # Collection starts off and only count-masked's critical section turns it on,
        # for each section of the one call, then dumps that section's count to a file
        # of its own (callgrind.out.1, .2, …): their sum is what runs inside the
        # sections, the largest the longest one. Its line adds `sections=N`.
        rm -f "$out"/callgrind.out*
        result=$(valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
            --collect-atstart=no \
            "$target/release/count-masked" run "$group" "$entry" "$workload" "$capacity" \
            2>"$out/valgrind.log") || {
            cat "$out/valgrind.log" >&2
            exit 1
        }
        read -r ir longest < <(sed -n 's/^summary: //p' "$out"/callgrind.out* |
            awk '{ sum += $1; if ($1 > max) max = $1 } END { print sum + 0, max + 0 }')
        echo "masked $group $entry $workload $capacity $result ir=$ir longest=$longest" \
            >>"$out/counts.txt"
    fi
    done_runs=$((done_runs + 1))
    printf '\r    %d of %d' "$done_runs" "$total"
done <"$out/list.txt"
echo

echo "==> packing"
"$target/release/count" packing >"$out/packing.txt"
"$target/$packing32/release/count" packing >"$out/packing-32.txt"

echo "==> wall-clock (divan)"
for group in pools heaps buffers; do
    cargo bench "${jobs[@]}" -p tinyalloc-bench --bench "$group" -- \
        --min-time 0.1 --max-time 0.5 "$@" | tee "$out/divan-$group.txt"
done

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(uname -m), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
    echo "toolchain: $(rustc -V), $(valgrind --version), divan $(sed -n '/^name = "divan"/{n;s/version = "\(.*\)"/\1/p}' Cargo.lock)"
    echo "commit: $(git describe --always --dirty)"
    echo "build: $build"
    echo "command: \`$command\`"
} >"$out/meta.txt"

if $lto; then
    "$target/release/report" "$out" >"$results"
    echo "==> wrote $results"
else
    "$target/release/report" "$out" --readme README.md >"$results"
    echo "==> wrote $results and the README's performance section"
fi
