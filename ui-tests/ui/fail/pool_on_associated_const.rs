// In an `impl` block, where only a `const` can be written: the one error says a pool
// is a `static` (a `static` in its place would be rustc's error for the `impl`).
struct Uart;

impl Uart {
    #[tinyalloc::pool(size = 1024, slots = 32)]
    const POOL: Pool;
}

fn main() {
    let _ = Uart::POOL.alloc(b"frame");
}
