// A computed alignment the blocks are not a multiple of.
const ALIGN: usize = 2 * 16;

#[tinyalloc::pool(size = 1536, slots = 32, align = ALIGN)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
