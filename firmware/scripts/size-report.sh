#!/usr/bin/env bash
# Code size and RAM of one capability per firmware image, for thumbv7em-none-eabihf
# (or the --target given) with opt-level = "z", LTO and one codegen unit (see
# Cargo.toml). Prints a markdown table: the .text, .data and .bss of each size probe,
# and its net .text: the growth over an empty firmware, not counting the mem*
# builtins (memcpy, memset, …) the probe pulls in, which every firmware that copies
# memory has anyway.
#
#   scripts/size-report.sh                               ours and the peers
#   scripts/size-report.sh --ours                        ours only (no peer crates to build)
#   scripts/size-report.sh --target thumbv6m-none-eabi   on a Cortex-M0
#   scripts/size-report.sh [--target T] --check FILE     fails unless FILE holds this
#                                   table between its markers (`size-report.sh`, or
#                                   `size-report.sh --target T` for another target),
#                                   each figure within SLACK bytes of this run's
#
# Builds of the same source at another path can differ by a few words (the stack
# report saw 32 B of `.text` move; see scripts/stack-report.sh), so the check allows
# SLACK (64) bytes either way: what it is for is a change of a size nobody wrote down.
#
# On a Cortex-M0 (thumbv6m), which has no compare-and-swap, heapless's pool is built
# with its `portable-atomic-critical-section` feature, as heapless asks there, and
# attachable-slab-allocator, which needs compare-and-swap, is left out.
set -euo pipefail

target=thumbv7em-none-eabihf
ours_only=false
check=
while (($#)); do
    case $1 in
    --ours) ours_only=true ;;
    --check)
        check=$(realpath "$2")
        shift
        ;;
    --target)
        target=$2
        shift
        ;;
    *)
        echo "size-report: unknown argument $1" >&2
        exit 2
        ;;
    esac
    shift
done
# FILE was resolved above, from where the script was called.
cd "$(dirname "$0")/.."
if $ours_only && [[ -n $check ]]; then
    echo "size-report: --check compares the whole table, peers included; drop --ours" >&2
    exit 2
fi
features=(--features peers)
m0=false
if [[ $target == thumbv6m-* ]]; then
    features=(--features peers-m0,peer-heapless,heapless/portable-atomic-critical-section)
    m0=true
fi
if $ours_only; then
    features=()
fi
cargo build --release --target "$target" --bins --quiet "${features[@]}"
# Where cargo puts the images: CARGO_TARGET_DIR or a config may move it, and stale
# images left in ./target must not be the ones measured.
target_root=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
dir="$target_root/$target/release"

# The size of section $2 of ELF file $1, in bytes.
section() {
    local hex
    hex=$(readelf -SW "$1" | awk -v s="$2" '{ for (i = 1; i <= NF; i++) if ($i == s) print $(i + 4) }')
    echo $((16#${hex:-0}))
}

# The bytes of mem* builtins in ELF file $1.
builtins() {
    readelf -sW "$1" | awk '$4 == "FUNC" && $8 ~ /^__aeabi_mem|^mem(cpy|set|move|cmp)$|compiler_builtins3mem/ { sum += $3 } END { print sum + 0 }'
}

base_text=$(section "$dir/probe_baseline" .text)
base_builtins=$(builtins "$dir/probe_baseline")

row() {
    local name=$1 label=$2 elf="$dir/$1"
    # A probe the build did not make (renamed, or gone from Cargo.toml) is an error,
    # not a row left out of the table, nor an old image of it measured again.
    if ! grep -qx "name = \"$name\"" Cargo.toml; then
        echo "size-report: $name is not a binary of Cargo.toml" >&2
        exit 1
    fi
    if [[ ! -f $elf ]]; then
        echo "size-report: $name was not built ($elf)" >&2
        exit 1
    fi
    local text data bss net
    text=$(section "$elf" .text)
    data=$(section "$elf" .data)
    bss=$(section "$elf" .bss)
    net=$((text - base_text - ($(builtins "$elf") - base_builtins)))
    printf '| %s | %d | %d | %d | %d |\n' "$label" "$net" "$text" "$data" "$bss"
}

# The table, a row per probe.
table() {
    echo "| capability (alloc + free once) | net .text | .text | .data | .bss |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    row probe_baseline "empty firmware (baseline)"
    row probe_pool "tinyalloc \`#[pool]\` (64-byte blocks)"
    row probe_global_256b8 "tinyalloc \`GlobalDeque\` push + pop (\`Slab256b8\`)"
    row probe_pool_deque "tinyalloc \`PoolDeque<Pool<256, 8>>\` push + pop"
    for extra in probe_cache probe_cache_region probe_heap_bump_free_list probe_heap_segregated probe_heap_free_list; do
        case $extra in
            probe_cache) label="tinyalloc \`SlabCache\` alloc + drop" ;;
            probe_cache_region) label="tinyalloc \`SlabCache\` over \`slab_region!\`" ;;
            probe_heap_bump_free_list) label="tinyalloc \`BumpFreeListAllocator\`" ;;
            probe_heap_segregated) label="tinyalloc \`SegregatedBumpAllocator\`" ;;
            probe_heap_free_list) label="tinyalloc \`FreeListAllocator\`" ;;
        esac
        row "$extra" "$label"
    done
    if ((${#features[@]})); then
        row probe_peer_heapless_pool "heapless 0.9 \`box_pool!\`"
        row probe_peer_atomic_pool "atomic-pool 2.0"
        $m0 || row probe_peer_attachable_slab "attachable-slab-allocator 0.1"
        row probe_peer_talc "talc 5.1"
        row probe_peer_tlsf "embedded-alloc 0.7 TLSF"
        row probe_peer_llff "embedded-alloc 0.7 LLFF"
        row probe_peer_linked_list_allocator "linked_list_allocator 0.10"
    fi
}

if [[ -z $check ]]; then
    table
    exit 0
fi
tables=$(table)
marker="size-report.sh"
[[ $target == thumbv7em-none-eabihf ]] || marker="size-report.sh --target $target"
scripts/check-table.sh size-report "$marker" 64 bytes "$check" <<<"$tables"
