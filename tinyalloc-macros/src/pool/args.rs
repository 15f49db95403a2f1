//! Parsing and checking `#[tinyalloc::pool(size = …, slots = …, align = …, budget = …,
//! crate = …)]`.
//!
//! Every value written as an integer literal is checked here, each error pointing at
//! its argument and naming the fix. Other const expressions (`size = 4 * KIB`) are
//! passed through and checked by the runtime's const assertions when built.

use darling::ast::NestedMeta;
use darling::util::parse_expr::preserve_str_literal;
use darling::{Error, FromMeta};
use proc_macro2::{Spacing, Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, Path, Stmt, UnOp};

use check::check;

mod check;

/// The keys, in the order the documentation gives them.
const KEYS: [&str; 5] = ["size", "slots", "align", "budget", "crate"];

/// The arguments as written, each key at most once.
#[derive(Default)]
struct RawArgs {
    size: Option<Expr>,
    slots: Option<Expr>,
    align: Option<Expr>,
    budget: Option<Expr>,
    krate: Option<Path>,
    /// Required keys whose mistake is reported already (given without a value, or
    /// taken to be what a bare value is for), so not again as missing.
    reported: Vec<&'static str>,
}

impl RawArgs {
    /// Sorts the arguments by key. A bare value, an unknown or repeated key, or a key
    /// without a value is reported and skipped, so the rest are still checked: one
    /// pass shows every mistake.
    fn parse(list: &[NestedMeta], errors: &mut darling::error::Accumulator) -> RawArgs {
        let mut raw = RawArgs::default();
        let mut seen: Vec<&str> = Vec::new();
        for item in list {
            let NestedMeta::Meta(meta) = item else {
                continue;
            };
            let path = meta.path();
            let Some(&key) = KEYS.iter().find(|key| path.is_ident(key)) else {
                let error = Error::unknown_field_path_with_alts(path, &KEYS).with_span(path);
                // A misspelt required key is one mistake, not also a missing key.
                let text = error.to_string();
                raw.reported.extend(
                    ["size", "slots"]
                        .into_iter()
                        .filter(|key| text.contains(&format!("Did you mean `{key}`?"))),
                );
                errors.push(error);
                continue;
            };
            if seen.contains(&key) {
                errors.push(
                    Error::custom(format!(
                        "`{key}` is given twice; keep one `{key} = …` and remove the other"
                    ))
                    .with_span(path),
                );
                continue;
            }
            seen.push(key);
            if key == "crate" {
                raw.krate = errors.handle(Path::from_meta(meta).map_err(|_| {
                    Error::custom(
                        "`crate` takes the path of tinyalloc, e.g. `crate = ::my_tinyalloc`",
                    )
                    .with_span(meta)
                }));
                continue;
            }
            // Keeps a string literal as a literal, so `size = "1024"` can be refused
            // instead of being read as the expression inside the string.
            let expr = errors.handle(preserve_str_literal(meta).map_err(|_| {
                raw.reported.push(key);
                Error::custom(format!(
                    "`{key}` takes a value: write `{key} = {}`",
                    example(key)
                ))
                .with_span(meta)
            }));
            match key {
                "size" => raw.size = expr,
                "slots" => raw.slots = expr,
                "align" => raw.align = expr,
                _ => raw.budget = expr,
            }
        }
        for item in list {
            let NestedMeta::Lit(lit) = item else {
                continue;
            };
            let value = quote::quote!(#lit).to_string();
            let unnamed = ["size", "slots"]
                .into_iter()
                .find(|key| !seen.contains(key) && !raw.reported.contains(key));
            let message = match unnamed {
                Some(key) => {
                    raw.reported.push(key);
                    format!(
                        "arguments are named: write `{key} = {value}`, \
                         e.g. `#[tinyalloc::pool(size = 1024, slots = 32)]`"
                    )
                }
                None => format!(
                    "arguments are named: write `align = {value}` or `budget = {value}`, \
                     whichever this value is"
                ),
            };
            errors.push(Error::custom(message).with_span(lit));
        }
        raw
    }
}

/// A value that works for `key`, for messages.
fn example(key: &str) -> u32 {
    match key {
        "slots" => 32,
        "align" => 8,
        _ => 1024,
    }
}

/// One numeric argument: the expression to paste into the expansion and, when it is
/// an integer literal, its value.
pub(super) struct Value {
    pub(super) expr: Expr,
    pub(super) literal: Option<u128>,
}

impl Value {
    fn new(key: &str, expr: Expr) -> darling::Result<Value> {
        let expr = unwrap(expr);
        let literal = match &expr {
            Expr::Lit(lit) => Some(literal_value(key, &lit.lit)?),
            // A minus before a literal: refused here, with the value to write, rather
            // than left to rustc's "cannot apply unary operator `-` to type `usize`".
            Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => match &*unary.expr {
                Expr::Lit(ExprLit {
                    lit: Lit::Int(int), ..
                }) => return Err(negative(key, int.base10_digits()).with_span(&expr)),
                _ => None,
            },
            _ => None,
        };
        Ok(Value { expr, literal })
    }

