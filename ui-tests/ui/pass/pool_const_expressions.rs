// Const expressions are accepted and checked by the pool's own const assertions.
#![deny(warnings)]

const KIB: usize = 1024;
const BLOCKS: usize = 32;
const WORD: usize = 4;

#[tinyalloc::pool(size = 4 * KIB, slots = 2 * BLOCKS, align = 2 * WORD, budget = 8 * KIB)]
static POOL: Pool;

fn main() {
    assert_eq!(POOL.block_size(), 64);
    assert_eq!(POOL.capacity(), 64);
    let handle = POOL.alloc(&[1; 64]).unwrap();
    assert_eq!(POOL.read(handle, |b| b.iter().map(|&x| x as usize).sum::<usize>()), Some(64));
}
