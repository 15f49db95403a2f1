# Where code of ours can panic or divide, for scripts/no-panic.sh. Reads the output of
# `llvm-objdump -d -C --line-numbers` and prints one line per function of ours (one
# with a source line outside the standard library and the dependencies) and target:
# "FUNCTION<TAB>LAST-SOURCE-LINE-OF-OURS-BEFORE-IT".
#
#   awk -v want=panic     a function that branches to (or tail-calls, or takes the
#                         address of) a panic entry: a `core::panicking` function, or
#                         any function not of ours (the standard library's, a
#                         dependency's, the machine outliner's pieces) that reaches one
#   awk -v want=division  a function that calls a compiler-builtins division routine
#                         (`__aeabi_uidiv`, `__aeabi_uldivmod`, `__udivdi3`, …); the
#                         standard library's own calls (integer formatting) are its own
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
want == "division" && (fn in ours) && /\tbl?x?\t/ &&
    /<(__aeabi_(u?idiv|u?idivmod|u?ldivmod)|__u?(div|mod)[sd]i3|__udivmod[sd]i4)>/ {
    print fn "\t" line[fn]
    next
}
want == "panic" && fn != "" && match($0, /0x[0-9a-f]+ <.*>/) {
    t = substr($0, RSTART, RLENGTH)
    sub(/^0x[0-9a-f]+ </, "", t)
    sub(/>$/, "", t)
    sub(/\+0x[0-9a-f]+$/, "", t)
    if (t ~ /^\$/ || t == fn) next
    key = fn SUBSEP t
    if (!(key in edge)) { edge[key] = 1; where[key] = line[fn] }
}
END {
    if (want != "panic") exit
    # Functions not of ours, and the machine outliner's pieces (code of the functions
    # that call them): a panic they reach counts where our code calls them.
    for (f in seen) lib[f] = !(f in ours) || f ~ /^OUTLINED_FUNCTION/
    for (e in edge) {
        split(e, p, SUBSEP)
        if (p[2] ~ /^core::panicking::/ || p[2] == "rust_begin_unwind") panics[p[2]] = 1
    }
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
