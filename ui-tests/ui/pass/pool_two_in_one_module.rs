// Two pools side by side, each with its own blocks and counters; a budget that fits.
#![deny(warnings)]

#[tinyalloc::pool(size = 1024, slots = 32, budget = 2048)]
static SMALL: Pool;

#[tinyalloc::pool(size = 4096, slots = 16)]
static LARGE: Pool;

fn main() {
    let a = SMALL.alloc(&[1; 32]).unwrap();
    let b = LARGE.alloc(&[2; 256]).unwrap();
    assert!(SMALL.alloc(&[0; 33]).is_err());
    assert_eq!(SMALL.read(a, |x| x.len()), Some(32));
    assert_eq!(LARGE.read(b, |x| x.len()), Some(256));
    assert_eq!((SMALL.stats().failed_allocs, LARGE.stats().failed_allocs), (1, 0));
}
