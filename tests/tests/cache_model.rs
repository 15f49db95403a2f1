//! `SlabCache` against a plain model of the live objects: random sequences of
//! allocations, drops, writes, raw round trips, trims and a provider that runs out,
//! checked after every step. Small slabs, so that a few dozen objects span many.

use proptest::prelude::*;
use tinyalloc::cache::MAX_LOCK_SIZE;
use tinyalloc::prelude::*;
use tinyalloc_tests::proptest_config;
use tinyalloc_tests::providers::Heap;

type Cache<const ID: usize> = SlabCache<[u32; 5], SpinLock, 256, Heap<ID>>;
type Boxed = SlabBox<[u32; 5], SpinLock, 256>;

#[derive(Debug, Clone)]
enum Op {
    Alloc(u32),
    AllocWith(u32),
    Drop(usize),
    Write { pick: usize, value: u32 },
    RawRoundTrip(usize),
    Trim,
    Budget(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => any::<u32>().prop_map(Op::Alloc),
        2 => any::<u32>().prop_map(Op::AllocWith),
        7 => any::<usize>().prop_map(Op::Drop),
        3 => (any::<usize>(), any::<u32>()).prop_map(|(pick, value)| Op::Write { pick, value }),
        1 => any::<usize>().prop_map(Op::RawRoundTrip),
        1 => Just(Op::Trim),
        1 => (2..12usize).prop_map(Op::Budget),
    ]
}

/// The live objects and what each must hold, plus the counters a user reads.
#[derive(Default)]
struct Model {
    live: Vec<(Boxed, u32)>,
    high_water: usize,
    failed: usize,
    budget: usize,
}

impl Model {
    fn allocated<const ID: usize>(
        &mut self,
        cache: &Cache<ID>,
        result: tinyalloc::Result<Boxed>,
        value: u32,
    ) {
        match result {
            Ok(boxed) => {
                self.live.push((boxed, value));
                self.high_water = self.high_water.max(self.live.len());
            }
            Err(SlabError::OutOfMemory) => {
                // Only when every slab held is full and the provider has no more.
                let stats = cache.stats();
                assert_eq!(stats.in_use, stats.capacity, "{stats}");
                assert_eq!(Heap::<ID>::outstanding(), self.budget);
                self.failed += 1;
            }
            Err(other) => panic!("unexpected {other}"),
        }
    }
}

fn check<const ID: usize>(cache: &Cache<ID>, model: &Model) {
    let mut addresses = Vec::new();
    for (boxed, value) in &model.live {
        assert_eq!(**boxed, [*value; 5]);
        addresses.push(&**boxed as *const [u32; 5] as usize);
    }
    addresses.sort_unstable();
    for pair in addresses.windows(2) {
        assert!(
            pair[1] - pair[0] >= Cache::<ID>::SLOT_SIZE,
            "two objects overlap"
        );
    }
    let stats = cache.stats();
    assert_eq!(stats.in_use, model.live.len());
    assert_eq!(stats.high_water, model.high_water);
    assert_eq!(stats.failed_allocs, model.failed);
    assert!(stats.capacity >= stats.in_use);
    assert!(stats.reserve <= 1, "more reserve slabs than asked for");
    assert_eq!(
        Heap::<ID>::outstanding(),
        stats.slabs,
        "the cache lost a slab"
    );
    // Every slab but the master and the reserve holds a live object.
    let slaves_in_use = stats.slabs - 1 - stats.reserve;
    assert!(slaves_in_use <= model.live.len());
    assert_eq!(
        stats.capacity,
        Cache::<ID>::SLOTS_IN_MASTER + (stats.slabs - 1) * Cache::<ID>::SLOTS_PER_SLAB
    );
}

/// `ID` names the provider, so that the two tests here keep their counts apart.
fn run<const ID: usize>(ops: Vec<Op>) {
    Heap::<ID>::set_budget(usize::MAX);
    let cache = Cache::<ID>::new().unwrap();
    let mut model = Model {
        budget: usize::MAX,
        ..Model::default()
    };
    for op in ops {
        match op {
            Op::Alloc(value) => {
                let result = cache.alloc([value; 5]).map_err(|rejected| {
                    // A failed allocation hands the value back untouched.
                    assert_eq!(rejected.value(), &[value; 5]);
                    rejected.error()
                });
                model.allocated(&cache, result, value);
            }
            Op::AllocWith(value) => {
                let result = cache.alloc_with(|| [value; 5]);
                model.allocated(&cache, result, value);
            }
            Op::Drop(pick) if !model.live.is_empty() => {
                let index = pick % model.live.len();
                drop(model.live.swap_remove(index));
            }
            Op::Write { pick, value } if !model.live.is_empty() => {
                let index = pick % model.live.len();
                let (boxed, expected) = &mut model.live[index];
                **boxed = [value; 5];
                *expected = value;
            }
            Op::RawRoundTrip(pick) if !model.live.is_empty() => {
                let index = pick % model.live.len();
                let (boxed, value) = model.live.swap_remove(index);
                let raw = SlabBox::into_raw(boxed);
                // SAFETY: `raw` came from `into_raw` of a box of this very type.
                let boxed = unsafe { Boxed::from_raw(raw) }.expect("a pointer from into_raw");
                model.live.push((boxed, value));
            }
            Op::Trim => {
                cache.trim().unwrap();
                assert_eq!(cache.stats().reserve, 0);
            }
            Op::Budget(blocks) => {
                // Never below what the cache holds: a budget caps growth only.
                let blocks = blocks.max(Heap::<ID>::outstanding());
                Heap::<ID>::set_budget(blocks);
                model.budget = blocks;
            }
            _ => {}
        }
        check(&cache, &model);
    }
    drop(model);
    drop(cache);
    assert_eq!(Heap::<ID>::outstanding(), 0, "slabs leaked");
}

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn the_cache_matches_a_model_of_its_live_objects(ops in prop::collection::vec(op(), 1..120)) {
        run::<0>(ops);
    }
}

#[test]
fn the_model_runs_through_growth_shrinking_and_running_out() {
    let mut ops: Vec<Op> = (0..40).map(Op::Alloc).collect();
    ops.extend((0..35).map(|i| Op::Drop(i * 7)));
    ops.push(Op::Budget(2));
    ops.extend((0..30).map(Op::Alloc));
    ops.push(Op::Trim);
    run::<1>(ops);
    assert!(MAX_LOCK_SIZE >= core::mem::size_of::<SpinLock>());
}
