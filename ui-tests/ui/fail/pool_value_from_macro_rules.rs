// A literal passed through a `macro_rules!` is checked by the attribute like one
// written in it, and the error points at the literal where it is written.
macro_rules! frame_pool {
    ($name:ident, $size:expr) => {
        #[tinyalloc::pool(size = $size, slots = 32)]
        static $name: Pool;
    };
}

frame_pool!(POOL, 1000);

fn main() {
    let _ = POOL.stats();
}
