//! Hostile inputs to every engine: handles forged from raw integers or taken from
//! another pool, `from_raw` on pointers that never came from the cache, requests no
//! heap can meet, constructors and destructors that panic. Nothing panics inside an
//! allocator, nothing is corrupted, and every case gets the answer the docs give it.
//! Small enough to run under Miri, where they also show the unsafe code stays sound.

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use std::panic::{AssertUnwindSafe, catch_unwind};

use tinyalloc::heap::{HeapStats, InitError, VerifyError};
use tinyalloc::prelude::*;
use tinyalloc_tests::providers::Heap;

type Slab = TinySlabAllocator<128, 8>;

/// A pool with `n` blocks, block `i` holding `[i; 3]`.
fn filled(n: u8) -> (Slab, Vec<Handle>) {
    let mut slab = Slab::new();
    let handles = (0..n).map(|i| slab.alloc(&[i; 3]).unwrap()).collect();
    (slab, handles)
}

fn holds_its_bytes(slab: &Slab, handles: &[Handle]) {
    for (i, handle) in handles.iter().enumerate() {
        assert_eq!(
            slab.get(*handle),
            Some(&[i as u8; 3][..]),
            "block {i} changed"
        );
    }
}

#[test]
fn handles_forged_from_raw_integers_are_refused_and_counted() {
    let (mut slab, handles) = filled(5);
    // Bits whose low half is 0 make no handle at all.
    for bits in [0, 0xFFFF_0000, 0x0001_0000] {
        assert_eq!(Handle::from_bits(bits), None, "{bits:#x}");
    }
    assert_eq!(Handle::new(Handle::MAX_SLOTS, 0), None);
    let live: Vec<u32> = handles.iter().map(|h| h.to_bits()).collect();
    let forged = [
        1 << 16 | 1, // slot 0 with a generation it never had
        0xFFFF_FFFF, // slot 65,534, generation 65,535
        9,           // slot 8: past the last of 8 slots
        6,           // slot 5: never handed out
        0x8000_0003, // slot 2, generation 32,768
        live[4] ^ 0x0001_0000,
    ];
    let mut rejected = 0;
    for bits in forged {
        let handle = Handle::from_bits(bits).unwrap();
        assert!(!slab.contains(handle), "{handle:?}");
        assert_eq!(slab.get(handle), None, "{handle:?}");
        assert_eq!(slab.get_mut(handle), None, "{handle:?}");
        assert!(!slab.free(handle), "{handle:?}");
        rejected += 3;
    }
    // Bits that name a live block exactly are that block's handle, as documented.
    let again = Handle::from_bits(live[2]).unwrap();
    assert_eq!(slab.get(again), Some(&[2u8; 3][..]));
    holds_its_bytes(&slab, &handles);
    let stats = slab.stats();
    assert_eq!((stats.in_use, stats.rejected_handles), (5, rejected));
    assert_eq!(stats.failed_allocs, 0);
    // The pool still works: the three free blocks and no more.
    for _ in 0..3 {
        let _more = slab.alloc(b"more").unwrap();
    }
    assert_eq!(slab.alloc(b"full"), Err(AllocError::OutOfMemory));
}

#[tinyalloc::pool(size = 128, slots = 8)]
static POOL: Pool;

#[test]
fn a_static_pool_refuses_forged_handles_in_its_critical_section() {
    let handle = POOL.alloc(b"kept").unwrap();
    let before = POOL.stats();
    for bits in [0xFFFF_FFFF, 9, handle.to_bits() ^ 0x0100_0000] {
        let forged = Handle::from_bits(bits).unwrap();
        assert_eq!(POOL.read(forged, |b| b.to_vec()), None);
        assert_eq!(POOL.write(forged, |b| b.fill(0)), None);
        assert!(!POOL.free(forged));
    }
    assert_eq!(POOL.read(handle, |b| b.to_vec()), Some(b"kept".to_vec()));
    let after = POOL.stats();
    assert_eq!(after.rejected_handles, before.rejected_handles + 9);
    assert_eq!(after.in_use, before.in_use);
    assert!(POOL.free(handle));
}

