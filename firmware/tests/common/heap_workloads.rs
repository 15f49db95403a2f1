//! The `alloc` workloads every heap image runs with its engine as the
//! `#[global_allocator]`. Each heap test file sets `HEAP` and calls `run!`.

extern crate alloc;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;
use portable_atomic::{AtomicU32, Ordering};

/// A value that wants 256-byte alignment, in fresh and in reused blocks.
#[repr(align(256))]
pub struct Aligned(pub [u8; 256]);

/// `Vec`, `String`, `BTreeMap`, `VecDeque` and boxes, each checked.
pub fn collections() {
    let mut numbers: Vec<u32> = Vec::new();
    for i in 0..1_000 {
        numbers.push(i * 3);
    }
    assert_eq!(
        numbers.iter().map(|&n| u64::from(n)).sum::<u64>(),
        3 * 999 * 1_000 / 2
    );
    numbers.retain(|n| n % 2 == 0);
    numbers.shrink_to_fit();
    assert_eq!(numbers.len(), 500);

    let mut text = String::new();
    for i in 0..50 {
        write!(text, "{i},").unwrap();
    }
    assert!(text.starts_with("0,1,2,") && text.ends_with("48,49,"));

    let mut map: BTreeMap<u32, String> = BTreeMap::new();
    for i in 0..200 {
        map.insert(i * 7 % 200, i.to_string());
    }
    for i in (0..200).step_by(2) {
        map.remove(&i);
    }
    assert_eq!(map.len(), 100);
    assert!(map.keys().all(|k| k % 2 == 1));

    let mut queue: VecDeque<u16> = VecDeque::with_capacity(8);
    for round in 0..20u16 {
        queue.extend(round * 10..round * 10 + 10);
        for expected in round * 10..round * 10 + 5 {
            assert_eq!(queue.pop_front(), Some(expected.wrapping_sub(round * 5)));
        }
    }

    let aligned: Vec<Box<Aligned>> = (0..4).map(|i| Box::new(Aligned([i; 256]))).collect();
    for (i, b) in aligned.iter().enumerate() {
        assert_eq!(core::ptr::from_ref(&**b).addr() % 256, 0, "misaligned box");
        assert!(b.0.iter().all(|&x| x == i as u8));
    }
    let big = Box::new([0x5Au8; 4096]);
    assert!(big.iter().all(|&x| x == 0x5A));
}

/// Ticks of the SysTick handler that allocated.
pub static TICK_ALLOCS: AtomicU32 = AtomicU32::new(0);
/// Handler allocations whose contents did not survive.
pub static TICK_CORRUPT: AtomicU32 = AtomicU32::new(0);

/// What SysTick does each tick: a short-lived `Vec` and `String`.
pub fn tick_work() {
    let n = TICK_ALLOCS.fetch_add(1, Ordering::Relaxed);
    let values: Vec<u32> = (0..(n % 40 + 1)).collect();
    let label = n.to_string();
    if values.len() != (n % 40 + 1) as usize || label.parse::<u32>() != Ok(n) {
        TICK_CORRUPT.fetch_add(1, Ordering::Relaxed);
    }
}

/// `main` churns a map while SysTick allocates and frees in between.
pub fn churn_under_interrupts(ticks: u32) {
    let mut map: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    let mut key = 0u32;
    let mut steps = 0u32;
    while TICK_ALLOCS.load(Ordering::Relaxed) < ticks {
        key = key.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let k = key % 64;
        match map.remove(&k) {
            Some(value) => assert!(value.iter().all(|&b| b == k as u8), "a value changed"),
            None => {
                map.insert(k, alloc::vec![k as u8; (k as usize % 48) + 1]);
            }
        }
        steps += 1;
        assert!(steps < 20_000_000, "SysTick never came");
    }
    assert_eq!(TICK_CORRUPT.load(Ordering::Relaxed), 0);
}

/// A request the heap cannot meet fails as a value, not a panic.
pub fn out_of_memory_is_an_error() {
    let mut huge: Vec<u8> = Vec::new();
    assert!(huge.try_reserve_exact(1 << 20).is_err());
    assert!(huge.try_reserve(usize::MAX / 2).is_err());
    let mut fits: Vec<u8> = Vec::new();
    assert!(fits.try_reserve_exact(1024).is_ok());
}

/// The test list every heap image runs, given the engine static.
#[macro_export]
macro_rules! heap_image {
    ($heap:path) => {
        fn collections_work() {
            workloads::collections();
            let stats = $heap.stats();
            assert_eq!(stats.allocations, 0, "every allocation came back: {stats}");
            assert!(stats.high_water > 4096);
            assert_eq!($heap.verify(), Ok(()));
        }

        fn interrupts_allocate_too() {
            tinyalloc_firmware::irq::start_systick(3_000, 0x80);
            workloads::churn_under_interrupts(200);
            tinyalloc_firmware::irq::stop_systick();
            assert_eq!($heap.verify(), Ok(()));
            assert_eq!($heap.stats().allocations, 0);
        }

        fn out_of_memory_is_an_error() {
            let failed = $heap.stats().failed_allocs;
            workloads::out_of_memory_is_an_error();
            assert_eq!($heap.stats().failed_allocs, failed + 2);
            assert_eq!($heap.verify(), Ok(()));
        }

        #[cortex_m_rt::exception]
        fn SysTick() {
            workloads::tick_work();
        }

        tinyalloc_firmware::test_main!(
            collections_work,
            interrupts_allocate_too,
            out_of_memory_is_an_error
        );
    };
}
