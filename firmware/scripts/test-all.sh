#!/usr/bin/env bash
# Runs every firmware test image on the three emulated cores: the Cortex-M0
# (lm3s6965evb with a Cortex-M0 CPU, thumbv6m-none-eabi: no atomic read-modify-write,
# so `SpinLock` and the tests' counters go through critical sections), the Cortex-M3
# (lm3s6965evb, thumbv7m-none-eabi) and the Cortex-M4F (mps2-an386,
# thumbv7em-none-eabihf). Fails if any test fails on any of them.
set -euo pipefail
cd "$(dirname "$0")/.."

for target in thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf; do
    echo "== $target"
    cargo test --target "$target" "$@"
done
