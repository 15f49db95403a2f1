// Doc comments survive: without them `missing_docs` would reject the public static.
#![deny(missing_docs, warnings)]
//! A crate with a documented pool.

/// Pools of this firmware.
pub mod pools {
    /// Frames waiting for the radio.
    #[tinyalloc::pool(size = 1024, slots = 32)]
    pub static FRAMES: Pool;
}

fn main() {
    let handle = pools::FRAMES.alloc(b"frame").unwrap();
    assert_eq!(pools::FRAMES.read(handle, |b| b.to_vec()), Some(b"frame".to_vec()));
}
