//! Parsing and checking `#[tinyalloc::pool(size = …, slots = …, align = …, budget = …,
//! crate = …)]`.
//!
//! Every value written as an integer literal is checked here, each error pointing at
//! its argument and naming the fix. Other const expressions (`size = 4 * KIB`) are
//! passed through and checked by the runtime's const assertions when built.

use darling::ast::{MetaNameValueInvalidExpr, NestedMeta};
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
        let mut unknown: Vec<(&Path, Option<String>)> = Vec::new();
        let mut bare: Vec<(String, TokenStream)> = Vec::new();
        for item in list {
            let (path, meta) = match item {
                NestedMeta::Meta(meta) => (meta.path(), Ok(meta)),
                NestedMeta::NameValueInvalidExpr(invalid) => (&invalid.path, Err(invalid)),
                NestedMeta::Lit(lit) => {
                    if let Lit::Str(text) = lit {
                        // `"slots = 32"`: an argument written in quotes.
                        if let Some(key) = quoted_argument(&text.value()) {
                            seen.push(key);
                            raw.reported.push(key);
                            errors.push(
                                Error::custom(format!(
                                    "write `{}` without the quotes",
                                    text.value().trim()
                                ))
                                .with_span(text),
                            );
                            continue;
                        }
                    }
                    // `"1024"`: the number the string holds is the value meant.
                    let value = match lit {
                        Lit::Str(text) if syn::parse_str::<syn::LitInt>(&text.value()).is_ok() => {
                            text.value().trim().to_owned()
                        }
                        _ => quote::quote!(#lit).to_string(),
                    };
                    bare.push((value, quote::quote!(#lit)));
                    continue;
                }
            };
            let Some(&key) = KEYS.iter().find(|key| path.is_ident(key)) else {
                match meta {
                    // A name alone is a value given without its key (`SIZE`, a
                    // const), as a bare literal is.
                    Ok(syn::Meta::Path(_)) => {
                        bare.push((
                            quote::quote!(#path).to_string().replace(' ', ""),
                            quote::quote!(#path),
                        ));
                    }
                    Ok(syn::Meta::NameValue(pair)) => {
                        let value = &pair.value;
                        unknown.push((path, Some(quote::quote!(#value).to_string())));
                    }
                    Ok(syn::Meta::List(_)) => unknown.push((path, None)),
                    Err(invalid) => unknown.push((path, Some(invalid.value.to_string()))),
                }
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
            let meta = match meta {
                Ok(meta) => meta,
                // `key =` and then no expression: nothing, or tokens that are none.
                Err(invalid) => {
                    raw.reported.push(key);
                    errors.push(not_a_value(key, invalid));
                    continue;
                }
            };
            if key == "crate" {
                raw.krate = errors.handle(
                    Path::from_meta(meta).map_err(|_| Error::custom(CRATE_PATH).with_span(meta)),
                );
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
        // Now that the keys given are known, an unknown one is taken for the key it
        // is spelt like, or else for a required key that is missing.
        for (path, value) in unknown {
            let error = raw.unknown_key(path, value.as_deref(), &seen);
            errors.push(error);
        }
        for (value, tokens) in bare {
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
            errors.push(Error::custom(message).with_span(&tokens));
        }
        raw
    }

    /// The error for the argument `path = value`, whose key is none of [`KEYS`]. It
    /// names the key meant: the one written in other letter case, or spelt close to
    /// it, or else the first required key that is missing, which then counts as
    /// reported.
    fn unknown_key(&mut self, path: &Path, value: Option<&str>, seen: &[&str]) -> Error {
        let name = quote::quote!(#path).to_string().replace(' ', "");
        let spelt_like = KEYS
            .into_iter()
            .find(|key| key.eq_ignore_ascii_case(&name))
            .or_else(|| {
                let text = Error::unknown_field_path_with_alts(path, &KEYS).to_string();
                KEYS.into_iter()
                    .find(|key| text.contains(&format!("Did you mean `{key}`?")))
            });
        let missing = || {
            ["size", "slots"]
                .into_iter()
                .find(|key| !seen.contains(key) && !self.reported.contains(key))
        };
        let fix = |key: &str| format!("`{key} = {}`", value.unwrap_or("…"));
        let message = match spelt_like {
            Some(key) => format!("unknown argument `{name}`: did you mean {}?", fix(key)),
            None => match missing() {
                Some(key) => format!(
                    "unknown argument `{name}`, and `{key}` is missing: if this is it, \
                     write {}",
                    fix(key)
                ),
                None => format!(
                    "unknown argument `{name}`: the arguments are `size`, `slots`, \
                     `align`, `budget` and `crate`"
                ),
            },
        };
        if let Some(key) = spelt_like.or_else(missing)
            && matches!(key, "size" | "slots")
        {
            self.reported.push(key);
        }
        Error::custom(message).with_span(path)
    }
}

/// What `crate = …` takes.
const CRATE_PATH: &str = "`crate` takes the path of tinyalloc, e.g. `crate = ::my_tinyalloc`";

/// The error for `key =` followed by no expression: nothing (`align = ,`), a second
/// `=` (`size == 1024`), or tokens that are not one (`budget = 100 +`).
fn not_a_value(key: &str, invalid: &MetaNameValueInvalidExpr) -> Error {
    let value = invalid.value.to_string();
    let message = if key == "crate" {
        CRATE_PATH.to_owned()
    } else if value.is_empty() {
        format!("`{key}` takes a value: write `{key} = {}`", example(key))
    } else if let Some(rest) = value.strip_prefix('=') {
        format!("one `=`: write `{key} = {}`", rest.trim())
    } else {
        format!(
            "`{value}` is not a value: write a number or a const expression, e.g. \
             `{key} = {}`",
            example(key)
        )
    };
    // The value where there is one (its first token on stable), else the key.
    match invalid.value.clone().into_iter().next() {
        Some(first) => Error::custom(message).with_span(&first),
        None => Error::custom(message).with_span(&invalid.path),
    }
}

/// The suffixes of Rust's integer literals.
const INTEGER_TYPES: [&str; 12] = [
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
];

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
        Lit::Int(int) if INTEGER_TYPES.contains(&int.suffix()) => Err(Error::custom(format!(
            "`{key}` is a `usize`: write `{key} = {}` without the `{}` suffix",
            int.base10_digits(),
            int.suffix()
        ))
        .with_span(lit)),
        // Any other suffix reaches a proc macro too (`8K`): not a number Rust reads,
        // and dropping it would suggest a value 1,024 times too small.
        Lit::Int(int) => {
            let (digits, suffix) = (int.base10_digits(), int.suffix());
            let fix = match suffix.to_ascii_lowercase().as_str() {
                "k" | "kb" | "ki" | "kib" => format!("`{key} = {digits} * 1024`"),
                "m" | "mb" | "mi" | "mib" => format!("`{key} = {digits} * 1024 * 1024`"),
                _ => format!("a number alone, e.g. `{key} = {example}`"),
            };
            Err(Error::custom(format!(
                "`{digits}{suffix}` is not a number Rust reads: write {fix}"
            ))
            .with_span(lit))
        }
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
        if let Some(error) = quoted_arguments(&tokens) {
            return Err(error);
        }
        let list = NestedMeta::parse_meta_list(tokens.clone())
            .map_err(|error| colons_for_equals(tokens).unwrap_or_else(|| error.into()))?;
        let mut errors = Error::accumulator();
        let raw = RawArgs::parse(&list, &mut errors);

        let mut reported = raw.reported;
        if raw.size.is_none()
            && raw.slots.is_none()
            && !reported.contains(&"size")
            && !reported.contains(&"slots")
        {
            // Nothing given (`#[tinyalloc::pool]`): one error, not one per key.
            errors.push(Error::custom(
                "`#[tinyalloc::pool]` needs `size`, the bytes of all blocks together, and \
                 `slots`, how many blocks: e.g. `#[tinyalloc::pool(size = 1024, slots = 32)]`",
            ));
            reported.extend(["size", "slots"]);
        }
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

/// The arguments written in a string, `("size = 1024, slots = 32")` (or
/// `#[tinyalloc::pool = "…"]`, which rustc refuses and then hands over as the string):
/// one error naming the attribute without the quotes, instead of one for a value
/// without its key and another for each key then missing.
fn quoted_arguments(tokens: &TokenStream) -> Option<Error> {
    let mut tokens = tokens.clone().into_iter();
    let (Some(TokenTree::Literal(literal)), None) = (tokens.next(), tokens.next()) else {
        return None;
    };
    let Ok(Lit::Str(text)) = syn::parse2::<Lit>(TokenTree::Literal(literal).into()) else {
        return None;
    };
    let keys = quoted_keys(&text.value())?;
    let written = text.value();
    let missing: Vec<String> = ["size", "slots"]
        .into_iter()
        .filter(|key| !keys.contains(key))
        .map(|key| format!("`{key} = {}`", example(key)))
        .collect();
    let missing = match missing.as_slice() {
        [] => String::new(),
        [key] => format!(", and add {key}"),
        [size, slots] => format!(", and add {size} and {slots}"),
        _ => String::new(),
    };
    Some(
        Error::custom(format!(
            "write the arguments without quotes: `#[tinyalloc::pool({})]`{missing}",
            written.trim()
        ))
        .with_span(&text),
    )
}

/// The known key of `text` if it is one argument, `key = value` (a string written
/// where the argument belongs).
fn quoted_argument(text: &str) -> Option<&'static str> {
    match quoted_keys(text)?.as_slice() {
        [key] => Some(*key),
        _ => None,
    }
}

/// The keys of `text` if it is arguments, `key = value, …`, each with a known key.
fn quoted_keys(text: &str) -> Option<Vec<&'static str>> {
    let inner: TokenStream = text.parse().ok()?;
    let list = NestedMeta::parse_meta_list(inner).ok()?;
    let keys: Vec<&'static str> = list
        .iter()
        .map_while(|meta| match meta {
            NestedMeta::Meta(syn::Meta::NameValue(pair)) => {
                KEYS.into_iter().find(|key| pair.path.is_ident(key))
            }
            _ => None,
        })
        .collect();
    (!keys.is_empty() && keys.len() == list.len()).then_some(keys)
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
