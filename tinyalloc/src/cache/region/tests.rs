extern crate std;

use core::alloc::Layout;
use core::ptr::NonNull;
use std::vec::Vec;

use super::SlabRegion;
use crate::cache::locks::{CriticalSectionLock, SpinLock};
use crate::cache::{SlabCache, SlabError, SlabProvider};

#[repr(C, align(64))]
struct Slab64([u8; 64]);

fn slab_layout() -> Layout {
    Layout::from_size_align(64, 64).unwrap()
}

/// The slab indices of `blocks` in `region`.
fn indices<S, const N: usize>(region: &SlabRegion<S, N>, blocks: &[NonNull<u8>]) -> Vec<usize> {
    let base = region.slabs.get() as usize;
    blocks
        .iter()
        .map(|b| (b.as_ptr() as usize - base) / SlabRegion::<S, N>::SLAB_SIZE)
        .collect()
}

#[test]
fn lends_each_slab_once_aligned_to_its_size_then_none() {
    let region = SlabRegion::<Slab64, 4>::new();
    assert_eq!(
        (region.capacity(), region.slab_size(), region.lent()),
        (4, 64, 0)
    );
    let blocks: Vec<_> = (0..4)
        .map(|_| region.alloc(slab_layout()).unwrap())
        .collect();
    assert_eq!(indices(&region, &blocks), [0, 1, 2, 3]);
    assert!(
        blocks
            .iter()
            .all(|b| (b.as_ptr() as usize).is_multiple_of(64))
    );
    // Each slab is whole and the borrower's: fill them all, then check each.
    for (i, b) in blocks.iter().enumerate() {
        // SAFETY: a lent slab of 64 bytes.
        unsafe { b.as_ptr().write_bytes(i as u8, 64) };
    }
    for (i, b) in blocks.iter().enumerate() {
        // SAFETY: as above.
        let bytes = unsafe { core::slice::from_raw_parts(b.as_ptr(), 64) };
        assert!(bytes.iter().all(|&x| x == i as u8));
    }
    assert_eq!(region.alloc(slab_layout()), None);
    assert_eq!(region.lent(), 4);
    for b in blocks {
        // SAFETY: lent by this region, not used again.
        unsafe { region.free(b, slab_layout()) }.unwrap();
    }
    assert_eq!(region.lent(), 0);
}

#[test]
fn slabs_given_back_are_lent_again_last_first() {
    let region = SlabRegion::<Slab64, 4>::new();
    let blocks: Vec<_> = (0..3)
        .map(|_| region.alloc(slab_layout()).unwrap())
        .collect();
    for b in [blocks[0], blocks[2]] {
        // SAFETY: lent by this region, not used again until lent again.
        unsafe { region.free(b, slab_layout()) }.unwrap();
    }
    let again: Vec<_> = (0..3)
        .map(|_| region.alloc(slab_layout()).unwrap())
        .collect();
    // The two given back, last first, then the one never lent.
    assert_eq!(indices(&region, &again), [2, 0, 3]);
    assert_eq!(region.lent(), 4);
}

#[test]
fn layouts_larger_or_more_aligned_than_a_slab_get_none_and_change_nothing() {
    let region = SlabRegion::<Slab64, 2>::new();
    assert_eq!(region.alloc(Layout::from_size_align(65, 8).unwrap()), None);
    assert_eq!(
        region.alloc(Layout::from_size_align(64, 128).unwrap()),
        None
    );
    assert_eq!(region.lent(), 0);
    // Smaller and less aligned requests get a whole slab.
    let small = region
        .alloc(Layout::from_size_align(1, 1).unwrap())
        .unwrap();
    assert_eq!(indices(&region, &[small]), [0]);
}

#[test]
fn free_refuses_what_is_not_a_lent_slab_and_changes_nothing() {
    let region = SlabRegion::<Slab64, 4>::new();
    let other = SlabRegion::<Slab64, 4>::new();
    let a = region.alloc(slab_layout()).unwrap();
    let b = region.alloc(slab_layout()).unwrap();
    let foreign = other.alloc(slab_layout()).unwrap();
    let inside = NonNull::new(a.as_ptr().wrapping_add(8)).unwrap();
    // Slab 3 lies in the region but was never lent.
    let never_lent = NonNull::new(a.as_ptr().wrapping_add(3 * 64)).unwrap();
    let below = NonNull::new(a.as_ptr().wrapping_sub(64)).unwrap();
    for ptr in [foreign, inside, never_lent, below] {
        // SAFETY: none of these is a lent slab of `region`, which the call checks.
        let answer = unsafe { region.free(ptr, slab_layout()) };
        assert_eq!(answer, Err(SlabError::InvalidPointer));
    }
    assert_eq!(region.lent(), 2);
    // The next slab lent is still the first never lent, and `a`, `b` are untouched.
    let c = region.alloc(slab_layout()).unwrap();
    assert_eq!(indices(&region, &[a, b, c]), [0, 1, 2]);
}

