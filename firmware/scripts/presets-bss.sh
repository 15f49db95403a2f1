#!/usr/bin/env bash
# Shows that a firmware naming one global preset reserves RAM for that preset only:
# builds the size probes for thumbv7em-none-eabihf (release) and compares their .bss
# with the probe that uses the global instance without any preset.
#
#   scripts/presets-bss.sh                the table
#   scripts/presets-bss.sh --check FILE   fails unless FILE holds this table between
#                                         its presets-bss markers (each figure within
#                                         SLACK (8) bytes)
set -euo pipefail

check=
case ${1:-} in
--check) check=$(realpath "$2") ;;
"") ;;
*)
    echo "presets-bss: unknown argument $1" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."

target=thumbv7em-none-eabihf
# Where cargo puts the images: CARGO_TARGET_DIR or a config may move it, and stale
# images left in ./target must not be the ones measured.
target_root=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
cargo build --release --target "$target" --quiet \
    --bin probe_global_none --bin probe_global_256b8 --bin probe_global_1k32 --bin probe_global_4k128

# The size of section $2 of ELF file $1, in bytes.
section() {
    local hex
    hex=$(readelf -SW "$1" | awk -v s="$2" '{ for (i = 1; i <= NF; i++) if ($i == s) print $(i + 4) }')
    echo $((16#${hex:-0}))
}

base=$(section "$target_root/$target/release/probe_global_none" .bss)
all_presets=$((256 + 512 + 1024 + 2048 + 4096))
table=$(
    printf '| probe | .bss | growth | preset blocks + slot metadata |\n| --- | ---: | ---: | ---: |\n'
    printf '| no preset | %d | | |\n' "$base"
)
status=0
for probe in 256b8:Slab256b8:256:8 1k32:Slab1K32:1024:32 4k128:Slab4K128:4096:128; do
    IFS=: read -r name preset size slots <<<"$probe"
    bss=$(section "$target_root/$target/release/probe_global_$name" .bss)
    growth=$((bss - base))
    own=$((size + 4 * slots))
    table+=$(printf '\n| `%s` | %d | +%d | %d |' "$preset" "$bss" "$growth" "$own")
    # The preset's pool adds its blocks, 4 bytes a slot, its counters and lock flag,
    # and the global instance's pointer (which the probe without a preset drops):
    # at least `own`, far less than one more preset would add.
    if ((growth < own || growth > own + 64 || growth >= all_presets)); then
        echo "$preset: .bss grew by $growth bytes; expected about $own" >&2
        status=1
    fi
done
echo "$table"
if [[ -n $check ]]; then
    scripts/check-table.sh presets-bss presets-bss.sh 8 bytes "$check" <<<"$table" || status=1
fi
exit $status
