#!/usr/bin/env bash
# Builds the runtime crate for a no_std target with every combination of its
# features, warnings denied.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-thumbv7em-none-eabihf}
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
    cargo rustc -q -p tinyalloc --lib --target "$target" --no-default-features \
        --features "$list" -- -D warnings
done
echo "all $combinations feature combinations build for $target"