#[test]
fn a_handle_from_another_pool_of_the_same_shape_is_refused() {
    // Side by side, as two statics of one program usually are; each draws its own
    // start when it first hands out a block, so their slots start at different
    // generations.
    let mut pair = Box::new([Slab::new(), Slab::new()]);
    let [ours, theirs] = &mut *pair;
    let our_handles: Vec<Handle> = (0..3).map(|i| ours.alloc(&[i; 3]).unwrap()).collect();
    let theirs_first = theirs.alloc(b"theirs").unwrap(); // slot 0
    let foreign = theirs.alloc(b"foreign").unwrap(); // slot 1
    assert!(theirs.free(foreign));
    let stale_foreign = foreign;
    let foreign = theirs.alloc(b"foreign").unwrap(); // slot 1, one generation on

    // Slots 0 and 1 of ours are live, at our own generations: every one is refused.
    for handle in [theirs_first, stale_foreign, foreign] {
        assert!(handle.index() < 2);
        assert_eq!(ours.get(handle), None);
        assert!(!ours.free(handle));
    }
    assert_eq!(ours.stats().rejected_handles, 6);
    // A handle made to name our slot's generation exactly is accepted, and what it
    // reaches is our block, never theirs: handles carry no pool identity.
    let forged = Handle::new(foreign.index(), our_handles[1].generation()).unwrap();
    assert_eq!(ours.get(forged), Some(&[1u8; 3][..]));
    // Nothing of either pool changed, and theirs still reads its own bytes.
    holds_its_bytes(ours, &our_handles);
    assert_eq!(theirs.get(foreign), Some(&b"foreign"[..]));
    assert_eq!(theirs.get(theirs_first), Some(&b"theirs"[..]));
    assert_eq!(
        (theirs.stats().in_use, theirs.stats().rejected_handles),
        (2, 0)
    );

    // A handle of a larger pool, past our last slot, is refused.
    let mut larger = TinySlabAllocator::<512, 32>::new();
    let far: Vec<Handle> = (0..20).map(|_| larger.alloc(b"x").unwrap()).collect();
    assert_eq!(ours.get(far[19]), None);
    assert!(!ours.free(far[19]));
    assert_eq!(ours.stats().rejected_handles, 8);
}

#[test]
fn requests_past_any_size_are_refused_with_too_large() {
    let mut slab = Slab::new();
    for len in [17, 1 << 20, usize::MAX] {
        assert_eq!(
            slab.alloc_uninit(len).map(|(h, _)| h),
            Err(AllocError::TooLarge {
                requested: len,
                block_size: 16
            })
        );
    }
    assert_eq!((slab.stats().failed_allocs, slab.len()), (3, 0));
}

#[test]
fn a_buffer_given_the_wrong_pool_reports_a_foreign_chunk_and_changes_nothing() {
    let mut ours = Slab::new();
    let mut other = Slab::new();
    let mut buffer = ByteBuffer::new();
    buffer.write(&mut ours, b"0123456789ab").unwrap(); // one full 12-byte chunk
    assert_eq!(
        buffer.write(&mut other, b"more"),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(buffer.to_vec(&ours), b"0123456789ab");
    assert_eq!((other.len(), other.stats().failed_allocs), (0, 0));
    assert_eq!(other.stats().rejected_handles, 1, "the check is counted");
    // Reading through the wrong pool finds no chunk; reading far past the end, nothing.
    let mut out = [0u8; 8];
    assert_eq!(buffer.read(&other, 0, &mut out), 0);
    assert_eq!(buffer.read(&ours, usize::MAX, &mut out), 0);
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut ours, b"queued").unwrap();
    assert_eq!(
        deque.pop_into(&mut other, &mut out),
        0,
        "a foreign pool pops nothing"
    );
    assert_eq!(deque.pop_front(&mut ours), Some(b'q'));
    assert_eq!(
        (buffer.clear(&mut other), deque.clear(&mut other)),
        (
            Err(ByteBufferError::ForeignChunk),
            Err(ByteBufferError::ForeignChunk)
        ),
        "a foreign pool takes nothing back"
    );
    buffer.clear(&mut ours).unwrap();
    deque.clear(&mut ours).unwrap();
    assert_eq!(ours.stats().in_use, 0);
}

