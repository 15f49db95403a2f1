// The arguments written in a string, as some attributes take them: one error that
// shows them without the quotes, not one per key it could not find.
#[tinyalloc::pool("size = 1024, slots = 32")]
static POOL: Pool;

fn main() {
    let _ = POOL.alloc(b"frame");
}
