// The attribute belongs on a static.
#[tinyalloc::pool(size = 1024, slots = 32)]
fn pool() {}

fn main() {
    pool();
}
