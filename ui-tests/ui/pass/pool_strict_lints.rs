// A crate with strict lints: the expansion adds no warning of its own, even with
// tinyalloc named by a relative path, a budget, a computed alignment, and `Pool`
// imported for other code.
#![deny(warnings, unused_qualifications, unused_results)]

use tinyalloc::Pool;

#[tinyalloc::pool(size = 1024, slots = 32, budget = 2000, crate = tinyalloc)]
static POOL: Pool;

#[tinyalloc::pool(size = 1024, slots = 32, budget = 2 * 1000)]
static OTHER: Pool;

const ALIGN: usize = 4 * 4;

#[tinyalloc::pool(size = 1024, slots = 32, align = ALIGN, crate = tinyalloc)]
static ALIGNED: Pool;

fn capacity(pool: &Pool<1024, 32>) -> usize {
    pool.capacity()
}

fn main() {
    assert_eq!(capacity(&POOL) + capacity(&OTHER), 64);
    assert_eq!(ALIGNED.capacity(), 32);
}
