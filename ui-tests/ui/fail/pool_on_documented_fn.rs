// On a documented function the error points at the function, not at its docs.
/// Where frames go.
#[tinyalloc::pool(size = 1024, slots = 32)]
/// More about them.
#[inline]
pub fn frame_pool() {}

fn main() {
    frame_pool();
}
