// 32-byte blocks cannot all be 64-byte aligned.
#[tinyalloc::pool(size = 1024, slots = 32, align = 64)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
