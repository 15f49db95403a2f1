#!/usr/bin/env bash
# Runs every firmware test image on both emulated boards: the Cortex-M3
# (lm3s6965evb, thumbv7m-none-eabi) and the Cortex-M4F (mps2-an386,
# thumbv7em-none-eabihf). Fails if any test fails on either.
set -euo pipefail
cd "$(dirname "$0")/.."

for target in thumbv7m-none-eabi thumbv7em-none-eabihf; do
    echo "== $target"
    cargo test --target "$target" "$@"
done
