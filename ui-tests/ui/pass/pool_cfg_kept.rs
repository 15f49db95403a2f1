// A `#[cfg]` after the attribute is applied before the attribute runs: a removed
// static leaves nothing behind (its budget check names it), a kept one works.
#![deny(warnings)]

#[tinyalloc::pool(size = 1024, slots = 32, budget = 2000)]
#[cfg(any())]
static GONE: Pool;

#[tinyalloc::pool(size = 1024, slots = 32, budget = 2000)]
#[cfg(all())]
static KEPT: Pool;

fn main() {
    assert_eq!(KEPT.capacity(), 32);
}
