#!/usr/bin/env bash
# The heaps "never panic" and the blocks, buffers, queues and caches answer bad input
# with an error: this checks that their code holds no panic path at all, not even one
# the tests never reach (an index the compiler could not prove in bounds, a length
# check left in an outlined copy, a division by a value it could not see is not zero).
# Each no-panic image (src/bin/no_panic_*.rs) calls every operation on inputs the
# optimiser cannot see. The check reads the linked image: its symbol table says
# whether any `core::panicking` function is linked, and its disassembly
# (scripts/sites.awk) which functions of ours reach one, with the source line.
#
#   no_panic_heaps    the three heaps, every form        no panic path
#   no_panic_blocks   slab, buffers, queue, caches       no panic path
#   no_panic_pool     Pool, PoolDeque, the global        only the documented panic of a
#                     instance, GlobalDeque              pool used inside its own
#                                                        closure (`pool::reentered`)
#   no_panic_canary   one out-of-bounds index            must be caught, or the check
#                                                        could not catch anything
#
# On the Cortex-M0, which has no divide instruction, it also checks that no code of
# ours calls a division routine (scripts/sites.awk): a division by a value known
# only at run time links one, 400 B of flash and tens of cycles a call. And on every
# core that no image links `memmove`: the heaps' `realloc` (a sliding shrink
# included) and the buffers and queues copy with `memcpy` alone, which saves a
# program that needs no `memmove` of its own 1.3 to 1.6 KiB of flash.
#
# Built for Cortex-M0 and Cortex-M4F at opt-level "z", "s" and 3 (inlining differs
# between them, and with it which checks the compiler can remove), at "z" also with
# the heaps' event log and `Allocator` impls. Needs llvm-objdump: from
# `rustup component add llvm-tools` (CI installs it) or on the PATH (Debian's llvm).
#
#   scripts/no-panic.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# The compiler's own (llvm-tools) first, then the system's.
objdump=$(find "$(rustc --print sysroot)" -name llvm-objdump -type f 2>/dev/null | head -n 1)
objdump=${objdump:-$(command -v llvm-objdump || true)}
if [[ -z $objdump ]]; then
    echo "no-panic: llvm-objdump not found; run \`rustup component add llvm-tools\`" >&2
    exit 1
fi
target_root=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

failed=0
fail() {
    echo "FAILED  $*"
    failed=1
}

# The documented panic: `tinyalloc::pool::reentered`, wherever it stays a function of
# its own, and each line that calls it, where the optimiser folds it into its caller
# (at opt-level 3 the panic is branched to from the call's line).
reentered_sites() {
    echo "tinyalloc::pool::reentered"
    grep -rn --include='*.rs' 'reentered()' "$(cd ../tinyalloc/src && pwd)" |
        grep -v 'fn reentered' | cut -d: -f1,2
}
mapfile -t allowed < <(reentered_sites)

# check ELF LABEL EXPECT: EXPECT is `none`, `some` (the canary) or `reentered` (the
# pool's documented panic, and no other).
check() {
    local elf=$1 label=$2 expect=$3 symbols sites others
    symbols=$(nm -C "$elf" | awk '$3 ~ /^core::panicking::/ || $3 == "rust_begin_unwind"')
    sites=$("$objdump" -d -C --no-show-raw-insn --line-numbers "$elf" |
        awk -v want=panic -f scripts/sites.awk | sed 's/::h[0-9a-f]\{16\}\t/\t/' | sort -u)
    case $expect in
    none) others=$sites ;;
    some) others= ;;
    reentered)
        # A site is the documented panic if its function or its line is in `allowed`.
        others=$(awk -F'\t' 'NR == FNR { ok[$0] = 1; next } !($1 in ok) && !($2 in ok)' \
            <(printf '%s\n' "${allowed[@]}") <(printf '%s\n' "$sites") | sed '/^$/d')
        ;;
    esac
    if [[ -n $others ]]; then
        fail "$label reaches a panic from:"
        sed 's/^/            /; s/\t/  at /' <<<"$others"
    elif [[ $expect == none && -n $symbols ]]; then
        fail "$label links a panic function that no function of ours reaches (is scripts/sites.awk reading this disassembly?)"
    elif [[ $expect == some && -z $sites ]]; then
        fail "$label: the canary's panic is not found, so this check cannot find any"
    elif [[ $expect == reentered && -z $sites ]]; then
        fail "$label: the re-entry panic is not found; the image lost its pool, or the check cannot see panics"
    else
        case $expect in
        none) echo "ok      $label: no panic path" ;;
        some) echo "ok      $label: the canary's panic is found" ;;
        reentered) echo "ok      $label: only the documented re-entry panic" ;;
        esac
    fi
}

# check_division ELF LABEL: on a Cortex-M0 no code of ours may call a division
# routine (400 B of flash, tens of cycles a call); the standard library's own calls
# (integer formatting) are not ours.
check_division() {
    local sites
    sites=$("$objdump" -d -C --no-show-raw-insn --line-numbers "$1" |
        awk -v want=division -f scripts/sites.awk | sed 's/::h[0-9a-f]\{16\}\t/\t/' | sort -u)
    if [[ -n $sites ]]; then
        fail "$2 calls a division routine from:"
        sed 's/^/            /; s/\t/  at /' <<<"$sites"
    else
        echo "ok      $2: no division"
    fi
}

# check_no_memmove ELF LABEL: the image links no `memmove`.
check_no_memmove() {
    local found
    found=$(nm -C "$1" | awk '$3 ~ /memmove/ { print $3 }' | sort -u | tr '\n' ' ')
    if [[ -n $found ]]; then
        fail "$2 links $found"
    else
        echo "ok      $2: no memmove"
    fi
}

for level in z s 3; do
    # One target directory per level, so the levels do not rebuild each other.
    dir="$target_root/no-panic-opt-$level"
    toml_level=$level
    [[ $level == [sz] ]] && toml_level="\"$level\""
    for target in thumbv6m-none-eabi thumbv7em-none-eabihf; do
        feature_sets=("")
        [[ $level == z ]] && feature_sets+=(debug-log,allocator-api2)
        for features in "${feature_sets[@]}"; do
            cargo build --quiet --release --target "$target" --target-dir "$dir" \
                --config "profile.release.opt-level=$toml_level" \
                ${features:+--features "$features"} \
                --bin no_panic_heaps --bin no_panic_blocks --bin no_panic_pool \
                --bin no_panic_canary
            elf="$dir/$target/release"
            suffix="($target, opt-level $level${features:+, $features})"
            check "$elf/no_panic_heaps" "heaps $suffix" none
            check "$elf/no_panic_blocks" "slab, buffers, queue, caches $suffix" none
            check "$elf/no_panic_pool" "Pool and the queues on it $suffix" reentered
            check "$elf/no_panic_canary" "canary $suffix" some
            for image in no_panic_heaps no_panic_blocks no_panic_pool; do
                check_no_memmove "$elf/$image" "$image $suffix"
            done
            if [[ $target == thumbv6m-none-eabi ]]; then
                for image in no_panic_heaps no_panic_blocks no_panic_pool; do
                    check_division "$elf/$image" "$image $suffix"
                done
            fi
        done
    done
done
if ((failed)); then
    echo "no-panic: failed (see above)" >&2
    exit 1
fi
echo "no-panic: no panic path in any image but the documented one, no division on the M0, no memmove"
