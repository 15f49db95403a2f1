#!/usr/bin/env bash
# Instructions per operation on the emulated Cortex-M0 (lm3s6965evb) and Cortex-M4F
# (mps2-an386), tinyalloc's and the peer crates' side by side: src/bin/count_pools.rs
# (fixed-size pools), src/bin/count_heaps.rs (heaps) and src/bin/count_queues.rs
# (byte queues), built with the `speed` profile (opt-level 3, LTO, one codegen unit).
# Prints three markdown tables.
#
#   scripts/count-report.sh                  the tables
#   scripts/count-report.sh --check FILE     fails unless FILE holds these tables
#                                            between its count-report markers, each
#                                            figure within SLACK (3) % of this run's
#
# QEMU runs each image one instruction at a time and logs the address of each
# (`-singlestep -d exec,nochain`, as QEMU 7.2 of Debian 12 and CI spells it; from
# 8.1 on it is `-accel tcg,one-insn-per-tb=on`, and a QEMU without `-singlestep`
# fails this script: it prints no rows). In that log, every instruction from the
# entry of `count::measured` to its return (to the instruction after the call) is
# counted, the calls it makes included; those inside the `mem*` builtins are also
# counted apart. `count::row` starts each row: the n-th call of it in the log is
# the n-th line the image prints, `workload units entry`. The count is exact and the
# same on every run of one image; builds of the same source at other paths can
# differ a little (see scripts/stack-report.sh), hence the check's SLACK.
set -euo pipefail

check=
case ${1:-} in
--check) check=$(realpath "$2") ;;
"") ;;
*)
    echo "count-report: unknown argument $1" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."

