//! The names users type, as DESIGN.md lists them, written the way it writes them and
//! built with every warning an error: a `#[must_use]` on `free`, a renamed item or a
//! path that moved out of `tinyalloc::prelude` breaks this file. Where a call returns a
//! `Result` that DESIGN's listing leaves unhandled (`init`, `install`, `push`), it is
//! handled here as the README handles it.
#![deny(warnings)]

use core::alloc::Layout;
use core::ptr::NonNull;

use tinyalloc::prelude::*;

unsafe fn system_alloc(layout: Layout) -> Option<NonNull<u8>> {
    // SAFETY: the cache never asks for zero bytes.
    NonNull::new(unsafe { std::alloc::alloc(layout) })
}

unsafe fn system_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    // SAFETY: the cache hands back what `system_alloc` gave, with its layout.
    unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    Ok(())
}

tinyalloc::define_allocation_hooks!(system_alloc, system_free);

#[tinyalloc::pool(size = 1024, slots = 32)]
static POOL: Pool; // a checked, interrupt-safe static pool

static UART_BUFFER: GlobalDeque = GlobalDeque::new(); // push from an interrupt, pop in main

// Not this binary's `#[global_allocator]` (heap_global_free_list.rs is that test); the
// names and the default arena are what is checked here.
static ALLOCATOR: FreeListAllocator = FreeListAllocator::new();
static OTHER_ARENA: FreeListAllocator<{ 32 * 1024 }> = FreeListAllocator::new();

struct MyConfig {
    id: u32,
    data: [u8; 60],
}

#[test]
fn the_slab_buffer_and_deque_names() {
    let mut alloc = TinySlabAllocator::<1024, 32>::new(); // 32 blocks of 32 bytes
    assert_eq!((alloc.block_size(), alloc.capacity()), (32, 32));
    assert_eq!(
        alloc.alloc_uninit(64).unwrap_err(), // fails: 64 > block size
        AllocError::TooLarge {
            requested: 64,
            block_size: 32
        }
    );
    let (handle, buf) = alloc.alloc_uninit(16).unwrap();
    let buf: &mut [u8] = buf;
    assert_eq!(buf.len(), 16);
    let data: &[u8] = alloc.get(handle).unwrap();
    assert_eq!(data.len(), 16);
    alloc.free(handle); // no warning as a statement
    assert!(alloc.get(handle).is_none()); // stale handle
    let stats: Stats = alloc.stats();
    assert_eq!((stats.in_use, stats.rejected_handles), (0, 1));
    let handle: Handle = alloc.alloc(b"x").unwrap();
    assert_eq!(core::mem::size_of_val(&handle), 4);

    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, b"Dynamic ").unwrap();
    assert_eq!(buf.to_vec(&alloc), b"Dynamic ");
    let mut full = TinySlabAllocator::<64, 2>::new();
    let mut small = ByteBuffer::new();
    match small.write(&mut full, &[0; 100]) {
        Err(ByteBufferError::AllocationFailed) => {}
        other => panic!("a write the pool cannot hold: {other:?}"),
    }
    assert!(small.is_empty() && full.is_empty());

    let mut deque = ByteBufferDeque::new();
    deque.push_back(&mut alloc, b'x').unwrap();
    let b: Option<u8> = deque.pop_front(&mut alloc); // &mut: it frees drained chunks
    assert_eq!(b, Some(b'x'));
    buf.clear(&mut alloc).unwrap();
    alloc.free(handle);
    assert!(alloc.is_empty());
}

#[test]
fn the_global_names() {
    use tinyalloc::global::AllocatorConfig;
    AllocatorConfig::Slab1K32.init().unwrap();
    let _others = [
        AllocatorConfig::Slab512b16,
        AllocatorConfig::Slab256b8,
        AllocatorConfig::Slab2K64,
        AllocatorConfig::Slab4K128,
    ];
    let mut buf = ByteBuffer::new();
    buf.extend(b"Global allocator").unwrap(); // uses the global instance
    assert_eq!(buf.to_vec_global().unwrap(), b"Global allocator");
    UART_BUFFER.push(b'a').ok();
    let b: Option<u8> = UART_BUFFER.pop();
    assert_eq!(b, Some(b'a'));
    // The instance is set once: `install` after a preset is refused, and the pool
    // stays unused.
    assert_eq!(
        tinyalloc::global::install(&POOL),
        Err(ByteBufferError::AlreadyInitialized)
    );
    assert!(POOL.is_empty());
}

#[test]
fn the_pool_cache_and_heap_names() -> Result<(), SlabError> {
    let handle = POOL.alloc(b"pool").unwrap();
    assert_eq!(
        POOL.read(handle, |bytes| bytes.to_vec()),
        Some(b"pool".to_vec())
    );
    POOL.free(handle); // no warning as a statement either
    assert!(!POOL.free(handle));

    let cache = SlabCache::<MyConfig, SpinLock, 4096>::new()?;
    let mut item: SlabBox<MyConfig> = cache.alloc(MyConfig {
        id: 1,
        data: [0; 60],
    })?;
    item.id = 2; // freed when `item` drops, on any thread
    std::thread::spawn(move || assert_eq!((item.id, item.data[59]), (2, 0)))
        .join()
        .unwrap();
    assert_eq!(cache.stats().in_use, 0);

    use core::alloc::GlobalAlloc;
    let layout = Layout::new::<[u64; 4]>();
    for heap in [&ALLOCATOR as &dyn GlobalAlloc, &OTHER_ARENA] {
        // SAFETY: the layout is not zero-sized.
        let block = unsafe { heap.alloc(layout) };
        assert!(!block.is_null());
        // SAFETY: `block` came from `heap` with `layout`.
        unsafe { heap.dealloc(block, layout) };
    }
    assert_eq!(ALLOCATOR.stats().arena, tinyalloc::heap::DEFAULT_ARENA_SIZE);
    assert_eq!(OTHER_ARENA.stats().arena, 32 * 1024);
    Ok(())
}

/// The types the prelude brings are at the crate root too, beside their siblings.
#[test]
fn the_crate_root_holds_the_preludes_stats_and_queues() {
    fn named<T: ?Sized>() -> &'static str {
        core::any::type_name::<T>()
    }
    for name in [
        named::<tinyalloc::PoolDeque>(),
        named::<tinyalloc::CacheStats>(),
        named::<tinyalloc::HeapStats>(),
    ] {
        assert!(name.starts_with("tinyalloc::"), "{name}");
    }
}
