#!/usr/bin/env bash
# Builds the module for each heap engine and runs its checks under Node.
set -euo pipefail
cd "$(dirname "$0")"

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
    ' target/wasm32-unknown-unknown/release/tinyalloc_wasm.wasm "$engine"
done
