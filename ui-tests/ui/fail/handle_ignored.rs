// A block is freed only through its handle: one unwrapped and dropped leaves its
// block in use until the pool is cleared.
#![deny(unused_must_use)]

#[tinyalloc::pool(size = 256, slots = 8)]
static POOL: Pool;

fn main() {
    POOL.alloc(b"reserved").unwrap();
}
