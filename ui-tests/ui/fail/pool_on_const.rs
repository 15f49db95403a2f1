// `const` for `static`: a const would be a new, empty pool at every use.
#[tinyalloc::pool(size = 1024, slots = 32)]
const POOL: Pool;

fn main() {
    let _ = POOL.alloc(b"frame");
}
