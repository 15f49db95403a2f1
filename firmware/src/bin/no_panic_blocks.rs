//! No-panic check (see `scripts/no-panic.sh`): the block engine, the buffers and
//! queues over it, and the typed cache (over a `slab_region!` and over the
//! allocation hooks, behind each lock), each with inputs the optimiser cannot see:
//! lengths, offsets and handles from nowhere (stale, foreign or made up), and every
//! value they return printed through `core::fmt`. The script fails if the linked
//! image holds any panic path.
//!
//! `Pool` and the queues on it, which have one documented panic, are checked in
//! `no_panic_pool.rs`.
#![no_std]
#![no_main]

use core::alloc::Layout;
use core::hint::black_box;
use core::mem::MaybeUninit;
use core::ptr::{NonNull, addr_of_mut};
use portable_atomic::{AtomicUsize, Ordering};

use tinyalloc::cache::SlabProvider;
use tinyalloc::prelude::*;
use tinyalloc_firmware::print_to_nowhere;

tinyalloc::slab_region!(Slabs, slabs = 4, slab_size = 1024);

/// Bytes and lengths the optimiser knows nothing about.
fn input(data: &[u8]) -> &[u8] {
    let len = black_box(data.len());
    data.get(..len).unwrap_or_default()
}

/// A handle made up from bits: stale, foreign or out of range as it happens.
fn made_up() -> Option<Handle> {
    Handle::from_bits(black_box(0x0003_0040))
}

fn blocks() {
    let mut slab = TinySlabAllocator::<2048, 32>::new();
    let data = [7u8; 80];

    // The engine: every operation, with a handle of its own and a made-up one.
    if let Ok(h) = slab.alloc(input(&data[..40])) {
        black_box(slab.get(h).map(<[u8]>::len));
        if let Some(bytes) = slab.get_mut(h) {
            bytes.fill(1);
        }
        black_box(slab.contains(h));
        black_box(slab.free(h));
        black_box(slab.free(h)); // a double free
    }
    if let Err(error) = slab.alloc(input(&data)) {
        // too large
        black_box(print_to_nowhere(format_args!("{error} {error:?}")));
    }
    if let Ok((_, bytes)) = slab.alloc_uninit(black_box(12)) {
        bytes.fill(2);
    }
    if let Some(h) = made_up() {
        black_box(slab.get(h).is_some());
        black_box(slab.get_mut(h).is_some());
        black_box(slab.contains(h));
        black_box(slab.free(h));
    }
    for (handle, bytes) in &slab {
        let _ = black_box((handle, bytes.len()));
    }
    slab.retain(|_, bytes| bytes.first() == Some(&2));
    let stats = slab.stats();
    black_box(print_to_nowhere(format_args!(
        "{slab:?} {stats} {stats:?} {:?}",
        made_up()
    )));

    // A buffer and a queue over it, with offsets and lengths from nowhere.
    let mut out = [0u8; 100];
    let mut buf = ByteBuffer::new();
    if let Err(error) = buf.write(&mut slab, input(&data)) {
        black_box(print_to_nowhere(format_args!("{error} {error:?}")));
    }
    black_box(buf.read(&slab, black_box(5), &mut out));
    for chunk in buf.chunks(&slab) {
        black_box(chunk.len());
    }
    black_box(buf.iter(&slab).count());
    black_box(buf.clear(&mut slab).is_ok());
    let mut queue = ByteBufferDeque::new();
    black_box(queue.push_slice(&mut slab, input(&data)).is_ok());
    black_box(queue.push_back(&mut slab, black_box(3)).is_ok());
    black_box(queue.peek_front(&slab));
    black_box(queue.pop_front(&mut slab));
    let len = black_box(30);
    black_box(queue.peek_into(&slab, out.get_mut(..len).unwrap_or_default()));
    black_box(queue.pop_into(&mut slab, out.get_mut(..len).unwrap_or_default()));
    black_box(print_to_nowhere(format_args!(
        "{buf:?} {queue:?} {:?}",
        buf.chunks(&slab)
    )));
    black_box(queue.clear(&mut slab).is_ok());
    slab.clear();
    black_box(&slab);
}

/// Slabs for the caches on the default provider, carved by the hooks below.
#[repr(C, align(1024))]
struct HookRam([MaybeUninit<u8>; 4096]);
static mut HOOK_RAM: HookRam = HookRam([MaybeUninit::uninit(); 4096]);
static HOOK_NEXT: AtomicUsize = AtomicUsize::new(0);

/// Carves slabs from `HOOK_RAM` in order, never to take them back.
///
/// # Safety
/// Called by tinyalloc's caches as the allocation hook.
unsafe fn hook_alloc(layout: Layout) -> Option<NonNull<u8>> {
    let offset = HOOK_NEXT.fetch_add(layout.size(), Ordering::Relaxed);
    if offset.checked_add(layout.size())? > 4096 {
        return None;
    }
    // SAFETY: each offset is handed out once and the block lies inside `HOOK_RAM`.
    NonNull::new(unsafe { addr_of_mut!(HOOK_RAM).cast::<u8>().add(offset) })
}

/// Keeps every slab: the region is not reused.
///
/// # Safety
/// Called by tinyalloc's caches as the free hook.
unsafe fn hook_free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(hook_alloc, hook_free);

/// Every operation of a cache, a box and its raw form.
fn cache<L: Lock, P: SlabProvider>(cache: &SlabCache<[u32; 16], L, 1024, P>) {
    match cache.alloc(black_box([0; 16])) {
        Ok(boxed) => {
            black_box(print_to_nowhere(format_args!("{boxed:?}")));
            drop(black_box(boxed));
        }
        Err(rejected) => {
            black_box(print_to_nowhere(format_args!("{rejected} {rejected:?}")));
        }
    }
    if let Ok(boxed) = cache.alloc_with(|| black_box([1; 16])) {
        let raw = SlabBox::into_raw(boxed);
        // SAFETY: `raw` came from `into_raw` of a box of these parameters, once.
        if let Ok(boxed) = unsafe { SlabBox::<[u32; 16], L, 1024>::from_raw(raw) } {
            black_box(SlabBox::into_inner(boxed));
        }
    }
    let stats = cache.stats();
    black_box(print_to_nowhere(format_args!(
        "{cache:?} {stats} {stats:?}"
    )));
    if let Err(error) = cache.trim() {
        black_box(print_to_nowhere(format_args!("{error} {error:?}")));
    }
}

tinyalloc_firmware::probe! {
    blocks();
    if let Ok(region) = SlabCache::<[u32; 16], CriticalSectionLock, 1024, Slabs>::new() {
        cache(&region);
    }
    if let Ok(hooks) = SlabCache::<[u32; 16], SpinLock, 1024>::with_reserve(black_box(1)) {
        cache(&hooks);
    }
    let local = SlabCache::<[u32; 16], NoLock, 1024>::lazy();
    cache(&local);
}