    fn span(&self) -> Span {
        self.expr.span()
    }
}

/// `expr` without the parentheses, braces or invisible group (from a `macro_rules!`
/// fragment) around it: a literal inside them is still checked here, at its own span,
/// and none of them reaches the expansion, where rustc would report `(1024)` as
/// "unnecessary parentheses around block return value", a block the user never wrote.
/// Every place the value is pasted delimits it again.
fn unwrap(expr: Expr) -> Expr {
    match expr {
        Expr::Paren(paren) if paren.attrs.is_empty() => unwrap(*paren.expr),
        Expr::Group(group) if group.attrs.is_empty() => unwrap(*group.expr),
        Expr::Block(mut block)
            if block.attrs.is_empty()
                && block.label.is_none()
                && matches!(block.block.stmts.as_slice(), [Stmt::Expr(_, None)]) =>
        {
            match block.block.stmts.pop() {
                Some(Stmt::Expr(inner, None)) => unwrap(inner),
                _ => Expr::Block(block),
            }
        }
        expr => expr,
    }
}

/// The value of an integer literal given for `key`.
fn literal_value(key: &str, lit: &Lit) -> darling::Result<u128> {
    let example = example(key);
    match lit {
        // The tokens of an attribute can carry `-8` as one literal.
        Lit::Int(int) if int.base10_digits().starts_with('-') => {
            Err(negative(key, &int.base10_digits()[1..]).with_span(lit))
        }
        Lit::Int(int) if matches!(int.suffix(), "" | "usize") => {
            int.base10_parse::<u64>().map(u128::from).map_err(|_| {
                Error::custom(format!(
                    "`{key} = {}` does not fit in a `usize` on any target",
                    int.base10_digits()
                ))
                .with_span(lit)
            })
        }
        Lit::Int(int) => Err(Error::custom(format!(
            "`{key}` is a `usize`: write `{key} = {}` without the `{}` suffix",
            int.base10_digits(),
            int.suffix()
        ))
        .with_span(lit)),
        Lit::Str(_) => Err(Error::custom(format!(
            "`{key}` takes a number, not a string: write `{key} = {example}`"
        ))
        .with_span(lit)),
        _ => Err(Error::custom(format!(
            "`{key}` takes a whole number of {}, e.g. `{key} = {example}`",
            if key == "slots" { "blocks" } else { "bytes" }
        ))
        .with_span(lit)),
    }
}

/// The error for `key = -digits`.
fn negative(key: &str, digits: &str) -> Error {
    Error::custom(format!(
        "`{key} = -{digits}` is negative; `{key}` is a `usize`: write `{key} = {digits}`"
    ))
}

/// The checked arguments.
pub(super) struct Args {
    pub(super) size: Value,
    pub(super) slots: Value,
    /// `None` means the default alignment.
    pub(super) align: Option<Value>,
    pub(super) budget: Option<Value>,
    /// Where the runtime crate is: `::tinyalloc` unless `crate = …` says otherwise.
    pub(super) krate: TokenStream,
}

impl Args {
    /// Parses and checks the arguments, collecting every error.
    pub(super) fn parse(tokens: TokenStream) -> darling::Result<Args> {
        let list = NestedMeta::parse_meta_list(tokens.clone())
            .map_err(|error| colons_for_equals(tokens).unwrap_or_else(|| error.into()))?;
        let mut errors = Error::accumulator();
        let raw = RawArgs::parse(&list, &mut errors);

        let reported = raw.reported;
        let mut required = |key: &str, expr: Option<Expr>, what: &str| match expr {
            Some(expr) => errors.handle(Value::new(key, expr)),
            None => {
                if !reported.contains(&key) {
                    errors.push(Error::custom(format!(
                        "missing `{key}`: {what}, e.g. `#[tinyalloc::pool(size = 1024, slots = 32)]`"
                    )));
                }
                None
            }
        };
        let size = required("size", raw.size, "the bytes of all blocks together");
        let slots = required("slots", raw.slots, "how many blocks the pool holds");
        let align = raw
            .align
            .and_then(|expr| errors.handle(Value::new("align", expr)));
        let budget = raw
            .budget
            .and_then(|expr| errors.handle(Value::new("budget", expr)));

        check(
            size.as_ref(),
            slots.as_ref(),
            align.as_ref(),
            budget.as_ref(),
            &mut errors,
        );
        errors.finish()?;
        let krate = match raw.krate {
            Some(path) => quote::quote!(#path),
            None => quote::quote!(::tinyalloc),
        };
        match (size, slots) {
            (Some(size), Some(slots)) => Ok(Args {
                size,
                slots,
                align,
                budget,
                krate,
            }),
            // A missing key was reported above, so `finish` returned early.
            _ => Err(Error::custom("missing `size` or `slots`")),
        }
    }
}

/// `key: value` written where `key = value` belongs, as in a struct literal: one error
/// per such argument, naming what to write instead of syn's "expected `,`". `None`
/// when there is none (`a::b` is a path, its colons joined).
fn colons_for_equals(tokens: TokenStream) -> Option<Error> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut errors = Vec::new();
    for (at, pair) in tokens.windows(2).enumerate() {
        let [TokenTree::Ident(key), TokenTree::Punct(colon)] = pair else {
            continue;
        };
        if colon.as_char() != ':' || colon.spacing() != Spacing::Alone {
            continue;
        }
        let value: TokenStream = tokens[at + 2..]
            .iter()
            .take_while(|token| !matches!(token, TokenTree::Punct(p) if p.as_char() == ','))
            .cloned()
            .collect();
        errors.push(
            Error::custom(format!(
                "write `{key} = {value}`: arguments take `=`, not `:`, e.g. \
                 `#[tinyalloc::pool(size = 1024, slots = 32)]`"
            ))
            .with_span(colon),
        );
    }
    (!errors.is_empty()).then(|| Error::multiple(errors))
}

/// The crate path of `crate = …` if the arguments give a readable one, else
/// `::tinyalloc`, whatever else is wrong with them: for the fallback static emitted
/// beside the errors.
pub(super) fn crate_path(tokens: TokenStream) -> TokenStream {
    let given = match NestedMeta::parse_meta_list(tokens.clone()) {
        Ok(list) => {
            // The same reading of `crate = …` as `Args::parse`; its errors are
            // reported there already.
            let mut errors = Error::accumulator();
            let krate = RawArgs::parse(&list, &mut errors).krate;
            let _ = errors.finish();
            krate
        }
        // The list does not parse (`size: 1024`): `crate = path` may still be
        // readable on its own, between commas.
        Err(_) => crate_argument(tokens),
    };
    match given {
        Some(path) => quote::quote!(#path),
        None => quote::quote!(::tinyalloc),
    }
}

/// The path in a `crate = path` argument, found among tokens that are not a valid
/// argument list as a whole.
fn crate_argument(tokens: TokenStream) -> Option<Path> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let arguments =
        tokens.split(|token| matches!(token, TokenTree::Punct(p) if p.as_char() == ','));
    arguments.into_iter().find_map(|argument| match argument {
        [TokenTree::Ident(key), TokenTree::Punct(equals), path @ ..]
            if key == "crate" && equals.as_char() == '=' =>
        {
            syn::parse2(path.iter().cloned().collect()).ok()
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests;
