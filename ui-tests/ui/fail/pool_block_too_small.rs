// One-byte blocks cannot hold the free-list link.
#[tinyalloc::pool(size = 32, slots = 32, align = 1)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
