// The macro writes the initialiser.
#[tinyalloc::pool(size = 1024, slots = 32)]
static POOL: Pool = Pool::new();

fn main() {
    let _ = POOL.stats();
}
