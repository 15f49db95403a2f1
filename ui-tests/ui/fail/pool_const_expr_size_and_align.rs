// A computed size that is not a multiple of the slots, beside a computed alignment:
// the pool's const assertion reports it, and points into the attribute.
const BYTES: usize = 1000;
const ALIGN: usize = 8;

#[tinyalloc::pool(size = BYTES, slots = 32, align = ALIGN)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
