//! `#[tinyalloc::pool(size = …, slots = …)] static NAME: Pool;`

mod args;
mod codegen;
mod item;

use darling::Error;
use proc_macro2::TokenStream;
use quote::quote;

use args::Args;
use item::StaticItem;

/// Expands the attribute, or reports every mistake in it at once.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Error::accumulator();
    // Where tinyalloc is, as far as the arguments say, whatever else is wrong with
    // them: for the type check, and for the fallback static emitted beside errors.
    let krate = args::crate_path(args.clone());
    let parsed = errors.handle(StaticItem::parse(item.clone()));
    if let Some(parsed) = &parsed {
        parsed.check(&krate, &mut errors);
    }
    let args = errors.handle(Args::parse(args));
    match (errors.finish(), parsed) {
        (Ok(()), Some(parsed)) => match args {
            Some(args) => codegen::pool_static(&parsed, &args),
            None => unreachable_without_error(),
        },
        (Err(error), Some(parsed)) => {
            // A mistake elsewhere in the arguments must not lose `crate = …`: where
            // tinyalloc is renamed, a fallback naming `::tinyalloc` is a second error.
            let krate = args.map_or(krate, |args| args.krate);
            let fallback = codegen::fallback(&parsed, &krate);
            let errors = error.write_errors();
            quote!(#fallback #errors)
        }
        // Not a static at all: keep the item as written beside the error.
        (Err(error), None) => {
            let errors = error.write_errors();
            quote!(#item #errors)
        }
        (Ok(()), None) => unreachable_without_error(),
    }
}

/// Both parses succeed exactly when no error was recorded.
fn unreachable_without_error() -> TokenStream {
    quote!(::core::compile_error!(
        "tinyalloc-macros: internal error, please report it"
    );)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expansion(args: TokenStream, item: TokenStream) -> String {
        expand(args, item).to_string()
    }

    #[test]
    fn names_the_runtime_only_through_its_private_module() {
        let out = expansion(
            quote!(size = 1024, slots = 32),
            quote!(
                static POOL: Pool;
            ),
        );
        assert!(out.contains(":: tinyalloc :: __private :: Pool < 1024 , 32 , :: tinyalloc :: __private :: Align8 >"), "{out}");
        let without_private = out.replace(":: tinyalloc :: __private ::", "");
        assert!(!without_private.contains("tinyalloc"), "{out}");
    }

    #[test]
    fn the_crate_path_replaces_tinyalloc() {
        let out = expansion(
            quote!(size = 1024, slots = 32, crate = my_hal::alloc),
            quote!(
                static POOL: Pool;
            ),
        );
        assert!(
            out.contains("my_hal :: alloc :: __private :: Pool"),
            "{out}"
        );
        assert!(!out.contains(":: tinyalloc"), "{out}");
    }

    #[test]
    fn keeps_attributes_and_visibility() {
        let out = expansion(
            quote!(size = 256, slots = 8, align = 32),
            quote!(
                #[doc = " The DMA pool."]
                #[link_section = ".dma"]
                pub(crate) static DMA: Pool;
            ),
        );
        assert!(
            out.starts_with(
                "# [doc = \" The DMA pool.\"] # [link_section = \".dma\"] pub (crate) static DMA"
            ),
            "{out}"
        );
        assert!(out.contains("Align32"), "{out}");
    }

    #[test]
    fn a_budget_becomes_a_hidden_const_check() {
        let out = expansion(
            quote!(size = 256, slots = 8, budget = 400),
            quote!(
                static P: Pool;
            ),
        );
        assert!(
            out.contains("(:: tinyalloc :: __private :: check_budget_bytes) (& P , 400u64)"),
            "{out}"
        );
        let out = expansion(
            quote!(size = 256, slots = 8, budget = 4 * 100),
            quote!(
                static P: Pool;
            ),
        );
        assert!(
            out.contains("(:: tinyalloc :: __private :: check_budget) (& P , 4 * 100)"),
            "{out}"
        );
    }

    #[test]
    fn errors_come_with_a_fallback_static() {
        // A `const` stays one: it may stand in an `impl` block, where a `static` is an
        // error of its own.
        for (item, fallback) in [
            (
                quote!(
                    static POOL: Pool;
                ),
                "static POOL : :: tinyalloc :: __private :: Pool < 8 , 1 >",
            ),
            (
                quote!(
                    const POOL: Pool;
                ),
                "const POOL : :: tinyalloc :: __private :: Pool < 8 , 1 >",
            ),
        ] {
            let out = expansion(quote!(size = 1000, slots = 32), item);
            assert!(out.contains("compile_error"), "{out}");
            assert!(out.starts_with(fallback), "{out}");
        }
    }

    #[test]
    fn the_fallback_static_names_the_crate_path_given() {
        // Where tinyalloc is renamed, `::tinyalloc` does not resolve: a fallback that
        // named it would add an error of its own to the one mistake.
        for args in [
            quote!(size = 1000, slots = 32, crate = ::my_tinyalloc),
            quote!(size = 1024, slot = 32, crate = ::my_tinyalloc),
            quote!(size: 1024, slots = 32, crate = ::my_tinyalloc),
        ] {
            let out = expansion(
                args,
                quote!(
                    static POOL: Pool;
                ),
            );
            assert!(out.contains("compile_error"), "{out}");
            assert!(
                out.contains("static POOL : :: my_tinyalloc :: __private :: Pool < 8 , 1 >"),
                "{out}"
            );
            assert!(!out.contains(":: tinyalloc ::"), "{out}");
        }
    }

    #[test]
    fn arguments_in_a_string_are_one_error() {
        for (args, fix) in [
            (
                quote!("size = 1024, slots = 32"),
                "`#[tinyalloc::pool(size = 1024, slots = 32)]`\"",
            ),
            (
                quote!("slots = 8"),
                "`#[tinyalloc::pool(slots = 8)]`, and add `size = 1024`\"",
            ),
            // One argument in quotes among others, and arguments that lack both keys.
            (
                quote!("size = 1024", slots = 32),
                "write `size = 1024` without the quotes",
            ),
            (
                quote!("align = 8"),
                "`#[tinyalloc::pool(align = 8)]`, and add `size = 1024` and `slots = 32`",
            ),
        ] {
            let out = expansion(
                args,
                quote!(
                    static POOL: Pool;
                ),
            );
            assert_eq!(out.matches("compile_error").count(), 1, "{out}");
            assert!(out.contains(fix), "{out}");
        }
        // A number in quotes is the number; a word is a string value.
        let out = expansion(
            quote!(slots = 32, "fast"),
            quote!(
                static POOL: Pool;
            ),
        );
        assert!(out.contains(r#"write `size = \"fast\"`"#), "{out}");
        // A string that holds no arguments is a value without its key, as before.
        let out = expansion(
            quote!("fast"),
            quote!(
                static POOL: Pool;
            ),
        );
        assert!(out.contains("arguments are named"), "{out}");
    }

    #[test]
    fn a_function_is_kept_beside_the_error() {
        let out = expansion(
            quote!(size = 1024, slots = 32),
            quote!(
                fn pool() {}
            ),
        );
        assert!(out.starts_with("fn pool () { }"), "{out}");
        assert!(out.contains("compile_error"), "{out}");
    }
}
