#!/usr/bin/env bash
# Checks the runtime crate for a no_std target with every combination of its
# features, warnings denied.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-thumbv7em-none-eabihf}
# Warnings are errors here; a target directory of its own keeps these flags from
# invalidating the main build's cache.
export RUSTFLAGS="-D warnings"
export CARGO_TARGET_DIR=target/powerset
features=(tinyslab bytebuffer bytebuffer-deque global-alloc global-alloc-custom alloc debug-log defmt allocator-api2)
combinations=$((1 << ${#features[@]}))
for ((mask = 0; mask < combinations; mask++)); do
    chosen=()
    for i in "${!features[@]}"; do
        if (((mask >> i) & 1)); then
            chosen+=("${features[i]}")
        fi
    done
    list=$(IFS=,; echo "${chosen[*]}")
    echo "features: [${list}]"
    cargo check -q -p tinyalloc --lib --target "$target" --no-default-features \
        --features "$list"
done
echo "all $combinations feature combinations check cleanly for $target"