type Cache = SlabCache<[u32; 5], SpinLock, 256, Heap<20>>;
type Boxed = SlabBox<[u32; 5], SpinLock, 256>;

/// `from_raw` of a pointer it must refuse.
fn refused(ptr: *mut u8) {
    let ptr = NonNull::new(ptr.cast::<[u32; 5]>()).unwrap();
    // SAFETY: not from `into_raw`, but inside a live block whose `SLAB_SIZE`-aligned
    // neighbourhood is readable through this pointer (it was derived from a pointer to
    // the whole block), as `from_raw`'s contract requires of such a pointer.
    let result = unsafe { Boxed::from_raw(ptr) };
    assert_eq!(result.err(), Some(SlabError::InvalidPointer), "{ptr:p}");
}

#[test]
fn from_raw_refuses_pointers_that_are_no_slot_of_this_cache() {
    let cache = Cache::new().unwrap();
    let boxed = cache.alloc([7; 5]).unwrap();
    let raw = SlabBox::into_raw(boxed);
    let slot = raw.as_ptr().cast::<u8>();
    let slab = slot.wrapping_sub(slot as usize % 256);
    let slot_size = Cache::SLOT_SIZE;
    // Inside the slot, between it and the next, in the header, in the unused tail.
    for at in [
        slot.wrapping_add(4),
        slot.wrapping_add(slot_size / 2),
        slab,
        slab.wrapping_add(8),
        slab.wrapping_add(255),
    ] {
        refused(at);
    }
    // A pointer in the first slab-sized block of the address space is refused
    // without reading anything.
    // SAFETY: refused before anything is read through it.
    let dangling = unsafe { Boxed::from_raw(NonNull::dangling()) };
    assert_eq!(dangling.err(), Some(SlabError::InvalidPointer));

    // A block from the provider that is not a slab: no magic number at its start.
    let layout = Layout::from_size_align(256, 256).unwrap();
    // SAFETY: a non-zero size.
    let block = unsafe { std::alloc::alloc_zeroed(layout) };
    assert!(!block.is_null());
    refused(block.wrapping_add(64));
    // SAFETY: allocated above with this layout.
    unsafe { std::alloc::dealloc(block, layout) };

    // A slot of a cache of another slot size.
    let other = SlabCache::<u64, SpinLock, 256, Heap<21>>::new().unwrap();
    let other_raw = SlabBox::into_raw(other.alloc(1).unwrap());
    refused(other_raw.as_ptr().cast());
    // SAFETY: from `into_raw` of a box of this type, rebuilt once.
    drop(unsafe { SlabBox::<u64, SpinLock, 256>::from_raw(other_raw) }.unwrap());

    // None of it touched the object or the counts; the real pointer still works.
    // SAFETY: from `into_raw` of a box of this type, rebuilt once.
    let boxed = unsafe { Boxed::from_raw(raw) }.unwrap();
    assert_eq!(*boxed, [7; 5]);
    assert_eq!(cache.stats().in_use, 1);
    drop(boxed);
    drop((cache, other));
    assert_eq!(
        (Heap::<20>::outstanding(), Heap::<21>::outstanding()),
        (0, 0)
    );
}

/// Counts its drops and panics in the one that `PANICS` names.
struct Bomb(u32);

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.0 == 13 {
            panic!("bomb 13 went off");
        }
    }
}

