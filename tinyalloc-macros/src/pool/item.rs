//! The item under `#[tinyalloc::pool]`: it must be a plain `static NAME: Pool;`.

use darling::Error;
use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Token, Type, Visibility};

/// `#[attrs] vis static [mut] NAME: Type [= init];` as written. Rust requires an
/// initialiser on a static only after macros have run, so this parses without one.
/// `const` in place of `static` parses too, so that slip gets one error of its own.
pub(super) struct StaticItem {
    pub(super) attrs: Vec<Attribute>,
    pub(super) vis: Visibility,
    /// `unsafe` or `safe` before `static` (an `extern` block's forms), refused.
    pub(super) safety: Option<Ident>,
    /// `const` where `static` belongs; `static_token` then carries its span.
    pub(super) const_token: Option<Token![const]>,
    pub(super) static_token: Token![static],
    pub(super) mutability: Option<Token![mut]>,
    pub(super) ident: Ident,
    /// `None` for `static NAME;`, which rustc's parser has refused already.
    pub(super) ty: Option<Type>,
    pub(super) init: Option<Expr>,
}

impl Parse for StaticItem {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let safety = if input.peek(Token![unsafe]) {
            let token: Token![unsafe] = input.parse()?;
            Some(Ident::new("unsafe", token.span))
        } else if input.peek(Ident) && input.peek2(Token![static]) {
            // `safe` is a keyword only there: read it as a name.
            let ident: Ident = input.parse()?;
            if ident != "safe" {
                return Err(syn::Error::new(ident.span(), "expected `static`"));
            }
            Some(ident)
        } else {
            None
        };
        let const_token: Option<Token![const]> = input.parse()?;
        let static_token = match &const_token {
            Some(const_token) => Token![static](const_token.span),
            None => input.parse()?,
        };
        let mutability = input.parse()?;
        let ident = input.parse()?;
        // rustc's parser has refused generics on a static already, before the attribute
        // ran; skipping them keeps that the one message for the mistake.
        if input.peek(Token![<]) {
            input.parse::<syn::Generics>()?;
        }
        let ty = if input.peek(Token![:]) {
            input.parse::<Token![:]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        let init = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        input.parse::<Token![;]>()?;
        Ok(StaticItem {
            attrs,
            vis,
            safety,
            const_token,
            static_token,
            mutability,
            ident,
            ty,
            init,
        })
    }
}

impl StaticItem {
    /// Parses the item; anything but a static is an error spanned on the item.
    pub(super) fn parse(tokens: TokenStream) -> Result<StaticItem, Error> {
        syn::parse2::<StaticItem>(tokens.clone()).map_err(|_| {
            let span = item_keyword(tokens);
            let error = Error::custom(
                "`#[tinyalloc::pool]` goes on a static written `static NAME: Pool;`, \
                 e.g. `#[tinyalloc::pool(size = 1024, slots = 32)] static POOL: Pool;`",
            );
            match span {
                Some(span) => error.with_span(&span),
                None => error,
            }
        })
    }

