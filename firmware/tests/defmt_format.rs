//! tinyalloc's `defmt::Format` impls (feature `defmt`) linked into firmware: a global
//! logger that captures defmt's encoded frames in a buffer, as an RTT logger would
//! send them, shows each value's fields in its frame.
#![no_std]
#![no_main]

use core::cell::RefCell;

use critical_section::Mutex;
use tinyalloc::prelude::*;
use tinyalloc_firmware::test_main;

/// The last frame written.
static FRAME: Mutex<RefCell<([u8; 64], usize)>> = Mutex::new(RefCell::new(([0; 64], 0)));

#[defmt::global_logger]
struct Capture;

// SAFETY: every write takes a critical section of its own; frames are written from
// `main` only.
unsafe impl defmt::Logger for Capture {
    fn acquire() {
        critical_section::with(|cs| FRAME.borrow_ref_mut(cs).1 = 0);
    }
    unsafe fn flush() {}
    unsafe fn release() {}
    unsafe fn write(bytes: &[u8]) {
        critical_section::with(|cs| {
            let mut frame = FRAME.borrow_ref_mut(cs);
            let (buffer, len) = &mut *frame;
            let n = bytes.len().min(buffer.len() - *len);
            buffer[*len..*len + n].copy_from_slice(&bytes[..n]);
            *len += n;
        });
    }
}

defmt::timestamp!("{=u32}", 0);

/// `true` when `needle` occurs in the last frame.
fn frame_contains(needle: &[u8]) -> bool {
    critical_section::with(|cs| {
        let frame = FRAME.borrow_ref(cs);
        frame.0[..frame.1]
            .windows(needle.len())
            .any(|w| w == needle)
    })
}

fn handles_stats_and_errors_format() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let handle = alloc.alloc(b"sample").unwrap();
    defmt::println!("{}", handle);
    // index 0 as a 32-bit word, the generation as 16 bits
    let [low, high] = handle.generation().to_le_bytes();
    assert!(frame_contains(&[0, 0, 0, 0, low, high]));

    defmt::println!("{}", alloc.stats());
    assert!(frame_contains(&8u32.to_le_bytes()), "8 blocks");

    defmt::println!(
        "{}",
        AllocError::TooLarge {
            requested: 300,
            block_size: 32
        }
    );
    assert!(
        frame_contains(&[44, 1, 0, 0, 32, 0, 0, 0]),
        "300 and 32 as words"
    );

    let heap: FreeListAllocator<4096> = FreeListAllocator::new();
    defmt::println!("{}", heap.stats());
    defmt::println!("{}", ByteBufferError::AllocationFailed);
    defmt::println!("{}", SlabError::AlignmentMismatch);
    let written = critical_section::with(|cs| FRAME.borrow_ref(cs).1);
    assert!(written > 2, "a frame was written");
}

test_main!(handles_stats_and_errors_format);
