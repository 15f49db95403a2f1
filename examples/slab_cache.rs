//! A typed slab cache fed by the system allocator: configs allocated here, dropped
//! on another thread, and the cache's counters before and after. Then a second cache
//! over a `slab_region!` of four slabs, RAM of its own as on a microcontroller, run to
//! its end.
//!
//! `cargo run --example slab_cache`

use core::alloc::Layout;
use core::ptr::NonNull;
use std::sync::mpsc;
use std::thread;

use tinyalloc::prelude::*;

/// Hands the first cache its slabs: here the system allocator. For RAM of its own,
/// name a `slab_region!` provider instead, as the second cache does.
unsafe fn system_alloc(layout: Layout) -> Option<NonNull<u8>> {
    // SAFETY: the cache never asks for zero bytes.
    NonNull::new(unsafe { std::alloc::alloc(layout) })
}

/// Takes slabs back.
unsafe fn system_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    // SAFETY: the cache hands back what `system_alloc` gave, with its layout.
    unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    Ok(())
}

tinyalloc::define_allocation_hooks!(system_alloc, system_free);

tinyalloc::slab_region! {
    /// Four 1 KiB slabs for radio frames, and not a byte more.
    RadioRam, slabs = 4, slab_size = 1024
}

#[derive(Debug)]
struct SensorConfig {
    id: u32,
    sample_hz: u16,
    calibration: [i16; 8],
}

fn main() -> tinyalloc::Result<()> {
    let cache = SlabCache::<SensorConfig, SpinLock, 4096>::new()?;
    println!(
        "slots: {} bytes each, {} in the master slab, {} per slave",
        SlabCache::<SensorConfig, SpinLock, 4096>::SLOT_SIZE,
        SlabCache::<SensorConfig, SpinLock, 4096>::SLOTS_IN_MASTER,
        SlabCache::<SensorConfig, SpinLock, 4096>::SLOTS_PER_SLAB,
    );

    let mut first = cache.alloc(SensorConfig {
        id: 1,
        sample_hz: 100,
        calibration: [0; 8],
    })?;
    first.sample_hz = 250;
    println!("first: {first:?}");

    // Enough configs to need slave slabs.
    let configs = (2..=400)
        .map(|id| {
            cache.alloc_with(|| SensorConfig {
                id,
                sample_hz: 50,
                calibration: [id as i16; 8],
            })
        })
        .collect::<tinyalloc::Result<Vec<_>>>()?;
    println!("after 400 allocations: {}", cache.stats());

    // A worker thread takes them over and drops them: each box finds its own slab.
    let (send, receive) = mpsc::channel();
    let worker = thread::spawn(move || {
        receive
            .into_iter()
            .map(|config: SlabBox<SensorConfig>| {
                assert_eq!(config.calibration, [config.id as i16; 8]);
                config.id
            })
            .sum::<u32>()
    });
    for config in configs {
        send.send(config).expect("the worker is running");
    }
    drop(send);
    let ids = worker.join().expect("the worker finished");
    println!("worker dropped configs 2..=400 (ids sum to {ids})");
    println!("after the worker:      {}", cache.stats());

    drop(first);
    println!("after the last drop:   {}", cache.stats());

    // A cache whose slabs come from a region of their own: it grows to the region's
    // end, then refuses, handing the frame back.
    let frames = SlabCache::<[u8; 100], CriticalSectionLock, 1024, RadioRam>::new()?;
    let mut held = Vec::new();
    let refused = loop {
        match frames.alloc([held.len() as u8; 100]) {
            Ok(frame) => held.push(frame),
            Err(rejected) => break rejected,
        }
    };
    println!(
        "radio frames: {} held in {} of {} slabs, then {}",
        held.len(),
        RadioRam::region().lent(),
        RadioRam::region().capacity(),
        refused.error(),
    );
    assert_eq!(refused.into_value(), [held.len() as u8; 100]);
    drop(held);
    println!("after dropping them:   {}", frames.stats());
    Ok(())
}
