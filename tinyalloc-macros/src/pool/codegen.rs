//! The expansion of `#[tinyalloc::pool]`.

use proc_macro2::{Delimiter, Group, Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::args::{Args, Value};
use super::item::StaticItem;

/// `static NAME: Pool<SIZE, SLOTS, Align> = Pool::new();` plus the budget check,
/// naming runtime items only through `<crate>::__private`.
pub(super) fn pool_static(item: &StaticItem, args: &Args) -> TokenStream {
    let krate = &args.krate;
    let private = quote!(#krate::__private);
    let size = const_arg(&args.size);
    let slots = const_arg(&args.slots);
    let align = match &args.align {
        None => quote!(#private::Align8),
        Some(align) => match align.literal {
            Some(bytes) => {
                let marker = format_ident!("Align{}", bytes, span = align.expr.span());
                quote!(#private::#marker)
            }
            None => {
                let expr = &align.expr;
                quote_spanned!(expr.span()=> <#private::Align<{ #expr }> as #private::AlignTo>::Marker)
            }
        },
    };
    let ty_span = item.ty.as_ref().map_or(item.ident.span(), Spanned::span);
    let ty = quote_spanned!(ty_span=> #private::Pool<#size, #slots, #align>);
    // The call is made at the budget, so a pool over budget is reported at
    // `budget = N`. It takes the pool's type from a reference to the static instead
    // of naming it again: a computed `align` that is not a power of two is then
    // reported once, and none of the user's lints (`unused_qualifications` with
    // `Pool` imported) judge a second naming. A literal goes in as a `u64`, which no
    // target truncates. (A `#[cfg]` on the static, before or after the attribute,
    // is applied by rustc before the attribute runs: a removed static never reaches
    // this expansion, so the check need not repeat it; see `pool_cfg_kept`.)
    let ident = &item.ident;
    let budget = args.budget.as_ref().map(|budget| {
        let span = budget.expr.span();
        let (function, bytes) = match budget.literal {
            Some(bytes) => {
                let mut bytes = Literal::u64_suffixed(bytes as u64);
                bytes.set_span(span);
                (quote!(check_budget_bytes), quote!(#bytes))
            }
            None => (quote!(check_budget), budget.expr.to_token_stream()),
        };
        // Only the parentheses are made at the budget: the call's span runs from the
        // first to the last, while the tokens inside keep theirs, so a misspelt name
        // in `budget = 2 * KIBS` is reported at `KIBS` (with the budget's span on
        // every token, at `2`, where rustc suggested `KIB * KIBS`), and a wrong
        // `crate = …` path once, at the path.
        let callee = delimited(quote!(#private::#function), span);
        let arguments = delimited(quote!(&#ident, #bytes), span);
        quote! {
            const _: () = #callee #arguments;
        }
    });
    // The initializer checks the configuration (a panic in const evaluation at this
    // attribute for one that only const evaluation can refuse, such as
    // `size = BYTES`), taking the type from the static, which names a computed `align`
    // only once. The function is called in parentheses made at the attribute, so the
    // call starts there: starting at the path given with `crate = …`, it made rustc
    // report the panic at that path where a `macro_rules!` writes the attribute, as
    // if the path were the mistake. The path keeps its own spans, so a wrong one is
    // one error, at the path, as for the type.
    let function = delimited(quote!(#private::checked_pool), Span::call_site());
    let init = quote!(#function());
    let StaticItem {
        attrs,
        vis,
        static_token,
        ident,
        ..
    } = item;
    quote! {
        #(#attrs)*
        #vis #static_token #ident: #ty = #init;
        #budget
    }
}

/// `(tokens)`, the parentheses made at `span` and the tokens left as they are.
fn delimited(tokens: TokenStream, span: Span) -> Group {
    let mut group = Group::new(Delimiter::Parenthesis, tokens);
    group.set_span(span);
    group
}

/// A literal as it is; any other expression in braces, as a const argument needs.
/// (Braces around a literal would trip `unused_braces` in the user's crate.)
fn const_arg(value: &Value) -> TokenStream {
    let expr = &value.expr;
    match value.literal {
        Some(_) => quote!(#expr),
        None => quote!({ #expr }),
    }
}

/// A small valid pool under the user's name, emitted beside the errors so that code
/// using the static does not add errors of its own: one mistake, one message.
pub(super) fn fallback(item: &StaticItem, krate: &TokenStream) -> TokenStream {
    let StaticItem {
        attrs,
        vis,
        const_token,
        static_token,
        ident,
        ..
    } = item;
    // A `const` stays one: in an `impl` block, where it may be, a `static` is an
    // error of its own ("associated `static` items are not allowed").
    let keyword = match const_token {
        Some(const_token) => const_token.to_token_stream(),
        None => static_token.to_token_stream(),
    };
    // The initialiser the expansion writes (a valid pool, so it passes), which a
    // second `#[tinyalloc::pool]` on the static recognises.
    let private = quote!(#krate::__private);
    let function = delimited(quote!(#private::checked_pool), Span::call_site());
    quote! {
        #(#attrs)*
        #vis #keyword #ident: #private::Pool<8, 1> = #function();
    }
}
