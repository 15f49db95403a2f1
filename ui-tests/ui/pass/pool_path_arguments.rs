// Paths to consts are accepted like any const expression, without warnings.
#![deny(warnings)]

const BYTES: usize = 2048;
const BLOCKS: usize = 32;
const ALIGN: usize = 64;

#[tinyalloc::pool(size = BYTES, slots = BLOCKS, align = ALIGN, budget = 2 * BYTES)]
static POOL: Pool;

fn main() {
    assert_eq!(POOL.block_size(), 64);
}
