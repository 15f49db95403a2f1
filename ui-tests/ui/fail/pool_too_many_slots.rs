// One slot more than a handle can index.
#[tinyalloc::pool(size = 131072, slots = 65536, align = 2)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
