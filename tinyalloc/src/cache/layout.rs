//! Where the slots of a slab go, and the compile-time checks on a cache's parameters.
//!
//! A slot is `T` rounded up to hold the free-list link (a pointer) and aligned to both.
//! The first slot sits after the slab's header; the master slab's header is larger (it
//! holds the lock and the cache's state), so the master has a few slots fewer.

use core::alloc::Layout;
use core::mem::{align_of, size_of};

pub(crate) use crate::const_msg::Message;

/// The largest lock a cache accepts, in bytes: it sits in every cache value and in the
/// master slab's header.
pub const MAX_LOCK_SIZE: usize = 16;

/// The largest slab: a slab's header keeps its slot size, the offset of its first
/// slot and its slot count as `u32`.
const MAX_SLAB_SIZE: u64 = 1 << 32;

/// A free slot holds the address of the next free slot.
const LINK_SIZE: usize = size_of::<*mut u8>();
const LINK_ALIGN: usize = align_of::<*mut u8>();

/// The arithmetic of one cache configuration, all of it known at compile time.
#[derive(Clone, Copy)]
pub(crate) struct Geometry {
    /// Bytes per slot: `T` rounded up to hold the link, a multiple of `slot_align`.
    pub slot_size: usize,
    /// Offset of the first slot in a slave slab.
    pub slave_first: usize,
    /// Offset of the first slot in the master slab.
    pub master_first: usize,
    /// Slots in a slave slab.
    pub slave_slots: usize,
    /// Slots in the master slab.
    pub master_slots: usize,
}

const fn round_up(value: usize, align: usize) -> usize {
    (value + align - 1) & !(align - 1)
}

impl Geometry {
    /// The geometry of a cache of objects of `size` and `align` bytes in slabs of
    /// `slab_size` bytes whose headers take `slave_header` and `master_header` bytes.
    /// Only meaningful once [`check`] passed.
    pub(crate) const fn new(
        size: usize,
        align: usize,
        slab_size: usize,
        slave_header: usize,
        master_header: usize,
    ) -> Geometry {
        let slot_align = if align > LINK_ALIGN {
            align
        } else {
            LINK_ALIGN
        };
        let raw = if size > LINK_SIZE { size } else { LINK_SIZE };
        let slot_size = round_up(raw, slot_align);
        let slave_first = round_up(slave_header, slot_align);
        let master_first = round_up(master_header, slot_align);
        Geometry {
            slot_size,
            slave_first,
            master_first,
            slave_slots: slab_size.saturating_sub(slave_first) / slot_size,
            master_slots: slab_size.saturating_sub(master_first) / slot_size,
        }
    }

    /// The layout every slab is asked for: `slab_size` bytes aligned to `slab_size`.
    pub(crate) const fn slab_layout(slab_size: usize) -> Layout {
        match Layout::from_size_align(slab_size, slab_size) {
            Ok(layout) => layout,
            // Unreachable in a program that builds: the configuration check refuses
            // such a size first, with a better message than a second error here.
            Err(_) => Layout::new::<u8>(),
        }
    }
}

/// Checks a cache configuration: `None` when it works, else a message that names
/// the fix, with numbers.
pub(crate) const fn check(
    size: usize,
    align: usize,
    slab_size: usize,
    lock_size: usize,
    slave_header: usize,
    master_header: usize,
) -> Option<Message> {
    // The smallest slab that holds the master's header and two slots of `T`, or
    // `None` when no slab can.
    let smallest = smallest_slab(size, align, slave_header, master_header);
    if !slab_size.is_power_of_two() {
        let below = if slab_size < 2 {
            0
        } else {
            1usize << (usize::BITS - 1 - slab_size.leading_zeros())
        };
        let above = match slab_size.checked_next_power_of_two() {
            Some(above) if above >= 2 => above,
            Some(_) => 2,
            None => 0,
        };
        let message = Message::new()
            .text("tinyalloc: SLAB_SIZE is ")
            .num(slab_size)
            .text(", not a power of two (a slab is aligned to its size, so a box finds its slab by masking its address); ");
        let Some(smallest) = smallest else {
            return Some(message.text(
                "and no slab holds two of T (4294967296 bytes at most): box a smaller T, e.g. a reference to it",
            ));
        };
        // Only sizes that also hold two of `T`: following the advice must not lead to
        // the next error.
        let above = if above > smallest { above } else { smallest };
        // A neighbour past the largest slab is no advice either (`smallest` is not).
        let above_fits = above as u64 <= MAX_SLAB_SIZE;
        let message = message.text("use ");
        let message = match (below >= smallest, above_fits) {
            (true, true) => message.num(below).text(" or ").num(above),
            (true, false) => message.num(below),
            (false, _) => message.num(above),
        };
        return Some(message);
    }
    if lock_size > MAX_LOCK_SIZE {
        return Some(Message::new()
            .text("tinyalloc: the lock takes ")
            .num(lock_size)
            .text(" bytes, more than the 16 a cache allows (it sits in the cache and in the master slab's header); keep the lock's state to 16 bytes, e.g. one atomic word"));
    }
    if slab_size as u64 > MAX_SLAB_SIZE {
        return Some(
            Message::new()
                .text("tinyalloc: SLAB_SIZE is ")
                .num(slab_size)
                .text(", larger than a slab can be (its slots, offsets and counts are 32-bit); use 4294967296 or less"),
        );
    }
    let geometry = Geometry::new(size, align, slab_size, slave_header, master_header);
    let fits = match smallest {
        Some(smallest) => slab_size >= smallest,
        None => false,
    };
    if !fits {
        let message = Message::new()
            .text("tinyalloc: a slab of ")
            .num(slab_size)
            .text(" bytes cannot hold its ")
            .num(geometry.master_first)
            .text("-byte header");
        // A header padded to `T`'s alignment: say why it is that large.
        let message = if geometry.master_first > master_header {
            message
                .text(" (padded to T's alignment of ")
                .num(align)
                .text(")")
        } else {
            message
        };
        let message = message
            .text(" and two ")
            .num(geometry.slot_size)
            .text("-byte slots of T; ");
        return Some(match smallest {
            Some(fits) => message
                .text("use SLAB_SIZE = ")
                .num(fits)
                .text(" or more, or box a smaller T"),
            None => message.text(
                "no slab can (4294967296 bytes at most): box a smaller T, e.g. a reference to it",
            ),
        });
    }
    // A slab of at most 2^32 bytes that holds its header and two slots has a slot
    // size, a first offset and a slot count that all fit in the header's `u32`s.
    None
}

