// With `crate = …`, a configuration only const evaluation can refuse is reported at
// the attribute, not at the crate path, which is right; also when a macro of the
// caller's writes the attribute (as a crate that re-exports tinyalloc would).
macro_rules! frame_pool {
    ($name:ident, $size:expr) => {
        #[tinyalloc::pool(size = $size, slots = 32, crate = tinyalloc)]
        static $name: Pool;
    };
}

const BYTES: usize = 1000;

frame_pool!(POOL, BYTES);

fn main() {
    let _ = POOL.stats();
}
