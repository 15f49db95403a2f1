#!/usr/bin/env bash
# Builds the module for each heap engine, for wasm32-unknown-unknown and wasm32v1-none
# (the two targets the README says cannot have threads), and runs its checks under
# Node; then, where the wasm32-wasip1-threads target is installed, checks that the
# heap keeps its lock on a target with threads.
set -euo pipefail
cd "$(dirname "$0")"

# Where cargo puts the module: CARGO_TARGET_DIR or a config may move it, and a stale
# module left in ./target must not be the one that is checked.
target_dir=$(cargo metadata --format-version 1 --no-deps |
    node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.parse(s).target_directory))')

for target in wasm32-unknown-unknown wasm32v1-none; do
    for engine in free-list segregated bump-free-list; do
        cargo build --release --quiet --target "$target" \
            --no-default-features --features "$engine"
        node -e '
            const bytes = require("fs").readFileSync(process.argv[1]);
            // No threads here, so no lock: the module must import nothing (a critical
            // section would be an import of `_critical_section_1_0_acquire`).
            const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
            if (imports.length > 0) {
                console.log(`${process.argv[2]}: the module imports ${imports.map(i => i.name).join(", ")}; on this target the heap should take no lock`);
                process.exit(1);
            }
            WebAssembly.instantiate(bytes, {}).then(({ instance }) => {
                const failed = instance.exports.run_checks();
                console.log(`${process.argv[2]}: ${failed === 0 ? "all checks passed" : "check " + failed + " failed"}`);
                process.exit(failed === 0 ? 0 : 1);
            });
        ' "$target_dir/$target/release/tinyalloc_wasm.wasm" "$target, $engine"
    done
done

# On wasm32-wasip1-threads the heap must take its lock (a critical section, which the
# module then imports), even though a stable compiler reports no `atomics` there.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1-threads; then
    cargo build --release --quiet --target wasm32-wasip1-threads
    node -e '
        const module = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
        const names = WebAssembly.Module.imports(module).map(i => i.name);
        const locked = names.includes("_critical_section_1_0_acquire");
        console.log(`wasm32-wasip1-threads: ${locked ? "the heap takes its lock" : "the heap has no lock, but the target has threads"}`);
        process.exit(locked ? 0 : 1);
    ' "$target_dir/wasm32-wasip1-threads/release/tinyalloc_wasm.wasm"
else
    echo "wasm32-wasip1-threads: not installed, lock check skipped (rustup target add wasm32-wasip1-threads)"
fi
