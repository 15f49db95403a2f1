// A pool with no blocks.
#[tinyalloc::pool(size = 1024, slots = 0)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
