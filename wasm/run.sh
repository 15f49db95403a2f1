#!/usr/bin/env bash
# Builds the module for each heap engine and runs its checks under Node.
set -euo pipefail
cd "$(dirname "$0")"

# Where cargo puts the module: CARGO_TARGET_DIR or a config may move it, and a stale
# module left in ./target must not be the one that is checked.
target_dir=$(cargo metadata --format-version 1 --no-deps |
    node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.parse(s).target_directory))')

for engine in free-list segregated bump-free-list; do
    cargo build --release --quiet --target wasm32-unknown-unknown \
        --no-default-features --features "$engine"
    node -e '
        const bytes = require("fs").readFileSync(process.argv[1]);
        WebAssembly.instantiate(bytes, {}).then(({ instance }) => {
            const failed = instance.exports.run_checks();
            console.log(`${process.argv[2]}: ${failed === 0 ? "all checks passed" : "check " + failed + " failed"}`);
            process.exit(failed === 0 ? 0 : 1);
        });
    ' "$target_dir/wasm32-unknown-unknown/release/tinyalloc_wasm.wasm" "$engine"
done