    /// Errors for everything that keeps this from being a plain `static NAME: Pool;`.
    /// `krate` is where the runtime crate is (`crate = …`, or `::tinyalloc`).
    pub(super) fn check(&self, krate: &TokenStream, errors: &mut darling::error::Accumulator) {
        if self.expanded_already() {
            // The attribute is written twice: this one sees the static the other made.
            // Its type and initialiser are not the user's to remove; the attribute is.
            errors.push(
                Error::custom(
                    "`#[tinyalloc::pool]` is given twice on this static; keep one of the two",
                )
                .with_span(&Span::call_site()),
            );
            return;
        }
        if let Some(safety) = &self.safety {
            errors.push(
                Error::custom(format!(
                    "remove `{safety}`: a pool is a plain `static`, safe to use from \
                     anywhere as it locks itself (`{safety} static` belongs in an `extern` \
                     block)"
                ))
                .with_span(safety),
            );
        }
        if let Some(const_token) = &self.const_token {
            errors.push(
                Error::custom(format!(
                    "a pool must be a `static`: a `const` is a new, empty pool at every use; \
                     write `static {}: Pool;`, outside any `impl` block",
                    self.ident
                ))
                .with_span(const_token),
            );
        }
        if let Some(mutability) = &self.mutability {
            errors.push(
                Error::custom(
                    "a pool is shared through `&self` and locks itself, so it must not be \
                     `static mut`; remove `mut`",
                )
                .with_span(mutability),
            );
        }
        if let Some(init) = &self.init {
            errors.push(
                Error::custom(
                    "remove the initialiser: `#[tinyalloc::pool]` writes it from its \
                     arguments (`static POOL: Pool;`)",
                )
                .with_span(init),
            );
        }
        if let Some(ty) = &self.ty
            && !is_tinyalloc_pool(ty, krate)
        {
            // A `Pool` of another module would be replaced by tinyalloc's without a word.
            let whose = match ty {
                Type::Path(path) if is_bare_pool(ty) => format!(
                    "`{}` is not tinyalloc's `Pool`: ",
                    quote::quote!(#path).to_string().replace(' ', "")
                ),
                _ => String::new(),
            };
            errors.push(
                Error::custom(format!(
                    "{whose}the type of a `#[tinyalloc::pool]` static is written `Pool`; the \
                     macro fills in its size, slots and alignment from the arguments"
                ))
                .with_span(&ty.span()),
            );
        }
    }

    /// Whether the initialiser is the one `#[tinyalloc::pool]` writes
    /// (`(…::__private::checked_pool)()`).
    fn expanded_already(&self) -> bool {
        let Some(Expr::Call(call)) = &self.init else {
            return false;
        };
        let mut function = &*call.func;
        while let Expr::Paren(syn::ExprParen { expr, .. }) = function {
            function = expr;
        }
        let Expr::Path(function) = function else {
            return false;
        };
        let names: Vec<_> = function.path.segments.iter().map(|s| &s.ident).collect();
        call.args.is_empty()
            && matches!(names.as_slice(), [.., private, checked]
                if *private == "__private" && *checked == "checked_pool")
    }
}

/// Where the item proper starts (`fn`, `struct`, …), past its doc comments, other
/// attributes and visibility: the place to point at when it is not a static.
fn item_keyword(tokens: TokenStream) -> Option<Span> {
    let keyword = |input: ParseStream<'_>| {
        input.call(Attribute::parse_outer)?;
        input.parse::<Visibility>()?;
        let span = input.span();
        input.parse::<TokenStream>()?;
        Ok(span)
    };
    keyword
        .parse2(tokens.clone())
        .ok()
        .or_else(|| tokens.into_iter().next().map(|token| token.span()))
}

