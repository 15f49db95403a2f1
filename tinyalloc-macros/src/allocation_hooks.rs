//! `define_allocation_hooks!(alloc_fn, free_fn)`: binds the slab cache's link-time
//! hooks to two functions of the program.
//!
//! The runtime declares `_tinyalloc_0_1_slab_alloc` and `_tinyalloc_0_1_slab_free`
//! in an `extern "Rust"` block; this macro defines them with `#[unsafe(no_mangle)]`,
//! each a thin wrapper that calls the user's function through a fn pointer of the
//! hook's type, so a function with another signature is a type error at its name.
//! A `#[used]` marker symbol makes a second call in one crate a compile error. Across
//! crates, a second marker named for the calling crate makes a second definition a
//! link error: an executable's link references every exported symbol of the crates
//! it links (rustc's `symbols.o`), so that marker pulls in the object file holding a
//! library's hooks even when the program calls nothing else in it. Without it, a
//! linker that already has the hooks from the program never opens that object, and
//! the library's hooks are dropped without a word.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Path, Token};

/// What the macro was given.
struct HookArgs {
    alloc: Path,
    free: Path,
    krate: Path,
}

/// One comma-separated argument: a function path, or `crate = path`.
enum Arg {
    Function(Path),
    Crate { key: Token![crate], path: Path },
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![crate]) && input.peek2(Token![=]) {
            let key = input.parse()?;
            input.parse::<Token![=]>()?;
            let path = input.call(Path::parse_mod_style).map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "`crate` takes the path of tinyalloc, e.g. `crate = ::my_tinyalloc`",
                )
            })?;
            Ok(Arg::Crate { key, path })
        } else if input.peek(Ident::peek_any) && input.peek2(Token![=]) {
            // `alloc = my_alloc`, as the pool's arguments are written: without this,
            // syn's "expected `,`" at the `=`.
            let key: Ident = input.call(Ident::parse_any)?;
            Err(syn::Error::new(
                key.span(),
                format!(
                    "`{key} = …`: the functions are given in order, without names \
                     (only `crate = …` has one); {USAGE}"
                ),
            ))
        } else {
            input.parse().map(Arg::Function).map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected the path of a function, e.g. `system_alloc`; \
                     define_allocation_hooks! takes the slab allocator and the slab deallocator",
                )
            })
        }
    }
}

const USAGE: &str = "define_allocation_hooks! takes two functions, the slab allocator and the slab \
                     deallocator: `tinyalloc::define_allocation_hooks!(system_alloc, system_free);` \
                     with `unsafe fn system_alloc(layout: Layout) -> Option<NonNull<u8>>` and \
                     `unsafe fn system_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()>`";

impl Parse for HookArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let args = Punctuated::<Arg, Token![,]>::parse_terminated(input)?;
        let mut functions = Vec::new();
        let mut krate = None;
        let mut errors: Option<syn::Error> = None;
        let mut report = |error: syn::Error| match &mut errors {
            Some(errors) => errors.combine(error),
            None => errors = Some(error),
        };
        for arg in args {
            match arg {
                Arg::Function(path) => functions.push(path),
                Arg::Crate { key, path } => {
                    if krate.is_some() {
                        report(syn::Error::new(
                            key.span,
                            "`crate` is given twice; keep one",
                        ));
                    }
                    krate = Some(path);
                }
            }
        }
        let mut functions = functions.into_iter();
        let (alloc, free) = (functions.next(), functions.next());
        for extra in functions {
            report(syn::Error::new_spanned(
                &extra,
                format!(
                    "one function too many: `{}`; {USAGE}",
                    extra.to_token_stream()
                ),
            ));
        }
        let found = match (&alloc, &free) {
            (Some(alloc), Some(free)) => Some((alloc.clone(), free.clone())),
            (Some(alloc), None) => {
                report(syn::Error::new_spanned(
                    alloc,
                    format!(
                        "the slab deallocator is missing after `{}`; {USAGE}",
                        alloc.to_token_stream()
                    ),
                ));
                None
            }
            _ => {
                report(syn::Error::new(
                    Span::call_site(),
                    format!("no functions given; {USAGE}"),
                ));
                None
            }
        };
        match (errors, found) {
            (Some(errors), _) => Err(errors),
            (None, Some((alloc, free))) => Ok(HookArgs {
                alloc,
                free,
                krate: krate.unwrap_or_else(|| syn::parse_quote!(::tinyalloc)),
            }),
            (None, None) => Err(syn::Error::new(Span::call_site(), USAGE)),
        }
    }
}