target_root=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The counter: reads the symbols (file 1: `start end kind`, addresses as 8 lowercase
# hex digits, even, `end` past the last byte) and the trace (file 2); prints
# `instructions builtins` per row. Addresses compare as strings: with 8 digits
# each, that is their numeric order.
cat >"$work/count.awk" <<'EOF'
function number(s,   i, n) {
    n = 0
    for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return n
}
NR == FNR {
    if ($3 == "builtin") { lo[++builtins] = "x" $1; hi[builtins] = "x" $2 }
    else kind[$1] = $3
    next
}
/^Trace/ {
    split($4, field, "/")
    pc = field[2]
    if (inside) {
        if (pc == back2 || pc == back4) inside = 0
        else {
            count[rows]++
            for (i = 1; i <= builtins; i++)
                if ("x" pc >= lo[i] && "x" pc < hi[i]) { copied[rows]++; break }
        }
    } else if (pc in kind) {
        if (kind[pc] == "row") { rows++; count[rows] = 0; copied[rows] = 0 }
        else {
            # The call returns to the instruction after it: `bl` is 4 bytes, `blx`
            # 2 bytes long.
            inside = 1
            count[rows]++
            back2 = sprintf("%08x", number(previous) + 2)
            back4 = sprintf("%08x", number(previous) + 4)
        }
    }
    previous = pc
}
END { for (i = 1; i <= rows; i++) print count[i], copied[i] }
EOF

# run TARGET MACHINE CPU IMAGE: `instructions builtins workload units entry` lines.
run() {
    local elf="$target_root/$1/speed/$4"
    nm -S "$elf" | awk '
        function even(a,   d) {
            d = index("0123456789abcdef", substr(a, 8, 1)) - 1
            return substr(a, 1, 7) substr("0123456789abcdef", d - d % 2 + 1, 1)
        }
        $4 ~ /18tinyalloc_firmware5count8measured17h/ { print even($1), even($1), "measured" }
        $4 ~ /18tinyalloc_firmware5count3row17h/ { print even($1), even($1), "row" }
        $4 ~ /^__aeabi_mem|^mem(cpy|set|move|cmp)$|compiler_builtins3mem/ {
            print even($1), sprintf("%08x", ("0x" $1) + ("0x" $2)), "builtin"
        }' >"$work/symbols"
    if [[ $(grep -c ' row$' "$work/symbols") != 1 || $(grep -c ' measured$' "$work/symbols") == 0 ]]; then
        echo "count-report: $4 has no count::row or count::measured symbol" >&2
        exit 1
    fi
    rm -f "$work/trace"
    mkfifo "$work/trace"
    awk -f "$work/count.awk" "$work/symbols" "$work/trace" >"$work/counts" &
    local counter=$!
    # QEMU's own notes ("Timer with period zero") go to stderr; the rows to stdout.
    timeout --kill-after=5 120 qemu-system-arm -cpu "$3" -machine "$2" -nographic \
        -monitor none -serial none -semihosting-config enable=on,target=native \
        -singlestep -d exec,nochain -D "$work/trace" -kernel "$elf" >"$work/rows" 2>/dev/null
    wait "$counter"
    if [[ $(wc -l <"$work/rows") != $(wc -l <"$work/counts") ]]; then
        echo "count-report: $4 on $3 printed $(wc -l <"$work/rows") rows, its log has $(wc -l <"$work/counts")" >&2
        exit 1
    fi
    paste -d' ' "$work/counts" "$work/rows"
}

# heapless's pool needs its `portable-atomic-critical-section` feature on the M0, and
# attachable-slab-allocator (feature `peers`) compare-and-swap, which the M0 lacks.
m0_features=peers-m0,peer-heapless,heapless/portable-atomic-critical-section
cargo build --quiet --profile speed --target thumbv6m-none-eabi --features "$m0_features" \
    --bin count_pools --bin count_heaps --bin count_queues
cargo build --quiet --profile speed --target thumbv7em-none-eabihf --features peers \
    --bin count_pools --bin count_heaps --bin count_queues
for image in count_pools count_heaps count_queues; do
    run thumbv6m-none-eabi lm3s6965evb cortex-m0 "$image" >"$work/$image.m0"
    run thumbv7em-none-eabihf mps2-an386 cortex-m4 "$image" >"$work/$image.m4"
done

# The tables: per unit, one decimal, and `(mem* N)` where the builtins took part. An
# entry the M0 image lacks shows a dash.
tables=$(
    awk '
        function cell(key,   f, per, copied) {
            if (!(key in line)) return "—"
            split(line[key], f, " ")
            per = sprintf("%.1f", f[1] / f[4])
            copied = f[2] / f[4]
            return copied > 0 ? sprintf("%s (mem* %.1f)", per, copied) : per
        }
        # A table of one workload, a column per core: the M0 image is file `m0`, the
        # M4F image the next.
        function two(title, m0, workload,   i, e) {
            print ""
            print "| " title " | Cortex-M0 | Cortex-M4F |"
            print "| --- | ---: | ---: |"
            for (i = 1; i <= n[m0 + 1]; i++) {
                e = order[m0 + 1, i]
                printf "| %s | %s | %s |\n", e, cell(m0 SUBSEP workload SUBSEP e), cell(m0 + 1 SUBSEP workload SUBSEP e)
            }
        }
        FNR == 1 { file++ }
        {
            entry = $0
            sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ /, "", entry)
            line[file, $3, entry] = $0
            # Rows in the order of the M4F images, which have every entry.
            if ((file == 2 || file == 4 || file == 6) && !((file, entry) in seen)) {
                seen[file, entry] = 1
                order[file, ++n[file]] = entry
            }
        }
        END {
            print "| pool of 128 blocks: alloc (64 bytes copied in) + free | Cortex-M0 | nearly full | Cortex-M4F | nearly full |"
            print "| --- | ---: | ---: | ---: | ---: |"
            for (i = 1; i <= n[2]; i++) {
                e = order[2, i]
                if (e == "empty") continue
                printf "| %s | %s | %s | %s | %s |\n", e, cell(1 SUBSEP "pair" SUBSEP e), cell(1 SUBSEP "pair-full" SUBSEP e), cell(2 SUBSEP "pair" SUBSEP e), cell(2 SUBSEP "pair-full" SUBSEP e)
            }
            two("heap of 32 KiB: mixed workload, per alloc or free", 3, "mixed")
            two("byte queue: one byte pushed, then popped", 5, "bytes")
            printf "| (an empty measured call) | %s | %s |\n", cell(1 SUBSEP "call" SUBSEP "empty"), cell(2 SUBSEP "call" SUBSEP "empty")
        }' "$work/count_pools.m0" "$work/count_pools.m4" "$work/count_heaps.m0" "$work/count_heaps.m4" \
        "$work/count_queues.m0" "$work/count_queues.m4"
)

if [[ -z $check ]]; then
    echo "$tables"
    exit 0
fi
scripts/check-table.sh count-report count-report.sh 3 percent "$check" <<<"$tables"