#[test]
fn panicking_constructors_and_destructors_give_their_slot_back() {
    let cache = SlabCache::<Bomb, SpinLock, 256, Heap<22>>::new().unwrap();
    let kept = cache.alloc(Bomb(1)).unwrap();
    let made = catch_unwind(AssertUnwindSafe(|| {
        cache.alloc_with(|| -> Bomb { panic!("no object today") })
    }));
    assert!(made.is_err());
    assert_eq!(
        cache.stats().in_use,
        1,
        "the slot of the failed object came back"
    );
    let bomb = cache.alloc(Bomb(13)).unwrap();
    assert!(catch_unwind(AssertUnwindSafe(|| drop(bomb))).is_err());
    assert_eq!(
        cache.stats().in_use,
        1,
        "the slot of the exploded object came back"
    );
    drop(kept);
    assert_eq!(cache.stats().in_use, 0);
    drop(cache);
    assert_eq!(Heap::<22>::outstanding(), 0);
}

/// The heap interface the tests need, over all three engines.
trait TestHeap: GlobalAlloc {
    fn stats(&self) -> HeapStats;
    fn verify(&self) -> Result<(), VerifyError>;
}

/// A heap without an inline arena, which takes a region (`init` on any other fails
/// to compile).
trait RegionHeap: TestHeap {
    /// # Safety
    /// As `init_from_raw_parts`.
    unsafe fn init_region(&self, ptr: *mut u8, len: usize) -> Result<(), InitError>;
}

macro_rules! test_heap {
    ($($name:ident),*) => {$(
        impl<const SIZE: usize> TestHeap for $name<SIZE> {
            fn stats(&self) -> HeapStats {
                $name::stats(self)
            }
            fn verify(&self) -> Result<(), VerifyError> {
                $name::verify(self)
            }
        }

        impl RegionHeap for $name<0> {
            unsafe fn init_region(&self, ptr: *mut u8, len: usize) -> Result<(), InitError> {
                // SAFETY: the caller's contract, passed on.
                unsafe { self.init_from_raw_parts(ptr, len) }
            }
        }
    )*};
}
test_heap!(
    BumpFreeListAllocator,
    SegregatedBumpAllocator,
    FreeListAllocator
);

/// Requests no heap can meet: each is null and counted, and nothing else changes.
fn impossible_requests(heap: &dyn TestHeap) {
    let before = heap.stats();
    // Those a `Layout` can describe on this target: on a 32-bit one, sizes past
    // `MAX_ARENA_SIZE` (2 GiB) and alignments of 2^40 are not layouts at all.
    let impossible: Vec<Layout> = [
        (isize::MAX as usize, 1),
        (isize::MAX as usize - 4095, 4096),
        ((1usize << 31).wrapping_add(1), 8),
        (8, 1usize.checked_shl(40).unwrap_or(0)),
    ]
    .into_iter()
    .filter_map(|(size, align)| Layout::from_size_align(size, align).ok())
    .collect();
    for &layout in &impossible {
        // SAFETY: a non-zero size.
        assert!(unsafe { heap.alloc(layout) }.is_null(), "{layout:?}");
    }
    let after = heap.stats();
    assert_eq!(after.failed_allocs, before.failed_allocs + impossible.len());
    assert_eq!((after.used, after.free), (before.used, before.free));
    assert_eq!(heap.verify(), Ok(()));
}

/// Reallocations to 0 bytes and to sizes no heap holds.
fn hostile_reallocs(heap: &dyn TestHeap, smallest: usize) {
    let empty = heap.stats();
    for align in [1, 8, 64] {
        let layout = Layout::from_size_align(40, align).unwrap();
        // SAFETY: a non-zero size.
        let block = unsafe { heap.alloc(layout) };
        assert!(!block.is_null());
        // SAFETY: a live block of 40 bytes.
        unsafe { block.write_bytes(0xAB, 40) };
        let failed = heap.stats().failed_allocs;
        // The largest size `realloc` allows, and `usize::MAX`, which it does not: null
        // and counted, the block as it was.
        for huge in [isize::MAX as usize - (align - 1), usize::MAX] {
            // SAFETY: live with this layout (a size past `isize::MAX` is documented
            // to fail).
            let moved = unsafe { heap.realloc(block, layout, huge) };
            assert!(moved.is_null(), "realloc to {huge:#x}");
        }
        assert_eq!(heap.stats().failed_allocs, failed + 2);
        // SAFETY: still live, 40 bytes, all written above.
        let bytes = unsafe { core::slice::from_raw_parts(block, 40) };
        assert!(
            bytes.iter().all(|&b| b == 0xAB),
            "a refused realloc changed the block"
        );
        // To 0 bytes: the block shrinks to the engine's smallest, as documented.
        // SAFETY: live with this layout (a zero size is documented).
        let zero = unsafe { heap.realloc(block, layout, 0) };
        assert!(!zero.is_null() && (zero as usize).is_multiple_of(align));
        assert_eq!(heap.stats().used, smallest);
        assert_eq!(heap.verify(), Ok(()));
        let zero_layout = Layout::from_size_align(0, align).unwrap();
        // SAFETY: live with its zero-size layout, as documented.
        unsafe { heap.dealloc(zero, zero_layout) };
    }
    let after = heap.stats();
    assert_eq!(
        (after.used, after.allocations, after.free),
        (0, 0, empty.free)
    );
    assert_eq!(heap.verify(), Ok(()));
}