#[test]
fn a_link_overwritten_after_free_ends_the_list_instead_of_lending_other_memory() {
    let region = SlabRegion::<Slab64, 4>::new();
    let a = region.alloc(slab_layout()).unwrap();
    let b = region.alloc(slab_layout()).unwrap();
    for slab in [a, b] {
        // SAFETY: lent by this region.
        unsafe { region.free(slab, slab_layout()) }.unwrap();
    }
    // A stray write through a stale pointer to `b`, as a bug in the program would make
    // (the memory is the region's, so the test may write it).
    // SAFETY: `b` is a slab of the region, which lives on.
    unsafe { b.as_ptr().cast::<usize>().write(usize::MAX / 2) };
    let again = region.alloc(slab_layout()).unwrap();
    assert_eq!(again, b);
    // The damaged link named no slab: `a` is lost, and the region goes on with the
    // slabs never lent.
    let next = region.alloc(slab_layout()).unwrap();
    assert_eq!(indices(&region, &[next]), [2]);
}

#[test]
fn a_static_region_costs_its_slabs_and_three_words() {
    let words = 3 * core::mem::size_of::<usize>();
    assert!(core::mem::size_of::<SlabRegion<Slab64, 4>>() <= 4 * 64 + 64);
    assert!(core::mem::size_of::<SlabRegion<Slab64, 4>>() >= 4 * 64 + words);
    assert_eq!(core::mem::align_of::<SlabRegion<Slab64, 4>>(), 64);
    let region = SlabRegion::<Slab64, 4>::new();
    assert_eq!(
        std::format!("{region:?}"),
        "SlabRegion { slab_size: 64, capacity: 4, lent: 0 }"
    );
}

crate::slab_region! {
    /// Three slabs of 512 bytes for the cache tests.
    TestRam, slabs = 3, slab_size = 512
}

crate::slab_region!(ThreadRam, slabs = 8, slab_size = 256,);

#[test]
fn a_cache_over_a_declared_region_grows_to_its_end_and_gives_slabs_back() {
    {
        let cache = SlabCache::<u64, SpinLock, 512, TestRam>::new().unwrap();
        let mut boxes = Vec::new();
        let failure = loop {
            match cache.alloc(boxes.len() as u64) {
                Ok(b) => boxes.push(b),
                Err(rejected) => break rejected.error(),
            }
        };
        assert_eq!(failure, SlabError::OutOfMemory);
        assert_eq!(TestRam::region().lent(), 3);
        assert_eq!(cache.stats().slabs, 3);
        for (i, b) in boxes.iter().enumerate() {
            assert_eq!(**b, i as u64);
        }
        drop(boxes);
        assert!(cache.trim().is_ok());
    }
    // The cache's last slab went back with it.
    assert_eq!(TestRam::region().lent(), 0);
    // A provider can also be called directly, as any `SlabProvider`.
    let layout = Layout::from_size_align(512, 512).unwrap();
    // SAFETY: a non-zero size.
    let slab = unsafe { <TestRam as SlabProvider>::alloc(layout) }.unwrap();
    // SAFETY: lent just now, not used again.
    unsafe { <TestRam as SlabProvider>::free(slab, layout) }.unwrap();
}

#[test]
fn threads_share_a_cache_over_a_declared_region() {
    static SHARED: SlabCache<[u32; 4], CriticalSectionLock, 256, ThreadRam> = SlabCache::lazy();
    let rounds = if cfg!(miri) { 20 } else { 2_000 };
    std::thread::scope(|s| {
        for t in 0..4u32 {
            s.spawn(move || {
                for i in 0..rounds {
                    let mut held = Vec::new();
                    for k in 0..3 {
                        if let Ok(b) = SHARED.alloc([t, i, k, t ^ i]) {
                            held.push((k, b));
                        }
                    }
                    for (k, b) in &held {
                        assert_eq!(**b, [t, i, *k, t ^ i]);
                    }
                }
            });
        }
    });
    assert!(ThreadRam::region().lent() <= 8);
    assert_eq!(SHARED.stats().in_use, 0);
}

#[test]
fn random_lending_matches_a_plain_model() {
    let region = SlabRegion::<Slab64, 8>::new();
    let base = region.slabs.get() as usize;
    let mut rng = crate::heap::tests::Rng::new(5);
    // The model: which slabs are lent, each with the byte its borrower wrote.
    let mut lent: Vec<(NonNull<u8>, u8)> = Vec::new();
    let steps = if cfg!(miri) { 300 } else { 20_000 };
    for step in 0..steps {
        if rng.below(2) == 0 {
            match region.alloc(slab_layout()) {
                Some(slab) => {
                    assert!(lent.len() < 8, "step {step}: lent a ninth slab");
                    let offset = slab.as_ptr() as usize - base;
                    assert!(offset.is_multiple_of(64) && offset < 8 * 64, "step {step}");
                    assert!(lent.iter().all(|&(other, _)| other != slab), "lent twice");
                    let mark = step as u8;
                    // SAFETY: a slab of 64 bytes, lent to this test.
                    unsafe { slab.as_ptr().write_bytes(mark, 64) };
                    lent.push((slab, mark));
                }
                None => assert_eq!(lent.len(), 8, "step {step}: None with slabs free"),
            }
        } else if !lent.is_empty() {
            let (slab, mark) = lent.swap_remove(rng.below(lent.len()));
            // SAFETY: lent to this test, which wrote all 64 bytes.
            let bytes = unsafe { core::slice::from_raw_parts(slab.as_ptr(), 64) };
            assert!(
                bytes.iter().all(|&b| b == mark),
                "step {step}: a slab changed"
            );
            // SAFETY: lent by this region, not used again.
            unsafe { region.free(slab, slab_layout()) }.unwrap();
        }
        assert_eq!(region.lent(), lent.len());
    }
}
