// A misspelt key: the error suggests the right one.
#[tinyalloc::pool(sise = 1024, slots = 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
