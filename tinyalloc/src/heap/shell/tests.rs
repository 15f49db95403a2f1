//! Re-entry: what every call answers when it runs inside one of the heap's own calls,
//! as from a non-maskable interrupt or a fault handler (the module docs' promise).
//! The test holds the heap's state as an interrupted call would, and calls in.

use core::alloc::Layout;
use core::mem::MaybeUninit;

use super::Shell;
use crate::cache::locks::CriticalSectionLock;
use crate::heap::bump_free_list::BumpFreeList;
use crate::heap::free_list::FreeList;
use crate::heap::segregated::Segregated;
use crate::heap::{HeapStats, InitError, VerifyError};

fn answers_reentry_without_touching_the_state<E: super::Engine + Send>() {
    let heap = Shell::<E, 4096, CriticalSectionLock>::new();
    let layout = Layout::from_size_align(64, 8).unwrap();
    let live = heap.alloc(layout);
    assert!(!live.is_null());
    let before = heap.stats();
    heap.hold(|| {
        assert!(heap.alloc(layout).is_null(), "alloc re-entered");
        // SAFETY: `live` is a live block of this heap, for `layout`.
        let moved = unsafe { heap.realloc(live, layout, 4000) };
        assert!(moved.is_null(), "realloc re-entered");
        // SAFETY: as above; the block is lost to the heap, not freed.
        unsafe { heap.dealloc(live, layout) };
        assert_eq!(heap.stats(), HeapStats::default(), "stats re-entered");
        assert_eq!(heap.verify(), Err(VerifyError::Reentered));
    });
    assert_eq!(heap.stats(), before, "nothing changed, nothing counted");
    assert_eq!(heap.verify(), Ok(()));
    // SAFETY: still live: the re-entered `dealloc` did not free it.
    unsafe { heap.dealloc(live, layout) };
    assert_eq!(heap.stats().used, 0);
}

#[test]
fn every_engine_answers_reentry_without_touching_its_state() {
    answers_reentry_without_touching_the_state::<FreeList>();
    answers_reentry_without_touching_the_state::<Segregated>();
    answers_reentry_without_touching_the_state::<BumpFreeList>();
}

#[test]
fn init_reentered_says_so_and_the_region_can_still_be_given() {
    static HEAP: Shell<FreeList, 0, CriticalSectionLock> = Shell::new();
    static mut REGION: [MaybeUninit<u8>; 1024] = [MaybeUninit::uninit(); 1024];
    let raw = core::ptr::addr_of_mut!(REGION);
    // SAFETY: the only reference to REGION, made once (this test runs once).
    let region = unsafe { &mut *raw };
    let (start, len) = (region.as_mut_ptr().cast::<u8>(), region.len());
    HEAP.hold(|| {
        // SAFETY: the region is valid for the program and handed over only if
        // this succeeds, which it must not.
        let refused = unsafe { HEAP.init_from_raw_parts(start, len) };
        assert_eq!(refused, Err(InitError::Reentered));
    });
    assert_eq!(HEAP.init(region), Ok(()));
    assert_eq!(HEAP.verify(), Ok(()));
}

/// `copy_down` does what `ptr::copy` does for a destination below the source, at
/// every distance and length: overlapping by any amount, not at all, or not moving.
#[test]
fn copy_down_moves_overlapping_bytes_as_a_memmove_would() {
    extern crate std;
    use std::vec::Vec;
    let (lengths, distances) = if cfg!(miri) { (40, 20) } else { (200, 70) };
    let start: Vec<u8> = (0..=255).collect();
    for len in 0..lengths {
        for distance in 1..distances {
            let mut ours = start.clone();
            let mut model = start.clone();
            let src = distance.min(256 - len);
            let dst = src - distance.min(src);
            if dst == src {
                continue;
            }
            let base = ours.as_mut_ptr();
            // SAFETY: both ranges lie in the vector, `dst < src`.
            unsafe { super::copy_down(base.wrapping_add(src), base.wrapping_add(dst), len) };
            model.copy_within(src..src + len, dst);
            assert_eq!(ours, model, "{len} bytes from {src} to {dst}");
        }
    }
}
