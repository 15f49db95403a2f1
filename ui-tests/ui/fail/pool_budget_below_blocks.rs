// The blocks alone are larger than the budget: caught by the macro.
#[tinyalloc::pool(size = 1024, slots = 32, budget = 1024)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
