// A computed alignment that is not a power of two.
const ALIGN: usize = 3 * 8;

#[tinyalloc::pool(size = 1536, slots = 32, align = ALIGN)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
