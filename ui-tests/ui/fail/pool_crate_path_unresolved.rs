// A `crate = …` path that names nothing: one error, at the path.
#[tinyalloc::pool(size = 1024, slots = 32, crate = tiny_alloc)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
