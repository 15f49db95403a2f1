#!/usr/bin/env bash
# The stack each call takes at its deepest, measured on the emulated Cortex-M0
# (lm3s6965evb) and Cortex-M4F (mps2-an386) by src/bin/stack_report.rs (tinyalloc)
# and src/bin/stack_report_peers.rs (the peer crates), built as the size probes are
# (opt-level "z", LTO, one codegen unit). Prints a markdown table.
#
#   scripts/stack-report.sh                  the table
#   scripts/stack-report.sh --check FILE     fails unless FILE holds this table
#                                            between its stack-report markers, each
#                                            figure within SLACK bytes of this run's
#
# Builds of the same source can differ by a few words: the optimiser's choices follow
# the order of the symbols, whose names Cargo derives from the checkout's path, and
# one row of the table moved by 36 bytes between two clones. So the check allows
# SLACK (48) bytes either way; a change of more than that is a change to write down.
set -euo pipefail

check=
case ${1:-} in
--check) check=$(realpath "$2") ;;
"") ;;
*)
    echo "stack-report: unknown argument $1" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."

target_root=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

# measure TARGET MACHINE CPU PEER-FEATURES: the `name bytes` lines of both images.
measure() {
    cargo build --quiet --release --target "$1" --bin stack_report
    cargo build --quiet --release --target "$1" --features "$4" --bin stack_report_peers
    # QEMU's own notes ("Timer with period zero") go to stderr; the lines to stdout.
    for image in stack_report stack_report_peers; do
        scripts/qemu-run.sh "$2" "$3" "$target_root/$1/release/$image" 2>/dev/null
    done
}

# heapless's pool needs its `portable-atomic-critical-section` feature on the M0, as
# in scripts/size-report.sh.
m0=$(measure thumbv6m-none-eabi lm3s6965evb cortex-m0 \
    peers-m0,peer-heapless,heapless/portable-atomic-critical-section)
m4=$(measure thumbv7em-none-eabihf mps2-an386 cortex-m4 peers-m0,peer-heapless)
if [[ -z $m0 || -z $m4 || $(wc -l <<<"$m0") != $(wc -l <<<"$m4") ]]; then
    echo "stack-report: the images did not print one line a measurement each" >&2
    exit 1
fi

table=$(
    echo "| calls (the deepest of them) | Cortex-M0 | Cortex-M4F |"
    echo "| --- | ---: | ---: |"
    paste -d'\n' <(echo "$m0") <(echo "$m4") | while read -r a && read -r b; do
        name=${a% *}
        if [[ $name != "${b% *}" ]]; then
            echo "stack-report: the two images measured different calls: $name, ${b% *}" >&2
            exit 1
        fi
        echo "| $name | ${a##* } B | ${b##* } B |"
    done
)

if [[ -z $check ]]; then
    echo "$table"
    exit 0
fi
scripts/check-table.sh stack-report stack-report.sh 48 bytes "$check" <<<"$table"
