// A misspelt name in a computed budget is reported at the name, not elsewhere in
// the expression.
const KIB: usize = 1024;

#[tinyalloc::pool(size = 1024, slots = 32, budget = 2 * KIBS)]
static POOL: Pool;

fn main() {
    let _ = (POOL.stats(), KIB);
}
