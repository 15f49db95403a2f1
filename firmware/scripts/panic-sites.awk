# Where an image can panic, for scripts/no-panic.sh. Reads the output of
# `llvm-objdump -d -C --line-numbers` and prints one line per function of ours that
# branches (or tail-calls, or takes the address of) a panic entry:
# "FUNCTION<TAB>LAST-SOURCE-LINE-OF-OURS-BEFORE-IT". A panic entry is a
# `core::panicking` function or any function with no source line of ours (the standard
# library's, a dependency's, the machine outliner's pieces) that reaches one.
/^[0-9a-f]+ <.*>:$/ {
    name = $0
    sub(/^[0-9a-f]+ </, "", name)
    sub(/>:$/, "", name)
    if (name !~ /^\$/) { fn = name; seen[fn] = 1 }
    next
}
/^; \// {
    if ($2 !~ /\/rustc\// && $2 !~ /\/registry\/src\// && $2 !~ /\/git\/checkouts\//) {
        line[fn] = $2
        ours[fn] = 1
    }
    next
}
fn != "" && match($0, /0x[0-9a-f]+ <.*>/) {
    t = substr($0, RSTART, RLENGTH)
    sub(/^0x[0-9a-f]+ </, "", t)
    sub(/>$/, "", t)
    sub(/\+0x[0-9a-f]+$/, "", t)
    if (t ~ /^\$/ || t == fn) next
    key = fn SUBSEP t
    if (!(key in edge)) { edge[key] = 1; where[key] = line[fn] }
}
END {
    # The standard library's and dependencies' own functions, and the machine
    # outliner's pieces (code of the functions that call them): a panic they reach
    # counts where our code calls them.
    for (f in seen) lib[f] = !(f in ours) || f ~ /^OUTLINED_FUNCTION/
    for (e in edge) { split(e, p, SUBSEP); if (p[2] ~ /^core::panicking::/ || p[2] == "rust_begin_unwind") panics[p[2]] = 1 }
    changed = 1
    while (changed) {
        changed = 0
        for (e in edge) {
            split(e, p, SUBSEP)
            if ((p[2] in panics) && lib[p[1]] && !(p[1] in panics)) { panics[p[1]] = 1; changed = 1 }
        }
    }
    for (e in edge) {
        split(e, p, SUBSEP)
        if ((p[2] in panics) && !lib[p[1]]) print p[1] "\t" where[e]
    }
}
