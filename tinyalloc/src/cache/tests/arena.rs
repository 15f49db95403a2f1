//! A provider over a static arena: leaked objects and raw pointers keep their slots.

use super::*;

/// Slabs carved from a static buffer that never goes back: what a leaked object
/// needs (a heap block would be reported as leaked when the tests end under Miri).
struct Arena;

#[repr(C, align(512))]
struct ArenaBytes(core::cell::UnsafeCell<[u8; 2048]>);

// SAFETY: the bytes are only reached through blocks `Arena::alloc` hands out, each
// once, to one owner.
unsafe impl Sync for ArenaBytes {}

static ARENA: ArenaBytes = ArenaBytes(core::cell::UnsafeCell::new([0; 2048]));
static ARENA_USED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: each block is a distinct, aligned 512-byte part of the static buffer,
// handed out once; `free` keeps nothing and never hands a block out again.
unsafe impl SlabProvider for Arena {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        assert_eq!((layout.size(), layout.align()), (512, 512));
        let index = ARENA_USED.fetch_add(1, Ordering::SeqCst);
        (index < 4).then(|| {
            let base = ARENA.0.get().cast::<u8>().wrapping_add(index * 512);
            NonNull::new(base).unwrap()
        })
    }

    unsafe fn free(_: NonNull<u8>, _: Layout) -> Result<()> {
        Ok(())
    }
}

#[test]
fn a_leaked_object_keeps_its_slot_and_the_master() {
    let leaked: &'static mut u32 = {
        let cache = SlabCache::<u32, NoLock, 512, Arena>::new().unwrap();
        let leaked = SlabBox::leak(cache.alloc(5).unwrap());
        *leaked += 1;
        let kept = cache.alloc(9).unwrap();
        assert_eq!(cache.stats().in_use, 2);
        drop(kept);
        leaked
    };
    // The master outlived the cache value, and the object with it.
    *leaked += 1;
    assert_eq!(*leaked, 7);
}

#[test]
fn into_raw_keeps_the_object_until_from_raw_gives_it_back() {
    let cache = Cache::<u32, 12>::new().unwrap();
    let raw = SlabBox::into_raw(cache.alloc(5).unwrap());
    drop(cache);
    assert_eq!(Heap::<12>::outstanding(), 1); // the object holds the master
    // SAFETY: `raw` came from `into_raw` of a box of this very type.
    let boxed = unsafe { SlabBox::<u32, NoLock, 512>::from_raw(raw) }.unwrap();
    assert_eq!(*boxed, 5);
    drop(boxed);
    assert_eq!(Heap::<12>::outstanding(), 0);
}