/// `Pool`, or tinyalloc's `Pool` by its path (`tinyalloc::Pool`,
/// `::tinyalloc::prelude::Pool`, or under the `crate = …` path given), without generic
/// arguments.
fn is_tinyalloc_pool(ty: &Type, krate: &TokenStream) -> bool {
    let Type::Path(path) = ty else {
        return false;
    };
    if !is_bare_pool(ty) {
        return false;
    }
    if path.path.segments.len() == 1 {
        return path.path.leading_colon.is_none();
    }
    let written = quote::quote!(#path).to_string().replace(' ', "");
    let written = written.trim_start_matches("::");
    let krate = krate.to_string().replace(' ', "");
    ["tinyalloc", krate.trim_start_matches("::")]
        .into_iter()
        .any(|root| written.starts_with(&format!("{root}::")))
}

/// A path ending in `Pool` without generic arguments.
fn is_bare_pool(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Pool" && last.arguments.is_none()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn problems(tokens: TokenStream) -> Vec<String> {
        let item = match StaticItem::parse(tokens) {
            Ok(item) => item,
            Err(error) => return vec![error.to_string()],
        };
        let mut errors = Error::accumulator();
        item.check(&quote!(::tinyalloc), &mut errors);
        match errors.finish() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_plain_static_passes() {
        assert!(
            problems(quote!(
                static POOL: Pool;
            ))
            .is_empty()
        );
        assert!(
            problems(quote!(
                #[doc = "x"]
                pub(crate) static POOL: tinyalloc::Pool;
            ))
            .is_empty()
        );
    }

    #[test]
    fn a_pool_of_another_module_is_refused() {
        for ty in [
            quote!(my::Pool),
            quote!(std::Pool),
            quote!(::Pool),
            quote!(Pool<1024, 32>),
        ] {
            assert_eq!(problems(quote!(static POOL: #ty;)).len(), 1, "{ty}");
        }
        assert!(problems(quote!(static POOL: my::Pool;))[0].starts_with(
            "`my::Pool` is not tinyalloc's `Pool`: the type of a `#[tinyalloc::pool]` static"
        ));
        for ty in [quote!(::tinyalloc::Pool), quote!(tinyalloc::prelude::Pool)] {
            assert!(problems(quote!(static POOL: #ty;)).is_empty(), "{ty}");
        }
        // Under the path `crate = …` gives.
        let item = StaticItem::parse(quote!(
            static POOL: ta::Pool;
        ))
        .unwrap();
        let mut errors = Error::accumulator();
        item.check(&quote!(::ta), &mut errors);
        assert!(errors.finish().is_ok());
    }

    #[test]
    fn an_extern_blocks_safety_keyword_is_refused_alone() {
        for item in [
            quote!(
                unsafe static POOL: Pool;
            ),
            quote!(safe static POOL: Pool;),
        ] {
            let all = problems(item);
            assert_eq!(all.len(), 1, "{all:?}");
            assert!(all[0].starts_with("remove `"), "{all:?}");
        }
    }

    #[test]
    fn generics_are_left_to_rustc() {
        // rustc's parser refuses generics on a static before the attribute runs
        // ("static items may not have generic parameters"); refusing the item here too
        // re-emitted it as written, adding "free static item without body", whose
        // advice (write an initialiser) is a mistake of its own under this attribute.
        assert!(
            problems(quote!(
                static POOL<T>: Pool;
            ))
            .is_empty()
        );
    }

    #[test]
    fn a_missing_type_is_left_to_rustc() {
        // `static POOL;`, as if the macro wrote the whole type: rustc's parser reports
        // "missing type for `static` item" before the attribute runs; refusing the
        // item here too added two errors, one advising an initialiser.
        assert!(
            problems(quote!(
                static POOL;
            ))
            .is_empty()
        );
    }

    #[test]
    fn a_second_attribute_is_named_as_such() {
        // What the second of two attributes sees: the static the first one made.
        let first = crate::pool::expand(
            quote!(size = 1024, slots = 32),
            quote!(
                static POOL: Pool;
            ),
        );
        assert_eq!(
            problems(first),
            ["`#[tinyalloc::pool]` is given twice on this static; keep one of the two"]
        );
        // Also when the first one's arguments were wrong and it made a stand-in.
        let item = StaticItem::parse(quote!(
            static POOL: Pool;
        ))
        .unwrap();
        let stand_in = crate::pool::codegen::fallback(&item, &quote!(::tinyalloc));
        assert_eq!(
            problems(stand_in),
            ["`#[tinyalloc::pool]` is given twice on this static; keep one of the two"]
        );
    }

    #[test]
    fn everything_else_is_named() {
        assert!(
            problems(quote!(
                fn pool() {}
            ))[0]
                .contains("goes on a static")
        );
        assert_eq!(
            problems(quote!(
                const RX: Pool;
            )),
            [
                "a pool must be a `static`: a `const` is a new, empty pool at every use; \
              write `static RX: Pool;`, outside any `impl` block"
            ]
        );
        assert!(
            problems(quote!(
                static mut POOL: Pool;
            ))[0]
                .contains("remove `mut`")
        );
        assert!(
            problems(quote!(
                static POOL: Pool = Pool::new();
            ))[0]
                .contains("initialiser")
        );
        assert!(
            problems(quote!(
                static POOL: Pool<1024, 32>;
            ))[0]
                .contains("written `Pool`")
        );
        assert!(
            problems(quote!(
                static POOL: u32;
            ))[0]
                .contains("written `Pool`")
        );
    }
}
