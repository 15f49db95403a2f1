//! `defmt::Format` (feature `defmt`) for the errors, statistics and handles, checked on
//! the host: a logger that captures defmt's encoded frames shows each value's fields
//! in the frame.

use core::alloc::Layout;
use core::ptr::NonNull;
use std::sync::Mutex;

use tinyalloc::cache::SlabProvider;
use tinyalloc::prelude::*;

static FRAMES: Mutex<Vec<u8>> = Mutex::new(Vec::new());
/// Tests run in parallel; one at a time may log and read the frames.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[defmt::global_logger]
struct Capture;

// SAFETY: `acquire`/`release` need no exclusion beyond the mutex `write` takes, and
// the tests serialise their logging with `ONE_AT_A_TIME`.
unsafe impl defmt::Logger for Capture {
    fn acquire() {}
    unsafe fn flush() {}
    unsafe fn release() {}
    unsafe fn write(bytes: &[u8]) {
        FRAMES.lock().unwrap().extend_from_slice(bytes);
    }
}

defmt::timestamp!("{=u32}", 0);

/// The bytes defmt writes for one `println!` of `value`.
fn encode<T: defmt::Format>(value: T) -> Vec<u8> {
    FRAMES.lock().unwrap().clear();
    defmt::println!("{}", value);
    std::mem::take(&mut *FRAMES.lock().unwrap())
}

/// How defmt encodes a `usize` field: as a 32-bit little-endian word on every target.
fn word(n: u32) -> [u8; 4] {
    n.to_le_bytes()
}

/// `true` when `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn handles_and_stats_carry_their_numbers() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let first = alloc.alloc(b"x").unwrap();
    alloc.free(first);
    let handle = alloc.alloc(b"y").unwrap();
    assert_eq!(handle.generation(), first.generation().wrapping_add(1));
    // index 0 (a `usize`), then the generation (a `u16`)
    let [low, high] = handle.generation().to_le_bytes();
    let frame = encode(handle);
    assert!(contains(&frame, &[0, 0, 0, 0, low, high]), "{frame:?}");
    assert_ne!(encode(handle), encode(Handle::new(5, 9).unwrap()));

    let stats = alloc.stats();
    assert!(contains(&encode(stats), &word(8)), "blocks = 8");
    let heap: FreeListAllocator<4096> = FreeListAllocator::new();
    assert_ne!(encode(heap.stats()), Vec::<u8>::new());
}

#[test]
fn errors_encode_distinctly() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let too_large = encode(AllocError::TooLarge {
        requested: 64,
        block_size: 32,
    });
    assert!(
        contains(&too_large, &[word(64), word(32)].concat()),
        "{too_large:?}"
    );
    assert_ne!(too_large, encode(AllocError::OutOfMemory));
    assert_ne!(
        encode(ByteBufferError::AllocationFailed),
        encode(ByteBufferError::NotInitialized)
    );
    assert_ne!(
        encode(SlabError::OutOfMemory),
        encode(SlabError::InvalidPointer)
    );
    assert_ne!(
        encode(tinyalloc::heap::InitError::AlreadyInitialized),
        Vec::<u8>::new()
    );
    assert_ne!(encode(CacheStats::default()), Vec::<u8>::new());
}

/// A provider with no memory.
struct Exhausted;

// SAFETY: it never hands out memory.
unsafe impl SlabProvider for Exhausted {
    unsafe fn alloc(_: Layout) -> Option<NonNull<u8>> {
        None
    }
    unsafe fn free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
        Ok(())
    }
}

#[test]
fn a_rejected_value_encodes_its_reason() {
    /// No `Format` of its own: the error shows the reason only.
    struct Frame;
    let cache = SlabCache::<Frame, NoLock, 1024, Exhausted>::lazy();
    let Err(rejected) = cache.alloc(Frame) else {
        panic!("a provider with no memory gave a slab")
    };
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The error's own bytes: past the `println!`'s string index (2 bytes) and the
    // timestamp (4).
    let reason = encode(SlabError::OutOfMemory).split_off(6);
    let frame = encode(rejected);
    assert!(contains(&frame, &reason), "{frame:?} lacks {reason:?}");
    assert_ne!(
        frame,
        encode(SlabError::OutOfMemory),
        "the frame names `Rejected`"
    );
}

#[test]
fn a_box_encodes_as_its_object() {
    let cache = SlabCache::<u32, NoLock, 1024, tinyalloc_tests::providers::Heap<8>>::new().unwrap();
    let boxed = cache.alloc(0x5EED).unwrap();
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let frame = encode(&boxed);
    assert!(contains(&frame, &word(0x5EED)), "{frame:?}");
}
