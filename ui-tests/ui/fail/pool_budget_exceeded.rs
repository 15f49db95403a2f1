// Blocks and slot metadata fit in 1152 bytes, but the static also holds its counters
// and lock: caught by the exact `size_of` check, with both numbers.
#[tinyalloc::pool(size = 1024, slots = 32, budget = 1152)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
