//! Sizes, layout and alignment: every configuration, the memory it takes, and where
//! its fields lie.

use super::*;

#[test]
fn every_configuration_of_the_seed_document_works() {
    exercise(&mut TinySlabAllocator::<1024, 32>::new());
    exercise(&mut TinySlabAllocator::<512, 16>::new());
    exercise(&mut TinySlabAllocator::<256, 4>::new());
    exercise(&mut TinySlabAllocator::<1024, 8>::new());
    let mut sixteen = TinySlabAllocator::<1024, 64>::new();
    assert_eq!(sixteen.block_size(), 16);
    exercise(&mut sixteen);
}

/// The module docs' bound: at most `SIZE + 4 × SLOTS + 16` bytes, rounded up to the
/// alignment.
fn within_the_documented_size<const SIZE: usize, const SLOTS: usize, A: Alignment>() {
    use core::mem::{align_of, size_of};
    let align = align_of::<TinySlabAllocator<SIZE, SLOTS, A>>();
    assert!(align >= A::ALIGN);
    let bound = (SIZE + 4 * SLOTS + 16).next_multiple_of(align);
    let size = size_of::<TinySlabAllocator<SIZE, SLOTS, A>>();
    assert!(
        size <= bound,
        "{SIZE}, {SLOTS}, align {align}: {size} > {bound}"
    );
}

#[test]
fn metadata_is_at_most_four_bytes_a_slot() {
    within_the_documented_size::<1024, 32, crate::align::Align8>();
    within_the_documented_size::<4096, 256, crate::align::Align8>();
    within_the_documented_size::<64, 32, Align2>();
    within_the_documented_size::<2, 1, Align1>();
    within_the_documented_size::<{ 4096 * 2 }, 2, Align4096>();
    within_the_documented_size::<{ 65_535 * 2 }, 65_535, Align2>();
}

/// The order the struct's comment explains: the busy counters, `failed_allocs`, the
/// slots from byte 12, `rejected_handles`, the blocks; with `4 × SLOTS` a multiple of
/// 4 KiB the last slot lands on `failed_allocs` and block 1 right after slot 1, not
/// on them, modulo 4 KiB.
fn laid_out_away_from_4k_aliasing<const SIZE: usize, const SLOTS: usize, A: Alignment>() {
    use core::mem::offset_of;
    type T<const SIZE: usize, const SLOTS: usize, A> = TinySlabAllocator<SIZE, SLOTS, A>;
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, free_head), 0);
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, fresh), 2);
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, in_use), 4);
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, failed_allocs), 8);
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, slots), 12);
    assert_eq!(
        offset_of!(T<SIZE, SLOTS, A>, rejected_handles),
        12 + 4 * SLOTS
    );
    let blocks = offset_of!(T<SIZE, SLOTS, A>, storage);
    assert_eq!(blocks, (16 + 4 * SLOTS).next_multiple_of(A::ALIGN));
    if (4 * SLOTS).is_multiple_of(4096) && A::ALIGN <= 16 {
        let last_slot = 12 + 4 * (SLOTS - 1);
        assert_eq!(last_slot % 4096, 8, "the last slot on `failed_allocs`");
        assert_eq!(blocks % 4096, 16, "block 1 right after slot 1");
    }
}

#[test]
fn the_layout_keeps_busy_fields_apart_modulo_4k() {
    laid_out_away_from_4k_aliasing::<{ 64 * 32 }, 32, crate::align::Align8>();
    laid_out_away_from_4k_aliasing::<{ 64 * 256 }, 256, crate::align::Align8>();
    laid_out_away_from_4k_aliasing::<{ 64 * 4096 }, 4096, crate::align::Align8>();
    laid_out_away_from_4k_aliasing::<{ 32 * 1024 }, 1024, crate::align::Align8>();
    laid_out_away_from_4k_aliasing::<{ 64 * 16 }, 16, Align64>();
    laid_out_away_from_4k_aliasing::<2, 1, Align1>();
}

#[test]
fn alignment_is_honoured_for_every_block() {
    exercise(&mut TinySlabAllocator::<{ 64 * 8 }, 8, Align64>::new());
    exercise(&mut Box::new(
        TinySlabAllocator::<{ 4096 * 2 }, 2, Align4096>::new(),
    ));
    // Odd 3-byte blocks: the free-list link sits unaligned, which Miri checks.
    exercise(&mut TinySlabAllocator::<21, 7, Align1>::new());
}

#[test]
#[cfg_attr(miri, ignore)] // 65,535 allocations; the small pools cover the same code
fn the_largest_pool_indexes_65535_slots() {
    let mut alloc = Box::new(TinySlabAllocator::<{ 65_535 * 2 }, 65_535, Align2>::new());
    let handles: Vec<_> = (0..65_535).map(|_| alloc.alloc(b"").unwrap()).collect();
    assert_eq!(handles.last().unwrap().index(), 65_534);
    assert_eq!(alloc.alloc(b""), Err(AllocError::OutOfMemory));
    assert!(alloc.free(handles[65_534]));
    assert_eq!(alloc.alloc(b"").unwrap().index(), 65_534);
    assert_eq!(alloc.stats().high_water, 65_535);
}
