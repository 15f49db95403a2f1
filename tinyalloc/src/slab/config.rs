//! The check of a pool configuration, and the compile error that names the fix.

use super::{MAX_BLOCK_SIZE, MAX_SLOTS, MIN_BLOCK_SIZE};
use crate::const_msg::Message;

/// What is wrong with a pool configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConfigError {
    ZeroSlots,
    ZeroSize,
    TooManySlots {
        slots: usize,
    },
    NotMultiple {
        size: usize,
        slots: usize,
        align: usize,
    },
    BlockTooSmall {
        slots: usize,
        align: usize,
    },
    BlockTooLarge {
        block: usize,
    },
    Misaligned {
        block: usize,
        align: usize,
    },
}

/// Checks a pool configuration. `new()` runs this in a `const` block, so a bad
/// configuration is a compile error carrying [`ConfigError::message`].
pub(crate) const fn check_config(
    size: usize,
    slots: usize,
    align: usize,
) -> Result<(), ConfigError> {
    if slots == 0 {
        return Err(ConfigError::ZeroSlots);
    }
    if size == 0 {
        return Err(ConfigError::ZeroSize);
    }
    if slots > MAX_SLOTS {
        return Err(ConfigError::TooManySlots { slots });
    }
    if !size.is_multiple_of(slots) {
        return Err(ConfigError::NotMultiple { size, slots, align });
    }
    let block = size / slots;
    if block < MIN_BLOCK_SIZE {
        return Err(ConfigError::BlockTooSmall { slots, align });
    }
    if block > MAX_BLOCK_SIZE {
        return Err(ConfigError::BlockTooLarge { block });
    }
    if !block.is_multiple_of(align) {
        return Err(ConfigError::Misaligned { block, align });
    }
    Ok(())
}

impl ConfigError {
    /// What is wrong, with the numbers, and what to use instead.
    pub(crate) const fn message(self) -> Message {
        let m = Message::new().text("tinyalloc: ");
        match self {
            ConfigError::ZeroSlots => m.text("SLOTS is 0; a pool needs at least one slot"),
            ConfigError::ZeroSize => {
                m.text("SIZE is 0; SIZE is the bytes of all blocks together (SLOTS x block size)")
            }
            ConfigError::TooManySlots { slots } => m
                .text("SLOTS = ")
                .num(slots)
                .text(" is more than the ")
                .num(MAX_SLOTS)
                .text(" slots a Handle can index; use fewer, larger blocks or several pools"),
            ConfigError::NotMultiple { size, slots, align } => {
                let m = m
                    .text("SIZE = ")
                    .num(size)
                    .text(" is not a multiple of SLOTS = ")
                    .num(slots)
                    .text(", so the blocks cannot all be the same size; ");
                let m = if align > 1 {
                    m.text("blocks must also be a multiple of the ")
                        .num(align)
                        .text("-byte alignment, so ")
                } else {
                    m
                };
                let (below, above) = usable_blocks_around(size / slots, align);
                let m = size_of_blocks(m.text("use "), below, slots);
                let m = match (below, above) {
                    (Some(_), Some(_)) => m.text(" or "),
                    _ => m,
                };
                size_of_blocks(m, above, slots)
            }
            ConfigError::BlockTooSmall { slots, align } => {
                let least = least_block(align);
                m.text("blocks of SIZE / SLOTS bytes are below the ")
                    .num(MIN_BLOCK_SIZE)
                    .text("-byte minimum (a free block holds a 2-byte link); use SIZE = ")
                    .num(slots * least)
                    .text(" (")
                    .num(least)
                    .text("-byte blocks) or a larger multiple of ")
                    .num(slots * align)
                    .text(" for ")
                    .num(slots)
                    .text(" slots")
            }
            ConfigError::BlockTooLarge { block } => m
                .text("blocks of ")
                .num(block)
                .text(" bytes are above the ")
                .num(MAX_BLOCK_SIZE)
                .text("-byte maximum a slot can describe; use more slots or several pools"),
            ConfigError::Misaligned { block, align } => {
                let m = m
                    .text("blocks of ")
                    .num(block)
                    .text(" bytes are not a multiple of the ")
                    .num(align)
                    .text("-byte alignment, so some blocks would be misaligned; use ");
                let (below, above) = usable_blocks_around(block, align);
                let m = match below {
                    Some(below) => m.num(below).text("-byte "),
                    None => m,
                };
                let m = match (below, above) {
                    (Some(_), Some(_)) => m.text("or "),
                    _ => m,
                };
                let m = match above {
                    Some(above) => m.num(above).text("-byte "),
                    None => m,
                };
                // The largest power of two that divides the block size.
                let fits = block & block.wrapping_neg();
                m.text("blocks, or an alignment of at most ")
                    .num(fits)
                    .text(" (Align")
                    .num(fits)
                    .text(")")
            }
        }
    }
}

/// "SIZE = n (b-byte blocks)" for `block` bytes a slot, when there is a block size.
const fn size_of_blocks(m: Message, block: Option<usize>, slots: usize) -> Message {
    match block {
        Some(block) => m
            .text("SIZE = ")
            .num(block * slots)
            .text(" (")
            .num(block)
            .text("-byte blocks)"),
        None => m,
    }
}

/// The smallest block a slot can describe at alignment `align`.
const fn least_block(align: usize) -> usize {
    if align > MIN_BLOCK_SIZE {
        align
    } else {
        MIN_BLOCK_SIZE
    }
}

/// The block sizes nearest `block` that a slot can describe at alignment `align`
/// (a power of two): the largest not above `block` and the smallest above it, each
/// when there is one. At least one of the two always exists. What a compile error
/// suggests comes from here, so every suggestion passes the check itself.
const fn usable_blocks_around(block: usize, align: usize) -> (Option<usize>, Option<usize>) {
    let least = least_block(align);
    let most = MAX_BLOCK_SIZE / align * align;
    let down = block / align * align;
    let down = if down > most { most } else { down };
    let up = (block / align).saturating_add(1).saturating_mul(align);
    let up = if up < least { least } else { up };
    (
        if down >= least { Some(down) } else { None },
        if up <= most { Some(up) } else { None },
    )
}
