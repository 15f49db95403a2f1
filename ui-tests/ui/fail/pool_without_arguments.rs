// No arguments at all: one error naming both required keys.
#[tinyalloc::pool]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