/// The expansion: the two hook definitions and the marker, inside `const _` so that
/// nothing is added to the caller's namespace.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<HookArgs>(input) {
        Ok(args) => codegen(&args),
        Err(error) => error.to_compile_error(),
    }
}

fn codegen(args: &HookArgs) -> TokenStream {
    let HookArgs { alloc, free, krate } = args;
    // The expansion's own bindings: a pattern takes a constant or unit struct of the
    // same name in the caller's module for itself, whatever the span's hygiene, so the
    // names are ones no caller writes.
    let [layout, ptr, hook] = ["__tinyalloc_layout", "__tinyalloc_ptr", "__tinyalloc_hook"]
        .map(|name| Ident::new(name, Span::mixed_site()));
    // The coercion to the hook's fn-pointer type carries the span of the user's path,
    // so a signature mismatch is reported at the function's name.
    let alloc_hook = quote_spanned! {alloc.span()=>
        let #hook: #krate::__private::SlabAllocHook = #alloc;
    };
    let free_hook = quote_spanned! {free.span()=>
        let #hook: #krate::__private::SlabFreeHook = #free;
    };
    // A safe `fn` coerces to the hooks' `unsafe fn` types too, and so does a constant
    // of that pointer type made from one; these calls refuse both, so the `unsafe`
    // that vouches for the hooks is written by the user.
    let alloc_unsafe = unsafe_probe(krate, alloc, quote!(alloc_hook_kind));
    let free_unsafe = unsafe_probe(krate, free, quote!(free_hook_kind));
    // Defining an unmangled symbol is unsafe code. With the span of the user's path
    // (not the macro's), the `unsafe_code` lint sees it, so a crate that forbids unsafe
    // code cannot define hooks: the probes above refuse a safe `fn`, but not a
    // `#[target_feature]` fn, which is declared without `unsafe` yet, like an
    // `unsafe fn`, coerces only to the hook's `unsafe fn` type. One of the two is
    // enough to refuse the call, and one error says it: the other hook's attribute
    // is the macro's own, which the lint does not look at.
    let alloc_no_mangle = no_mangle_at(alloc);
    let free_no_mangle = quote!(#[unsafe(no_mangle)]);
    let crate_marker = crate_marker();
    // Primitive types by their full path too: a type of the caller's may be named `u8`.
    quote! {
        const _: () = {
            #alloc_no_mangle
            unsafe fn _tinyalloc_0_1_slab_alloc(
                #layout: ::core::alloc::Layout,
            ) -> ::core::option::Option<::core::ptr::NonNull<::core::primitive::u8>> {
                #alloc_hook
                // The runtime calls this under the contract of `SlabProvider::alloc`,
                // which the user took on by declaring the hook `unsafe fn`.
                unsafe { #hook(#layout) }
            }

            #free_no_mangle
            unsafe fn _tinyalloc_0_1_slab_free(
                #ptr: ::core::ptr::NonNull<::core::primitive::u8>,
                #layout: ::core::alloc::Layout,
            ) -> ::core::result::Result<(), #krate::__private::SlabError> {
                #free_hook
                // As above, under the contract of `SlabProvider::free`.
                unsafe { #hook(#ptr, #layout) }
            }

            // Type-checked, never called: refuses hooks declared as safe `fn`s, and
            // function pointers.
            #[allow(dead_code)]
            fn _tinyalloc_hooks_are_unsafe_fns() {
                #[allow(unused_imports)]
                use #krate::__private::{
                    AllocHookIsAny as _, AllocHookIsPointer as _, AllocHookIsSafe as _,
                    FreeHookIsAny as _, FreeHookIsPointer as _, FreeHookIsSafe as _,
                };
                #alloc_unsafe
                #free_unsafe
            }

            // A second `define_allocation_hooks!` in the program defines this symbol
            // again, which no linker accepts.
            #[used]
            #[unsafe(no_mangle)]
            #[allow(non_upper_case_globals)]
            static _tinyalloc_0_1_allocation_hooks_defined: ::core::primitive::u8 = 0;

            #crate_marker
        };
    }
}

/// The spans of the first and the last token of `path`. Code made with the first on
/// its opening tokens and the last on its closing ones is reported over the whole
/// path (`mem::my_alloc`, not `mem`): one span for all of it would have to be joined,
/// which stable Rust cannot do.
fn ends(path: &Path) -> (Span, Span) {
    let mut tokens = path.to_token_stream().into_iter();
    let first = tokens
        .next()
        .map_or_else(Span::call_site, |token| token.span());
    let last = tokens.last().map_or(first, |token| token.span());
    (first, last)
}

/// `require_unsafe_hook((&HookProbe(path)).kind())`, whose error covers `path`.
fn unsafe_probe(krate: &Path, path: &Path, kind: TokenStream) -> TokenStream {
    let (first, last) = ends(path);
    let mut receiver = Group::new(
        Delimiter::Parenthesis,
        quote_spanned!(first=> &#krate::__private::HookProbe(#path)),
    );
    receiver.set_span(first);
    let mut call = Group::new(Delimiter::Parenthesis, TokenStream::new());
    call.set_span(last);
    let dot = quote_spanned!(last=> .);
    let kind: TokenStream = kind
        .into_iter()
        .map(|mut token| {
            token.set_span(last);
            token
        })
        .collect();
    let mut argument = Group::new(Delimiter::Parenthesis, quote!(#receiver #dot #kind #call));
    argument.set_span(last);
    quote_spanned! {first=>
        #krate::__private::require_unsafe_hook #argument;
    }
}

/// `#[unsafe(no_mangle)]` spanned over `path`, which the `unsafe_code` lint points at.
fn no_mangle_at(path: &Path) -> TokenStream {
    let (first, last) = ends(path);
    let mut attribute = Group::new(Delimiter::Bracket, quote_spanned!(last=> unsafe(no_mangle)));
    attribute.set_span(last);
    let pound = quote_spanned!(first=> #);
    quote!(#pound #attribute)
}

/// A symbol named for the crate being compiled, which the program's link always asks
/// for, so the object holding this crate's hooks is always linked (see the module
/// docs). Without cargo's `CARGO_CRATE_NAME` there is no name to give it, and only
/// the shared marker remains.
fn crate_marker() -> TokenStream {
    let Ok(name) = std::env::var("CARGO_CRATE_NAME") else {
        return TokenStream::new();
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return TokenStream::new();
    }
    let marker = Ident::new(
        &format!("_tinyalloc_0_1_allocation_hooks_in_{name}"),
        Span::call_site(),
    );
    quote! {
        #[used]
        #[unsafe(no_mangle)]
        #[allow(non_upper_case_globals)]
        static #marker: ::core::primitive::u8 = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(input: TokenStream) -> String {
        match syn::parse2::<HookArgs>(input) {
            Ok(_) => panic!("expected an error"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn two_functions_expand_to_both_hooks_and_the_marker() {
        let out = expand(quote!(my_alloc, my_free,)).to_string();
        for needle in [
            "_tinyalloc_0_1_slab_alloc",
            "_tinyalloc_0_1_slab_free",
            "_tinyalloc_0_1_allocation_hooks_defined",
            "__tinyalloc_hook : :: tinyalloc :: __private :: SlabAllocHook = my_alloc",
            "__tinyalloc_hook : :: tinyalloc :: __private :: SlabFreeHook = my_free",
            "HookProbe (my_alloc)) . alloc_hook_kind ()",
            "HookProbe (my_free)) . free_hook_kind ()",
        ] {
            assert!(out.contains(needle), "{needle} missing from {out}");
        }
    }

    #[test]
    fn the_crate_path_can_be_renamed() {
        let out = expand(quote!(a::alloc, b::free, crate = ::my_alloc_crate)).to_string();
        assert!(out.contains(":: my_alloc_crate :: __private :: SlabAllocHook = a :: alloc"));
    }

    #[test]
    fn wrong_argument_counts_say_what_is_expected() {
        assert!(error_of(quote!()).starts_with("no functions given"));
        assert!(
            error_of(quote!(only_alloc))
                .starts_with("the slab deallocator is missing after `only_alloc`")
        );
        assert!(error_of(quote!(a, b, c)).starts_with("one function too many: `c`"));
        assert!(error_of(quote!(a, 5)).starts_with("expected the path of a function"));
        assert!(error_of(quote!(a, b, crate = x, crate = y)).contains("`crate` is given twice"));
        assert!(
            error_of(quote!(alloc = a, free = b))
                .starts_with("`alloc = …`: the functions are given in order, without names")
        );
        assert_eq!(
            error_of(quote!(a, b, crate = "tinyalloc")),
            "`crate` takes the path of tinyalloc, e.g. `crate = ::my_tinyalloc`"
        );
    }
}
