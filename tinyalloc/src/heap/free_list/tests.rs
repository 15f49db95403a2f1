//! The free list's unit tests, one file per topic, and the helpers they share.

extern crate std;

use core::alloc::GlobalAlloc;
use std::vec::Vec;

use super::classes::{TABLE_LIMIT, class_formula, fit_class};
use super::*;
use crate::heap::FreeListAllocator;
use crate::heap::tester::Tester;

mod alignment;
mod merging;
mod quick;
mod slide;
mod stats;
mod verify;

#[test]
fn fit_class_holds_every_block_of_its_class() {
    let (limit, step) = if cfg!(miri) {
        (1 << 12, 8 * 7)
    } else {
        (1 << 16, 8)
    };
    for size in (MIN_BLOCK..limit).step_by(step) {
        let class = class_of(size);
        let fit = fit_class(size);
        assert!(class <= fit && fit <= class + 1, "{size}");
        // The smallest size filed in `fit` is at least `size`.
        let smallest = (MIN_BLOCK..=size + size / 4 + 16)
            .step_by(8)
            .find(|&s| class_of(s) == fit)
            .unwrap();
        assert!(smallest >= size, "{size}: class {fit} starts at {smallest}");
    }
    assert!(fit_class(1 << 31) < MAX_CLASSES);
    for size in (MIN_BLOCK..TABLE_LIMIT + 64).step_by(8) {
        assert_eq!(class_of(size), class_formula(size), "{size}");
    }
    for want in (MIN_BLOCK..=TABLE_LIMIT).step_by(8) {
        // SAFETY: `want` is in the range `below_fit` takes.
        let fit = unsafe { below_fit(want) } + 1;
        assert_eq!(fit, fit_class(want), "{want}");
        assert!(fit < FAST_CLASSES, "{want}");
    }
    // SAFETY: as above.
    assert_eq!(unsafe { below_fit(TABLE_LIMIT) }, FAST_CLASSES - 2);
}

/// A block size above the quick slots' limit: freed for real at once.
const BIG: usize = 640;

/// How many blocks wait in the quick slots.
fn waiting(heap: &FreeListAllocator<4096>) -> usize {
    heap.shell.with_engine(|engine, _| engine.waiting)
}

/// Allocates `layout` and frees it again; whether it succeeded.
fn fits<const SIZE: usize>(heap: &FreeListAllocator<SIZE>, layout: Layout) -> bool {
    // SAFETY: non-zero sizes only.
    let block = unsafe { heap.alloc(layout) };
    if !block.is_null() {
        // SAFETY: just allocated with this layout.
        unsafe { heap.dealloc(block, layout) };
    }
    !block.is_null()
}
