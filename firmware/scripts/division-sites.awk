# Where code of ours calls a division routine, for scripts/no-panic.sh on a core with
# no divide instruction (Cortex-M0). Reads the output of
# `llvm-objdump -d -C --line-numbers` and prints "FUNCTION<TAB>LAST-SOURCE-LINE" for
# each call from a function with a source line of ours to a compiler-builtins
# division (`__aeabi_uidiv`, `__aeabi_idivmod`, `__aeabi_uldivmod`, `__udivdi3`, …).
# Calls the standard library makes (integer formatting divides by ten) are its own.
/^[0-9a-f]+ <.*>:$/ {
    name = $0
    sub(/^[0-9a-f]+ </, "", name)
    sub(/>:$/, "", name)
    if (name !~ /^\$/) fn = name
    next
}
/^; \// {
    if ($2 !~ /\/rustc\// && $2 !~ /\/registry\/src\// && $2 !~ /\/git\/checkouts\//) {
        line[fn] = $2
        ours[fn] = 1
    }
    next
}
(fn in ours) && /\tbl?x?\t/ && /<(__aeabi_(u?idiv|u?idivmod|u?ldivmod)|__u?(div|mod)[sd]i3|__udivmod[sd]i4)>/ {
    print fn "\t" line[fn]
}
