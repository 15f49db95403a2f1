//! Workloads for the heap engines: std collections from several threads, run by the
//! test binaries where an engine is the `#[global_allocator]`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::thread;

use tinyalloc::heap::{HeapStats, VerifyError};

/// How much work each thread does: full size on the host, a sliver under Miri.
pub fn scale(host: usize) -> usize {
    if cfg!(miri) { (host / 40).max(4) } else { host }
}

/// A page-aligned value, so a `Box` of it asks the global allocator for 4096.
#[repr(align(4096))]
struct Page([u8; 64]);

/// One thread's share: vectors that grow by reallocation, strings, a `BTreeMap`, a
/// `HashMap`, nested vectors and a page-aligned box, each checked after the work.
/// Returns a checksum the caller compares against the same work done twice.
pub fn collections_workout(seed: u64, n: usize) -> u64 {
    let mut numbers: Vec<u64> = Vec::new();
    for i in 0..n as u64 {
        numbers.push(i.wrapping_mul(seed | 1) % 1000);
    }
    numbers.sort_unstable();
    assert!(numbers.windows(2).all(|w| w[0] <= w[1]));

    let mut text = String::new();
    for i in 0..n {
        write!(text, "{i},").unwrap();
    }
    let parsed: Vec<usize> = text
        .trim_end_matches(',')
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(parsed, (0..n).collect::<Vec<_>>());

    let mut tree = BTreeMap::new();
    for i in 0..n as u64 {
        tree.insert(i * 7 % (n as u64 * 3 + 1), format!("value {i}"));
    }
    let before = tree.len();
    tree.retain(|key, _| key % 2 == 0);
    assert!(tree.len() <= before);
    assert!(tree.keys().all(|key| key % 2 == 0));

    let mut map: HashMap<String, Vec<u8>> = HashMap::new();
    for i in 0..n {
        map.insert(format!("key-{i}"), vec![i as u8; i % 97]);
    }
    for i in 0..n {
        assert_eq!(map[&format!("key-{i}")], vec![i as u8; i % 97]);
    }

    let mut nested: Vec<Vec<u8>> = (0..n / 4 + 1).map(|i| vec![i as u8; i * 3]).collect();
    for (i, inner) in nested.iter_mut().enumerate() {
        inner.extend_from_slice(&[0xAB; 40]);
        inner.shrink_to_fit();
        assert_eq!(inner.len(), i * 3 + 40);
    }

    let page = Box::new(Page([seed as u8; 64]));
    assert_eq!(&*page as *const Page as usize % 4096, 0);
    assert!(page.0.iter().all(|&b| b == seed as u8));

    numbers.iter().sum::<u64>()
        + tree.len() as u64
        + map.values().map(|v| v.len() as u64).sum::<u64>()
        + nested.iter().map(|v| v.len() as u64).sum::<u64>()
}

/// Runs [`collections_workout`] on four threads at once, then checks each result
/// against the same work done on this thread alone.
pub fn four_threads(n: usize) {
    let expected: Vec<u64> = (0..4).map(|seed| collections_workout(seed, n)).collect();
    let results: Vec<u64> = thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|seed| scope.spawn(move || collections_workout(seed, n)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results, expected);
}

/// The checks every global-allocator binary makes on its heap after the workload.
pub fn heap_is_consistent(stats: HeapStats, verify: Result<(), VerifyError>) {
    assert_eq!(verify, Ok(()));
    assert_eq!(stats.failed_allocs, 0, "{stats}");
    assert!(
        stats.high_water >= stats.used && stats.high_water > 0,
        "{stats}"
    );
    assert_eq!(stats.used + stats.free + stats.overhead(), stats.arena);
}

/// The tests every heap's global-allocator binary runs, given its `static`:
/// `global_heap_tests!(ALLOCATOR);`.
#[macro_export]
macro_rules! global_heap_tests {
    ($allocator:path) => {
        #[test]
        fn std_collections_from_four_threads() {
            $crate::heap::four_threads($crate::heap::scale(2_000));
            $crate::heap::heap_is_consistent($allocator.stats(), $allocator.verify());
        }

        #[test]
        fn the_heap_serves_and_counts_what_the_program_allocates() {
            let big: Vec<u64> = (0..$crate::heap::scale(20_000) as u64).collect();
            let during = $allocator.stats();
            assert!(during.used >= big.len() * 8, "{during}");
            assert!(during.allocations >= 1);
            assert_eq!(
                big.iter().sum::<u64>(),
                (big.len() as u64) * (big.len() as u64 - 1) / 2
            );
            drop(big);
            $crate::heap::heap_is_consistent($allocator.stats(), $allocator.verify());
        }
    };
}
