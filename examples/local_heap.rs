//! A second, local heap beside the global one, through `allocator_api2` (feature
//! `allocator-api2`): a frame buffer's scratch data lives in its own 16 KiB arena, so it
//! can never starve the rest of the program, and its high-water mark says how much it
//! really needed.
//!
//! `cargo run --example local_heap`

use allocator_api2::vec::Vec;
use tinyalloc::heap::FreeListAllocator;

/// The scratch heap: 16 KiB, in `.bss`, separate from whatever the global allocator is.
static SCRATCH: FreeListAllocator<{ 16 * 1024 }> = FreeListAllocator::new();

fn main() {
    for frame in 0..3u32 {
        // Per-frame work allocates from SCRATCH only.
        let mut spans: Vec<(u16, u16), _> = Vec::new_in(&SCRATCH);
        for row in 0..240u16 {
            if (u32::from(row) + frame) % 3 == 0 {
                spans.push((row, row + 10));
            }
        }
        let mut text = Vec::new_in(&SCRATCH);
        text.extend_from_slice(format!("frame {frame}: {} spans", spans.len()).as_bytes());
        println!("{}", String::from_utf8_lossy(&text));
    }

    // Everything went back; the statistics say what the scratch heap needed.
    let stats = SCRATCH.stats();
    assert_eq!(stats.allocations, 0);
    assert_eq!(SCRATCH.verify(), Ok(()));
    println!("scratch heap: {stats}");

    // A request the scratch heap cannot meet is an error, not a panic.
    let mut big: Vec<u8, _> = Vec::new_in(&SCRATCH);
    println!(
        "reserve 64 KiB in the scratch heap: {:?}",
        big.try_reserve_exact(64 * 1024).map_err(|_| "refused")
    );
}
