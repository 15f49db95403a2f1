// `align` sets the alignment of every block.
#![deny(warnings)]

#[tinyalloc::pool(size = 4096, slots = 64, align = 64)]
static DMA: Pool;

fn main() {
    let addresses: Vec<usize> = (0..64)
        .map(|_| DMA.with(|slab| slab.alloc_uninit(64).unwrap().1.as_ptr() as usize))
        .collect();
    assert!(addresses.iter().all(|a| a % 64 == 0));
    assert!(DMA.alloc(b"one too many").is_err());
}
