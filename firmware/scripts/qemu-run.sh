#!/usr/bin/env bash
# Cargo runner for the firmware images: runs an ELF under QEMU with semihosting.
#   qemu-run.sh MACHINE CPU ELF [ARGS...]
# A firmware that never exits would keep QEMU running: the timeout turns a hang into
# a failure. Extra arguments go to the firmware as its command line (-append),
# so `cargo test -- name` does not make QEMU read `name` as a disk image.
set -euo pipefail

machine=$1 cpu=$2 elf=$3
shift 3
append=()
if (($# > 0)); then
    append=(-append "$*")
fi
status=0
timeout --kill-after=5 "${QEMU_TIMEOUT:-60}" qemu-system-arm \
    -cpu "$cpu" -machine "$machine" -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native "${append[@]}" -kernel "$elf" || status=$?
if ((status == 124 || status == 137)); then
    echo "qemu-run: $(basename "$elf") did not finish within ${QEMU_TIMEOUT:-60} s" >&2
fi
exit $status
