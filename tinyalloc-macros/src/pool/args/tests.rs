//! The argument parser's own tests: each mistake, and what its message names.

use super::check::more_slots_for;
use super::*;
use quote::quote;

fn errors(tokens: TokenStream) -> Vec<String> {
    match Args::parse(tokens) {
        Ok(_) => Vec::new(),
        Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn blocks_too_large_name_the_slots_that_keep_the_memory() {
    // 1 MiB in 8 slots: 128 KiB blocks; 32 slots is the first count at or above 17
    // (1 MiB over the largest block) that divides it.
    assert_eq!(more_slots_for(1 << 20, 8, 8), Some(32));
    // 65,537 is prime: no count of slots splits it, so only `size` is named.
    assert_eq!(more_slots_for(65_537, 1, 1), None);
    let message = errors(quote!(size = 65537, slots = 1, align = 1)).join("\n");
    assert!(
        message.contains("use `size = 65534` (65534-byte blocks), or several pools"),
        "{message}"
    );
}

#[test]
fn a_good_configuration_passes() {
    assert!(errors(quote!(size = 1024, slots = 32)).is_empty());
    assert!(errors(quote!(size = 4096, slots = 64, align = 32, budget = 5000)).is_empty());
    assert!(errors(quote!(size = 4 * KIB, slots = N, align = A)).is_empty());
}

#[test]
fn each_mistake_names_its_fix() {
    assert_eq!(
        errors(quote!(size = 1000, slots = 32)),
        [
            "`size = 1000` is not a multiple of `slots = 32`, so the blocks cannot all be \
          the same size; blocks must also be a multiple of the default alignment of 8 \
          bytes, so use `size = 768` (24-byte blocks) or `size = 1024` (32-byte blocks)"
        ]
    );
    assert_eq!(
        errors(quote!(size = 1000, slots = 32, align = 1)),
        [
            "`size = 1000` is not a multiple of `slots = 32`, so the blocks cannot all be \
          the same size; use `size = 992` (31-byte blocks) or `size = 1024` (32-byte blocks)"
        ]
    );
    assert!(
        errors(quote!(size = 1024, slots = 32, align = 10000))[0].ends_with("use `align = 4096`")
    );
    assert!(
        errors(quote!(size = 1024, slots = 32, align = 24))[0]
            .ends_with("use `align = 16` or `align = 32`")
    );
    assert!(errors(quote!(size = 96, slots = 8))[0].contains("default alignment of 8"));
    assert!(errors(quote!(size = 1024, slots = 32, budget = 100))[0].contains("alone take 1152"));
    assert!(errors(quote!(slots = 32))[0].starts_with("missing `size`"));
    assert!(errors(quote!(size = "1024", slots = 32))[0].contains("not a string"));
    assert!(errors(quote!(size = 1024u32, slots = 32))[0].contains("`u32` suffix"));
    assert_eq!(
        errors(quote!(size = 1024.0, slots = 32.5)),
        [
            "`size` takes a whole number of bytes, e.g. `size = 1024`",
            "`slots` takes a whole number of blocks, e.g. `slots = 32`"
        ]
    );
    assert_eq!(
        errors(quote!(
            size = 1024,
            slots = 32,
            budget = 18446744073709551616
        )),
        ["`budget = 18446744073709551616` does not fit in a `usize` on any target"]
    );
}

/// The sizes an error suggests (`size = n`, after its last "use").
fn suggested_sizes(message: &str) -> Vec<u128> {
    let fixes = message.rsplit_once(" use ").expect("names a fix").1;
    fixes
        .split("`size = ")
        .skip(1)
        .map(|rest| rest.split('`').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn every_size_an_error_suggests_passes() {
    let mut checked = 0;
    for slots in [1u128, 2, 3, 7, 32, 100, 4096, 65_535] {
        for align in [None, Some(1u128), Some(2), Some(8), Some(64), Some(4096)] {
            for size in [1u128, 20, 32, 96, 1000, 4097, 65_532, 65_535, 200_001]
                .into_iter()
                .chain([slots * 3, slots * 12, slots * 65_532, slots * 65_533 + 1])
            {
                let args = |size: u128| {
                    let size = proc_macro2::Literal::u128_unsuffixed(size);
                    let slots = proc_macro2::Literal::u128_unsuffixed(slots);
                    match align.map(proc_macro2::Literal::u128_unsuffixed) {
                        Some(a) => quote!(size = #size, slots = #slots, align = #a),
                        None => quote!(size = #size, slots = #slots),
                    }
                };
                for message in errors(args(size)) {
                    if !message.contains("`size = ") || !message.contains(" use ") {
                        continue;
                    }
                    for suggested in suggested_sizes(&message) {
                        assert_eq!(
                            errors(args(suggested)),
                            Vec::<String>::new(),
                            "size = {size}, slots = {slots}, align {align:?}: {message}"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 200, "only {checked} suggestions checked");
}

#[test]
fn negative_values_are_refused_with_the_value_to_write() {
    // However the tokens arrive (a minus and a literal, or one negative literal),
    // the message is the same, and it is not "does not fit in a `usize`".
    for (args, expected) in [
        (quote!(size = -1024, slots = 32), "`size = -1024`"),
        (quote!(slots = -32, size = 1024), "`slots = -32`"),
        (quote!(size = 1024, slots = -32), "`slots = -32`"),
        (quote!(size = 1024, slots = 32, align = -8), "`align = -8`"),
        (
            quote!(size = 1024, slots = 32, budget = -5),
            "`budget = -5`",
        ),
    ] {
        let all = errors(args);
        assert_eq!(all.len(), 1, "{all:?}");
        let key = expected[1..].split(' ').next().unwrap();
        let value = expected.split('-').nth(1).unwrap().trim_end_matches('`');
        assert_eq!(
            all[0],
            format!("{expected} is negative; `{key}` is a `usize`: write `{key} = {value}`")
        );
    }
}

#[test]
fn every_error_is_reported_at_once() {
    let all = errors(quote!(size = 0, slots = 0, align = 3));
    assert_eq!(all.len(), 3, "{all:?}");
}

#[test]
fn a_wrong_key_does_not_hide_the_other_mistakes() {
    let all = errors(quote!(size = 1000, slots = 32, algin = 8));
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all[0].contains("did you mean `align = 8`?"), "{all:?}");
    assert!(
        all[1].starts_with("`size = 1000` is not a multiple"),
        "{all:?}"
    );
    let all = errors(quote!(size = 1000, slots = 32, slots = 8));
    assert_eq!(all.len(), 2, "{all:?}");
    let all = errors(quote!(slots = 0));
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all[1].starts_with("`slots` is 0"), "{all:?}");
}

#[test]
fn misplaced_arguments_name_the_fix() {
    assert_eq!(
        errors(quote!(size = 1024, slots = 32, size = 2048)),
        ["`size` is given twice; keep one `size = …` and remove the other"]
    );
    // A bare value is one mistake, not also a missing key.
    assert_eq!(
        errors(quote!(size = 1024, 32)),
        ["arguments are named: write `slots = 32`, \
             e.g. `#[tinyalloc::pool(size = 1024, slots = 32)]`"]
    );
    assert_eq!(
        errors(quote!(size, slots = 32)),
        ["`size` takes a value: write `size = 1024`"]
    );
    assert_eq!(
        errors(quote!(size = 1024, slots = 32, crate = 5)),
        ["`crate` takes the path of tinyalloc, e.g. `crate = ::my_tinyalloc`"]
    );
}

#[test]
fn a_colon_for_an_equals_sign_names_the_fix() {
    assert_eq!(
        errors(quote!(size: 4 * 256, slots = 32, align: 8)),
        [
            "write `size = 4 * 256`: arguments take `=`, not `:`, e.g. \
             `#[tinyalloc::pool(size = 1024, slots = 32)]`",
            "write `align = 8`: arguments take `=`, not `:`, e.g. \
             `#[tinyalloc::pool(size = 1024, slots = 32)]`"
        ]
    );
    // A path's colons are not that mistake.
    assert!(errors(quote!(size = 1024, slots = 32, crate = ::a::b)).is_empty());
    assert!(colons_for_equals(quote!(size = 1024; slots = 32)).is_none());
}

#[test]
fn delimited_values_are_read_as_written_inside() {
    assert_eq!(
        errors(quote!(size = (1000), slots = { 32 })),
        errors(quote!(size = 1000, slots = 32))
    );
    assert_eq!(errors(quote!(size = 1024, slots = (-32))).len(), 1);
    // How a `macro_rules!` hands over an `$size:expr`.
    let group = proc_macro2::Group::new(proc_macro2::Delimiter::None, quote!(1000));
    assert_eq!(
        errors(quote!(size = #group, slots = 32)),
        errors(quote!(size = 1000, slots = 32))
    );
    // An expression is pasted bare too: its braces come from the expansion.
    let value = Value::new("size", syn::parse_quote!({ (4 * KIB) })).unwrap();
    let expr = &value.expr;
    assert_eq!(quote!(#expr).to_string(), "4 * KIB");
    assert_eq!(value.literal, None);
}

#[test]
fn unknown_keys_get_a_suggestion() {
    let all = errors(quote!(sise = 1024, slots = 32));
    assert_eq!(
        all,
        ["unknown argument `sise`: did you mean `size = 1024`?"]
    );
    // Another letter case is the same key.
    let all = errors(quote!(SIZE = 1024, Slots = 32));
    assert_eq!(
        all,
        [
            "unknown argument `SIZE`: did you mean `size = 1024`?",
            "unknown argument `Slots`: did you mean `slots = 32`?"
        ]
    );
    // Far from every key: taken for the required key that is missing, in one error.
    let all = errors(quote!(size = 1024, count = 32));
    assert_eq!(
        all,
        ["unknown argument `count`, and `slots` is missing: if this is it, write `slots = 32`"]
    );
    let all = errors(quote!(bytes = 4 * KIB, blocks(32)));
    assert_eq!(
        all,
        [
            "unknown argument `bytes`, and `size` is missing: if this is it, write \
             `size = 4 * KIB`",
            "unknown argument `blocks`, and `slots` is missing: if this is it, write \
             `slots = …`"
        ]
    );
    // Nothing missing: the keys there are.
    let all = errors(quote!(size = 1024, slots = 32, colour = 3));
    assert_eq!(
        all,
        [
            "unknown argument `colour`: the arguments are `size`, `slots`, `align`, `budget` \
          and `crate`"
        ]
    );
}

#[test]
fn no_arguments_get_one_error() {
    let expected = [
        "`#[tinyalloc::pool]` needs `size`, the bytes of all blocks together, \
                     and `slots`, how many blocks: e.g. `#[tinyalloc::pool(size = 1024, \
                     slots = 32)]`",
    ];
    assert_eq!(errors(quote!()), expected);
    assert!(errors(quote!(slots = 32))[0].starts_with("missing `size`"));
}

#[test]
fn a_key_without_an_expression_is_refused_not_dropped() {
    // darling hands these over as "not an expression"; each was once skipped, the
    // default used in its place without a word.
    assert_eq!(
        errors(quote!(size = 1024, slots = 32, align = )),
        ["`align` takes a value: write `align = 8`"]
    );
    assert_eq!(
        errors(quote!(size = , slots = 32)),
        ["`size` takes a value: write `size = 1024`"]
    );
    assert_eq!(
        errors(quote!(size == 1024, slots = 32)),
        ["one `=`: write `size = 1024`"]
    );
    assert_eq!(
        errors(quote!(size = 1024, slots = 32, budget = 100 +)),
        ["`100 +` is not a value: write a number or a const expression, e.g. `budget = 1024`"]
    );
    for krate in [quote!(crate = pub(crate)), quote!(crate = )] {
        assert_eq!(
            errors(quote!(size = 1024, slots = 32, #krate)),
            ["`crate` takes the path of tinyalloc, e.g. `crate = ::my_tinyalloc`"]
        );
    }
    // A const's name alone is a value without its key.
    assert_eq!(
        errors(quote!(SIZE, slots = 32)),
        ["arguments are named: write `size = SIZE`, \
             e.g. `#[tinyalloc::pool(size = 1024, slots = 32)]`"]
    );
}

#[test]
fn a_unit_suffix_is_not_dropped_from_the_number() {
    assert_eq!(
        errors(quote!(size = 1024, slots = 32, budget = 8K)),
        ["`8K` is not a number Rust reads: write `budget = 8 * 1024`"]
    );
    assert_eq!(
        errors(quote!(size = 1MiB, slots = 32)),
        ["`1MiB` is not a number Rust reads: write `size = 1 * 1024 * 1024`"]
    );
    assert_eq!(
        errors(quote!(size = 1024, slots = 32blocks)),
        ["`32blocks` is not a number Rust reads: write a number alone, e.g. `slots = 32`"]
    );
    // A Rust integer type is a suffix to drop.
    assert!(errors(quote!(size = 1024u32, slots = 32))[0].contains("`u32` suffix"));
}
