// Values in parentheses or braces, or passed through a `macro_rules!` (which wraps
// them in an invisible group), are read like the bare literals: checked by the
// macro, and without a lint about parentheses or braces the user did not write
// around a block.
#![deny(warnings)]

macro_rules! frame_pool {
    ($name:ident, $size:expr, $slots:literal, $align:expr) => {
        #[tinyalloc::pool(size = $size, slots = $slots, align = $align, budget = ($size) * 2)]
        static $name: Pool;
    };
}

#[tinyalloc::pool(size = (1024), slots = {32}, align = (16), budget = (2048))]
static POOL: Pool;

frame_pool!(FRAMES, 512, 16, 32);

fn main() {
    assert_eq!((POOL.block_size(), FRAMES.block_size()), (32, 32));
}