/// An alignment of 2^20 in an arena that holds no such address: null and counted.
fn huge_alignment(heap: &dyn TestHeap) {
    let before = heap.stats();
    let layout = Layout::from_size_align(64, 1 << 20).unwrap();
    // SAFETY: a non-zero size.
    assert!(unsafe { heap.alloc(layout) }.is_null());
    assert_eq!(heap.stats().failed_allocs, before.failed_allocs + 1);
    assert_eq!(heap.verify(), Ok(()));
}

/// A `&'static mut` region of `$len` bytes from a static of its own.
macro_rules! region {
    ($len:expr) => {{
        static mut REGION: [MaybeUninit<u8>; $len] = [MaybeUninit::uninit(); $len];
        // SAFETY: each expansion runs once per test process, so this is the only
        // reference ever made to its static.
        unsafe { &mut *core::ptr::addr_of_mut!(REGION) }
    }};
}

/// Hands `heap` 2 KiB of `region` that hold no 2^20-aligned address.
fn init_without_megabyte_boundary(heap: &dyn RegionHeap, region: &'static mut [MaybeUninit<u8>]) {
    let start = region.as_mut_ptr().cast::<u8>();
    let boundary = (start as usize).next_multiple_of(1 << 20) - start as usize;
    // The region is 4 KiB, so at most one such address is in it: take the half
    // without it.
    let skip = if boundary < 2048 { 2048 } else { 0 };
    // SAFETY: 2 KiB of a static region that only this heap ever uses.
    let init = unsafe { heap.init_region(start.wrapping_add(skip), 2048) };
    assert_eq!(init, Ok(()));
}

#[test]
fn every_heap_refuses_what_it_cannot_hold_and_stays_whole() {
    impossible_requests(&FreeListAllocator::<4096>::new());
    impossible_requests(&SegregatedBumpAllocator::<4096>::new());
    impossible_requests(&BumpFreeListAllocator::<4096>::new());
    hostile_reallocs(&FreeListAllocator::<4096>::new(), 16);
    hostile_reallocs(&SegregatedBumpAllocator::<4096>::new(), 16);
    hostile_reallocs(&BumpFreeListAllocator::<4096>::new(), 8);

    let free_list = FreeListAllocator::<0>::new();
    let segregated = SegregatedBumpAllocator::<0>::new();
    let bump = BumpFreeListAllocator::<0>::new();
    // Before `init` there is no memory: everything is null and counted.
    for heap in [&free_list as &dyn TestHeap, &segregated, &bump] {
        let layout = Layout::from_size_align(8, 8).unwrap();
        // SAFETY: a non-zero size.
        assert!(unsafe { heap.alloc(layout) }.is_null());
        assert_eq!(heap.stats().failed_allocs, 1);
    }
    init_without_megabyte_boundary(&free_list, region!(4096));
    init_without_megabyte_boundary(&segregated, region!(4096));
    init_without_megabyte_boundary(&bump, region!(4096));
    for heap in [&free_list as &dyn TestHeap, &segregated, &bump] {
        huge_alignment(heap);
        impossible_requests(heap);
    }
}
