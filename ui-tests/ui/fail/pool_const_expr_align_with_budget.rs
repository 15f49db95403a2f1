// A computed alignment that is not a power of two, with a budget: reported once.
const ALIGN: usize = 3 * 8;

#[tinyalloc::pool(size = 1536, slots = 32, align = ALIGN, budget = 4096)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
