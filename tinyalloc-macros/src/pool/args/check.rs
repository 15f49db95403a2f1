//! The rules a pool configuration must follow, checked on the literals as written:
//! each error spanned on the argument to change, naming the value that would work.

use darling::Error;
use proc_macro2::Span;

use super::Value;
use crate::diagnostics::{power_of_two_neighbours, suggest, usable_blocks_around};

/// These mirror the runtime's limits (`tinyalloc::slab`); the runtime's const
/// assertions check the same numbers, so a drift shows up as a failing ui-test.
const MIN_BLOCK_SIZE: u128 = 2;
const MAX_BLOCK_SIZE: u128 = 65_534;
const MAX_SLOTS: u128 = 65_535;
const MAX_ALIGN: u128 = 4096;
const DEFAULT_ALIGN: u128 = 8;
/// Slot metadata the runtime keeps beside the blocks.
const SLOT_METADATA: u128 = 4;

/// Checks the literal values, each error spanned on the argument to change.
pub(super) fn check(
    size: Option<&Value>,
    slots: Option<&Value>,
    align: Option<&Value>,
    budget: Option<&Value>,
    errors: &mut darling::error::Accumulator,
) {
    let mut push = |span: Span, message: String| {
        errors.push(Error::custom(message).with_span(&span));
    };

    if let Some(size) = size
        && size.literal == Some(0)
    {
        push(
            size.span(),
            "`size` is 0; it is the bytes of all blocks together (slots x block size), \
             e.g. `size = 1024` for 32 blocks of 32 bytes"
                .into(),
        );
    }
    match slots.and_then(|slots| Some((slots.span(), slots.literal?))) {
        Some((span, 0)) => push(
            span,
            "`slots` is 0; a pool needs at least one block, e.g. `slots = 32`".into(),
        ),
        Some((span, n)) if n > MAX_SLOTS => push(
            span,
            format!(
                "`slots = {n}` is more than the {MAX_SLOTS} slots a handle can index; \
                 use fewer, larger blocks or several pools"
            ),
        ),
        _ => {}
    }

    let align_value = match align {
        Some(align) => align.literal,
        None => Some(DEFAULT_ALIGN),
    };
    if let (Some(align), Some(value)) = (align, align_value) {
        if value > MAX_ALIGN && value.is_power_of_two() {
            push(
                align.span(),
                format!(
                    "`align = {value}` is above {MAX_ALIGN}, the largest alignment a pool \
                     supports; use `align = {MAX_ALIGN}` or less"
                ),
            );
        } else if !value.is_power_of_two() {
            let (below, above) = power_of_two_neighbours(value, MAX_ALIGN);
            push(
                align.span(),
                format!(
                    "`align = {value}` is not a power of two; use {}",
                    suggest("align", &[below, above])
                ),
            );
        }
    }

    let (Some(size), Some(slots)) = (size, slots) else {
        return;
    };
    let (Some(size_n), Some(slots_n)) = (size.literal, slots.literal) else {
        return;
    };
    if size_n == 0 || slots_n == 0 || slots_n > MAX_SLOTS {
        return;
    }
    // Suggested sizes respect the alignment too (when it is valid), so each passes.
    let valid_align = align_value.filter(|a| a.is_power_of_two() && *a <= MAX_ALIGN);
    let step = valid_align.unwrap_or(1);
    let alignment = match (align, valid_align) {
        (Some(_), Some(a)) => format!("`align = {a}`"),
        (_, a) => format!(
            "the default alignment of {} bytes",
            a.unwrap_or(DEFAULT_ALIGN)
        ),
    };
    let around = |block: u128| usable_blocks_around(block, step, (MIN_BLOCK_SIZE, MAX_BLOCK_SIZE));
    let sizes = |(below, above): (Option<u128>, Option<u128>)| -> String {
        [below, above]
            .iter()
            .flatten()
            .map(|block| format!("`size = {}` ({block}-byte blocks)", block * slots_n))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    if size_n % slots_n != 0 {
        let also = if step > 1 {
            format!("blocks must also be a multiple of {alignment}, so ")
        } else {
            String::new()
        };
        push(
            size.span(),
            format!(
                "`size = {size_n}` is not a multiple of `slots = {slots_n}`, so the blocks \
                 cannot all be the same size; {also}use {}",
                sizes(around(size_n / slots_n))
            ),
        );
        return;
    }
    let block = size_n / slots_n;
    if block < MIN_BLOCK_SIZE {
        push(
            size.span(),
            format!(
                "`size = {size_n}` gives {block}-byte blocks, below the {MIN_BLOCK_SIZE}-byte \
                 minimum (a free block holds a 2-byte link); use {} or a larger multiple of {}",
                sizes((None, around(block).1)),
                slots_n * step
            ),
        );
    } else if block > MAX_BLOCK_SIZE {
        // More slots of the same memory, or the most memory these slots can have.
        let more_slots = more_slots_for(size_n, slots_n, step)
            .map(|slots| format!("`slots = {slots}` ({}-byte blocks), ", size_n / slots));
        push(
            size.span(),
            format!(
                "`size = {size_n}` gives {block}-byte blocks, above the {MAX_BLOCK_SIZE}-byte \
                 maximum a slot can describe; use {}{}, or several pools",
                more_slots.unwrap_or_default(),
                sizes(around(block))
            ),
        );
    } else if let Some(align_n) = valid_align
        && block % align_n != 0
    {
        let fits = 1u128 << block.trailing_zeros();
        let span = align.map_or(size.span(), Value::span);
        push(
            span,
            format!(
                "{block}-byte blocks (`size / slots`) are not a multiple of {alignment}, so \
                 some blocks would be misaligned; use `align = {fits}`, or {}",
                sizes(around(block))
            ),
        );
    }

    if let Some(budget_n) = budget.and_then(|b| b.literal) {
        let least = size_n + SLOT_METADATA * slots_n;
        if budget_n < least {
            push(
                budget.map_or(size.span(), Value::span),
                format!(
                    "`budget = {budget_n}` is smaller than the pool: its {size_n} bytes of \
                     blocks and {} bytes of slot metadata alone take {least}; raise `budget` \
                     or make the pool smaller",
                    SLOT_METADATA * slots_n
                ),
            );
        }
    }
}

/// The fewest slots above `slots` that split `size` into blocks a slot can describe,
/// each a multiple of `step`: the fix that keeps the memory as written.
pub(super) fn more_slots_for(size: u128, slots: u128, step: u128) -> Option<u128> {
    let least = size.div_ceil(MAX_BLOCK_SIZE).max(slots + 1);
    (least..=MAX_SLOTS).find(|&n| {
        let block = size / n;
        size.is_multiple_of(n) && block.is_multiple_of(step) && block >= MIN_BLOCK_SIZE
    })
}
