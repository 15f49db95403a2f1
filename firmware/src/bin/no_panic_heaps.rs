//! No-panic check (see `scripts/no-panic.sh`): every public operation of the three
//! heap engines, inline, over a region handed in with `init` or
//! `init_from_raw_parts`, and behind a `SpinLock`, on sizes and alignments the
//! optimiser cannot see, and every value they return printed through `core::fmt`
//! (with feature `debug-log`, the event log too; with `allocator-api2`, the
//! `Allocator` impls). The
//! script fails if the linked image holds any panic path.
#![no_std]
#![no_main]

use core::alloc::{GlobalAlloc, Layout};
use core::hint::black_box;
use core::mem::MaybeUninit;
use core::ptr::addr_of_mut;

use tinyalloc::cache::locks::{Lock, SpinLock};
use tinyalloc::heap::{BumpFreeListAllocator, FreeListAllocator, SegregatedBumpAllocator};
use tinyalloc_firmware::print_to_nowhere;

/// A request the optimiser knows nothing about.
fn layout() -> Option<Layout> {
    Layout::from_size_align(black_box(48), black_box(16)).ok()
}

/// Every `GlobalAlloc` method, as a program would call them.
fn drive(heap: &impl GlobalAlloc) {
    let Some(layout) = layout() else { return };
    let grown = black_box(300);
    let shrunk = black_box(8);
    // SAFETY: each block goes back to the heap it came from, with the layout it has
    // then; a null block is not used.
    unsafe {
        let a = heap.alloc(layout);
        let b = heap.alloc_zeroed(layout);
        if !a.is_null() {
            let a = heap.realloc(a, layout, grown);
            if !a.is_null() {
                let big = Layout::from_size_align_unchecked(grown, layout.align());
                let a = heap.realloc(a, big, shrunk);
                if !a.is_null() {
                    heap.dealloc(a, Layout::from_size_align_unchecked(shrunk, layout.align()));
                }
            }
        }
        if !b.is_null() {
            heap.dealloc(b, layout);
        }
    }
}

/// Every `allocator_api2` method, with a zero-sized request and a change of alignment
/// among them.
#[cfg(feature = "allocator-api2")]
fn allocator_api(heap: &impl allocator_api2::alloc::Allocator) {
    let (Some(small), Some(empty), Some(wide)) = (
        layout(),
        Layout::from_size_align(black_box(0), black_box(4)).ok(),
        Layout::from_size_align(black_box(200), black_box(64)).ok(),
    ) else {
        return;
    };
    // SAFETY: each block goes back to the heap it came from with the layout it has
    // then; `grow` and `shrink` get sizes they allow.
    unsafe {
        if let Ok(block) = heap.allocate_zeroed(small)
            && let Ok(grown) = heap.grow(block.cast(), small, wide)
            && let Ok(shrunk) = heap.shrink(grown.cast(), wide, small)
        {
            heap.deallocate(shrunk.cast(), small);
        }
        if let Ok(block) = heap.allocate(empty) {
            heap.deallocate(block.cast(), empty);
        }
    }
}

/// The forms of one engine: an inline arena, a region lent with `init`, one named by
/// a pointer and a length, and an inline arena behind a `SpinLock`.
macro_rules! engine {
    ($name:ident, $engine:ident) => {
        fn $name() {
            static INLINE: $engine<2048> = $engine::new();
            static REGION: $engine<0> = $engine::new();
            static RAW: $engine<0> = $engine::new();
            static SPIN: $engine<2048, SpinLock> = $engine::new();
            static mut REGION_RAM: [MaybeUninit<u8>; 1024] = [MaybeUninit::uninit(); 1024];
            static mut RAW_RAM: [MaybeUninit<u8>; 1024] = [MaybeUninit::uninit(); 1024];
            static mut SPARE_RAM: [MaybeUninit<u8>; 64] = [MaybeUninit::uninit(); 64];

            // SAFETY: this function runs once, so the region is lent once.
            let region = unsafe { &mut *addr_of_mut!(REGION_RAM) };
            black_box(REGION.init(region).is_ok());
            // SAFETY: as above, for `SPARE_RAM`, which a heap that has its region refuses.
            let spare = unsafe { &mut *addr_of_mut!(SPARE_RAM) };
            if let Err(error) = REGION.init(spare) {
                black_box(print_to_nowhere(format_args!("{error} {error:?}")));
            }
            // SAFETY: as above: `RAW_RAM` is lent once, and never used otherwise.
            let raw = unsafe { RAW.init_from_raw_parts(addr_of_mut!(RAW_RAM).cast(), 1024) };
            black_box(raw.is_ok());
            each(&INLINE);
            each(&REGION);
            each(&RAW);
            each(&SPIN);

            fn each<const SIZE: usize, L: Lock>(heap: &$engine<SIZE, L>) {
                drive(heap);
                let stats = heap.stats();
                black_box(print_to_nowhere(format_args!("{heap:?} {stats} {stats:?}")));
                if let Err(error) = heap.verify() {
                    black_box(print_to_nowhere(format_args!("{error} {error:?}")));
                }
                #[cfg(feature = "allocator-api2")]
                allocator_api(&heap);
                #[cfg(feature = "debug-log")]
                {
                    let log = heap.debug_logs();
                    black_box(log.iter().count());
                    black_box(print_to_nowhere(format_args!("{log} {log:?}")));
                    heap.clear_debug_logs();
                }
            }
        }
    };
}

engine!(free_list, FreeListAllocator);
engine!(segregated, SegregatedBumpAllocator);
engine!(bump_free_list, BumpFreeListAllocator);

tinyalloc_firmware::probe! {
    free_list();
    segregated();
    bump_free_list();
}
