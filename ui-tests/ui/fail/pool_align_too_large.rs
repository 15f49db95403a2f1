// Block alignment stops at 4096.
#[tinyalloc::pool(size = 16384, slots = 2, align = 8192)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
