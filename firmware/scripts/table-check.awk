# Whether a markdown table written in a file still holds: reads the table as written
# (file 1, the lines between the file's markers) and the one a report just made
# (file 2); exits 1 unless both have the same rows in the same order, the same first
# cell and number of cells in each, and every other cell within `slack` of the one
# written. Run with -F' [|] ' and -v slack=N -v unit=bytes (N bytes either way) or
# -v unit=percent (N per cent of the written figure). A cell counts by its leading
# number: "183.0 (mem* 111.0)" is 183.0, "136 B" is 136, a dash is 0.
function off(a, b,   d) {
    d = a > b ? a - b : b - a
    if (unit == "percent") return a == 0 ? b != 0 : d / a * 100 > slack
    return d > slack
}
BEGIN {
    if (unit != "bytes" && unit != "percent") {
        print "table-check: unit is bytes or percent, not " unit > "/dev/stderr"
        misused = 1
        exit
    }
}
NR == FNR { written[FNR] = $0; rows = FNR; next }
{
    if (FNR > rows) { bad = 1; next }
    nw = split(written[FNR], w, / [|] /)
    nf = split($0, f, / [|] /)
    if (nw != nf || w[1] != f[1]) { bad = 1; next }
    for (i = 2; i <= nf; i++) if (off(w[i] + 0, f[i] + 0)) bad = 1
}
END {
    if (misused) exit 2
    exit (bad || FNR != rows)
}
