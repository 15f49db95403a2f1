#!/usr/bin/env bash
# Whether FILE holds, between its `<!-- MARKER: start -->` and `<!-- MARKER: end -->`
# lines, the table a report just made (read from stdin): the same rows, and each
# figure within SLACK bytes or per cent (UNIT `bytes` or `percent`; see
# table-check.awk). Prints the verdict under the report's NAME; exits 1, showing
# what differs, unless the file holds the table.
#
#   scripts/check-table.sh NAME MARKER SLACK UNIT FILE < table
set -euo pipefail

name=$1 marker=$2 slack=$3 unit=$4 file=$5
table=$(cat)
written=$(sed -n "/<!-- $marker: start -->/,/<!-- $marker: end -->/p" "$file" | sed '1d;$d')
within="each figure within $slack $([[ $unit == percent ]] && echo % || echo bytes)"
if ! awk -F' [|] ' -v slack="$slack" -v unit="$unit" -f "$(dirname "$0")/table-check.awk" \
    <(echo "$written") <(echo "$table"); then
    echo "$name: $file does not hold this run's table at <!-- $marker --> ($within):" >&2
    diff <(echo "$written") <(echo "$table") >&2 || true
    exit 1
fi
echo "$name: $file holds this run's table at <!-- $marker --> ($within)"