/// The smallest slab (a power of two) that holds the master's header and two slots
/// of objects of `size` and `align` bytes, aligned as they need; `None` when no slab
/// can (4 GiB at most).
const fn smallest_slab(
    size: usize,
    align: usize,
    slave_header: usize,
    master_header: usize,
) -> Option<usize> {
    let geometry = Geometry::new(size, align, 0, slave_header, master_header);
    let needed = geometry
        .master_first
        .saturating_add(geometry.slot_size.saturating_mul(2));
    let needed = if align > needed { align } else { needed };
    match needed.checked_next_power_of_two() {
        Some(fits) if fits as u64 <= MAX_SLAB_SIZE => Some(fits),
        _ => None,
    }
}

/// Checks the cache's `SLAB_SIZE` against the one size its provider lends, if it
/// lends one size only (`lent`): `None` when they agree or the provider takes any.
pub(crate) const fn check_provider(lent: Option<usize>, slab_size: usize) -> Option<Message> {
    match lent {
        Some(lent) if lent != slab_size => Some(
            Message::new()
                .text("tinyalloc: the provider lends slabs of ")
                .num(lent)
                .text(" bytes, and this cache's SLAB_SIZE is ")
                .num(slab_size)
                .text(if lent < slab_size {
                    " (every slab would be refused)"
                } else {
                    " (each slab would serve only SLAB_SIZE bytes)"
                })
                .text("; make them equal: slab_size = ")
                .num(slab_size)
                .text(" in slab_region!, or SLAB_SIZE = ")
                .num(lent),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::format;

    fn error(size: usize, align: usize, slab: usize, lock: usize) -> Option<Message> {
        check(size, align, slab, lock, 64, 160)
    }

    #[test]
    fn a_provider_of_another_slab_size_is_refused_with_both_fixes() {
        assert!(check_provider(None, 1024).is_none());
        assert!(check_provider(Some(1024), 1024).is_none());
        assert_eq!(
            check_provider(Some(512), 1024).unwrap().as_str(),
            "tinyalloc: the provider lends slabs of 512 bytes, and this cache's SLAB_SIZE is 1024 (every slab would be refused); make them equal: slab_size = 1024 in slab_region!, or SLAB_SIZE = 512"
        );
        assert!(
            check_provider(Some(4096), 1024)
                .unwrap()
                .as_str()
                .contains("(each slab would serve only SLAB_SIZE bytes)")
        );
    }

    #[test]
    fn a_slab_size_that_is_no_power_of_two_names_its_neighbours() {
        let message = error(16, 8, 3000, 1).unwrap();
        assert_eq!(
            message.as_str(),
            "tinyalloc: SLAB_SIZE is 3000, not a power of two (a slab is aligned to its size, so a box finds its slab by masking its address); use 2048 or 4096"
        );
        // Only neighbours that hold the header (160 bytes here) and two slots: the
        // advice must not lead to the next error.
        assert!(error(16, 8, 0, 1).unwrap().as_str().ends_with("use 256"));
        assert!(error(16, 8, 3, 1).unwrap().as_str().ends_with("use 256"));
        assert!(
            error(16, 8, 300, 1)
                .unwrap()
                .as_str()
                .ends_with("use 256 or 512")
        );
        assert!(
            error(1000, 8, 3000, 1)
                .unwrap()
                .as_str()
                .ends_with("use 4096")
        );
        assert!(
            error(4000, 8, 3000, 1)
                .unwrap()
                .as_str()
                .ends_with("use 8192")
        );
        #[cfg(target_pointer_width = "64")]
        let slabs = [0, 3, 300, 3000, 5000, 5_000_000_000];
        #[cfg(not(target_pointer_width = "64"))]
        let slabs = [0, 3, 300, 3000, 5000];
        for slab in slabs {
            for (size, align) in [(16, 8), (1000, 8), (64, 4096), (4000, 8)] {
                let message = error(size, align, slab, 1).unwrap();
                let advice = message.as_str().rsplit("use ").next().unwrap();
                for suggested in advice.split(" or ") {
                    let suggested: usize = suggested.parse().unwrap();
                    assert!(
                        error(size, align, suggested, 1).is_none(),
                        "{size}-byte T aligned to {align}: {suggested} was suggested for {slab}"
                    );
                }
            }
        }
        // Above the largest slab, only the neighbour below is advice.
        #[cfg(target_pointer_width = "64")]
        assert_eq!(
            error(4, 4, 5_000_000_000, 1)
                .unwrap()
                .as_str()
                .rsplit("; ")
                .next(),
            Some("use 4294967296")
        );
        #[cfg(target_pointer_width = "64")]
        assert!(
            error(1 << 32, 8, 3000, 1)
                .unwrap()
                .as_str()
                .ends_with("no slab holds two of T (4294967296 bytes at most): box a smaller T, e.g. a reference to it")
        );
    }

    #[test]
    fn an_over_aligned_header_says_why_it_is_that_large() {
        let message = error(64, 4096, 4096, 1).unwrap();
        assert_eq!(
            message.as_str(),
            "tinyalloc: a slab of 4096 bytes cannot hold its 4096-byte header (padded to T's alignment of 4096) and two 4096-byte slots of T; use SLAB_SIZE = 16384 or more, or box a smaller T"
        );
    }

    #[test]
    fn a_slab_too_small_for_two_slots_names_a_size_that_fits() {
        let message = error(100, 4, 256, 1).unwrap();
        // A free slot holds a link, so a slot is aligned for a pointer: 104 bytes on
        // a 64-bit target, 100 on a 32-bit one.
        let slot = 100usize.next_multiple_of(core::mem::align_of::<usize>());
        assert_eq!(
            message.as_str(),
            format!(
                "tinyalloc: a slab of 256 bytes cannot hold its 160-byte header and two {slot}-byte slots of T; use SLAB_SIZE = 512 or more, or box a smaller T"
            )
        );
        assert!(error(100, 4, 512, 1).is_none());
    }

    #[test]
    fn locks_over_sixteen_bytes_are_refused() {
        assert!(error(16, 8, 4096, 16).is_none());
        assert!(
            error(16, 8, 4096, 17)
                .unwrap()
                .as_str()
                .contains("17 bytes")
        );
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn slabs_and_objects_past_what_32_bit_offsets_reach_are_refused() {
        let four_gib = 1usize << 32;
        // The largest slab, with the largest objects two of which fit in it.
        let largest = ((four_gib - 160) / 2) & !7;
        assert!(error(largest, 8, four_gib, 1).is_none());
        let geometry = Geometry::new(largest, 8, four_gib, 64, 160);
        assert!(geometry.slot_size <= u32::MAX as usize);
        assert_eq!(geometry.master_slots, 2);

        assert_eq!(
            error(four_gib, 1, 4 * four_gib, 1).unwrap().as_str(),
            "tinyalloc: SLAB_SIZE is 17179869184, larger than a slab can be (its slots, offsets and counts are 32-bit); use 4294967296 or less"
        );
        assert_eq!(
            error(largest + 8, 8, four_gib, 1).unwrap().as_str(),
            "tinyalloc: a slab of 4294967296 bytes cannot hold its 160-byte header and two 2147483576-byte slots of T; no slab can (4294967296 bytes at most): box a smaller T, e.g. a reference to it"
        );
        // Objects near the largest size Rust allows overflow nothing.
        let huge = isize::MAX as usize - 7;
        assert!(
            error(huge, 8, four_gib, 1)
                .unwrap()
                .as_str()
                .ends_with("a reference to it")
        );
        assert!(
            error(huge, 8, 1024, 1)
                .unwrap()
                .as_str()
                .ends_with("a reference to it")
        );
    }

    #[test]
    fn tiny_and_zero_sized_objects_get_slots_that_hold_the_link() {
        for (size, align) in [(0, 1), (1, 1), (2, 2), (3, 1)] {
            let geometry = Geometry::new(size, align, 1024, 64, 160);
            assert_eq!(geometry.slot_size, LINK_SIZE);
            assert_eq!(geometry.slave_first, 64);
            assert_eq!(geometry.slave_slots, (1024 - 64) / LINK_SIZE);
        }
        let wide = Geometry::new(24, 16, 1024, 60, 150);
        assert_eq!(
            (wide.slot_size, wide.slave_first, wide.master_first),
            (32, 64, 160)
        );
        assert_eq!((wide.slave_slots, wide.master_slots), (30, 27));
    }
}
