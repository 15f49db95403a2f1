// The attribute twice on one static, as after a copy and paste.
#[tinyalloc::pool(size = 1024, slots = 32)]
#[tinyalloc::pool(size = 2048, slots = 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
