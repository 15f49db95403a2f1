#!/usr/bin/env bash
# The heaps "never panic" and the blocks, buffers and caches answer bad input with an
# error: this checks that their code holds no panic path at all, not even one the
# tests never reach (an index the compiler could not prove in bounds, a length check
# left in an outlined copy). Each no-panic image (src/bin/no_panic_*.rs) calls every
# operation on inputs the optimiser cannot see; an image links a panic path exactly
# when some `core::panicking` function is reachable, so its symbol table tells.
#
# Built for Cortex-M0 and Cortex-M4F at opt-level "z", "s" and 3 (inlining differs
# between them, and with it which checks the compiler can remove), the heaps also
# with their event log. The canary image holds one reachable panic: the check must
# find it, or it could not find any.
#
#   scripts/no-panic.sh
set -euo pipefail
cd "$(dirname "$0")/.."

target_root=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

# The panic functions image $1 links, one a line.
panic_symbols() {
    nm -C "$1" | awk '$3 ~ /^core::panicking::/ || $3 == "rust_begin_unwind" { print $3 }' | sort -u
}

# Where image $1 branches to a panic function: the source line before each branch.
show_callers() {
    local objdump
    objdump=$(command -v llvm-objdump ||
        find "$(rustc --print sysroot)" -name llvm-objdump -type f 2>/dev/null | head -n 1 || true)
    if [[ -z $objdump ]]; then
        echo "    (install llvm-objdump, Debian package llvm, to see where)"
        return
    fi
    # The last source line outside the standard library before each branch to a
    # panic function, leaving out the branches inside those functions themselves.
    "$objdump" -d -C --no-show-raw-insn --line-numbers "$1" | awk '
        /^[0-9a-f]+ <.*>:$/ { in_core = ($0 ~ /^[0-9a-f]+ <core::/) }
        /^; \// && $2 !~ /\/rustc\// { line = $2 }
        !in_core && /\tb(l|\.w)?\t/ &&
            /<core::(panicking|slice::index|option|result|slice::copy_from_slice)/ {
            print "    " line
        }' | sort | uniq -c | sed 's/^/  /'
}

failed=0
check() {
    local elf=$1 label=$2 want=$3 found
    found=$(panic_symbols "$elf")
    if [[ $want == none && -z $found ]]; then
        echo "ok      $label"
    elif [[ $want == some && -n $found ]]; then
        echo "ok      $label: the canary's panic is seen"
    elif [[ $want == none ]]; then
        echo "FAILED  $label links a panic path: $(echo "$found" | tr '\n' ' ')"
        show_callers "$elf"
        failed=1
    else
        echo "FAILED  $label: the canary's panic is not seen, so this check cannot fail"
        failed=1
    fi
}

for level in z s 3; do
    # One target directory per level, so the levels do not rebuild each other.
    dir="$target_root/no-panic-opt-$level"
    toml_level=$level
    [[ $level == [sz] ]] && toml_level="\"$level\""
    for target in thumbv6m-none-eabi thumbv7em-none-eabihf; do
        feature_sets=("")
        [[ $level == z ]] && feature_sets+=(debug-log)
        for features in "${feature_sets[@]}"; do
            cargo build --quiet --release --target "$target" --target-dir "$dir" \
                --config "profile.release.opt-level=$toml_level" \
                ${features:+--features "$features"} \
                --bin no_panic_heaps --bin no_panic_blocks --bin no_panic_canary
            elf="$dir/$target/release"
            suffix="$target, opt-level $level${features:+, $features}"
            check "$elf/no_panic_heaps" "heaps ($suffix)" none
            check "$elf/no_panic_blocks" "blocks, buffers, cache ($suffix)" none
            check "$elf/no_panic_canary" "canary ($suffix)" some
        done
    done
done
if ((failed)); then
    echo "no-panic: a panic path is linked (see above)" >&2
    exit 1
fi
echo "no-panic: no panic path in any image"
