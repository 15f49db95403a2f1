//! `TinySlabAllocator` against a plain model: random sequences of alloc, alloc_uninit,
//! get, get_mut, free, stale and forged frees, checked after every step.

use proptest::prelude::*;
use tinyalloc::prelude::*;
use tinyalloc_tests::proptest_config;

const BLOCK: usize = 16;
type Pool = TinySlabAllocator<{ BLOCK * 12 }, 12>;

#[derive(Debug, Clone)]
enum Op {
    Alloc(Vec<u8>),
    AllocUninit { len: usize, fill: u8 },
    Get(usize),
    GetMut { pick: usize, fill: u8 },
    Free(usize),
    FreeStale(usize),
    Forged(u32),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => prop::collection::vec(any::<u8>(), 0..=BLOCK + 4).prop_map(Op::Alloc),
        4 => (0..=BLOCK + 4, any::<u8>()).prop_map(|(len, fill)| Op::AllocUninit { len, fill }),
        3 => any::<usize>().prop_map(Op::Get),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(pick, fill)| Op::GetMut { pick, fill }),
        5 => any::<usize>().prop_map(Op::Free),
        2 => any::<usize>().prop_map(Op::FreeStale),
        1 => any::<u32>().prop_map(Op::Forged),
        1 => Just(Op::Clear),
    ]
}

/// What the pool should hold, in the plainest form.
#[derive(Default)]
struct Model {
    live: Vec<(Handle, Vec<u8>)>,
    dead: Vec<Handle>,
    high_water: usize,
    failed: usize,
    rejected: usize,
}

impl Model {
    fn allocated(&mut self, result: Result<Handle, AllocError>, data: Vec<u8>, capacity: usize) {
        match result {
            Ok(handle) => {
                assert!(data.len() <= BLOCK && self.live.len() < capacity);
                assert!(
                    !self.live.iter().any(|(h, _)| *h == handle),
                    "handle handed out twice"
                );
                self.live.push((handle, data));
                self.high_water = self.high_water.max(self.live.len());
            }
            Err(AllocError::TooLarge {
                requested,
                block_size,
            }) => {
                assert_eq!((requested, block_size), (data.len(), BLOCK));
                assert!(data.len() > BLOCK);
                self.failed += 1;
            }
            Err(AllocError::OutOfMemory) => {
                assert!(data.len() <= BLOCK);
                assert_eq!(self.live.len(), capacity);
                self.failed += 1;
            }
            Err(other) => panic!("unexpected error {other}"),
        }
    }

    /// Live handles never equal dead ones: a dead handle is rejected unless the
    /// generation wrapped, which these short runs cannot reach.
    fn is_live(&self, handle: Handle) -> bool {
        self.live.iter().any(|(h, _)| *h == handle)
    }
}

fn check(pool: &Pool, model: &Model) {
    let mut starts = Vec::new();
    for (handle, data) in &model.live {
        let bytes = pool.get(*handle).expect("live handle rejected");
        assert_eq!(bytes, &data[..]);
        starts.push(bytes.as_ptr() as usize);
    }
    starts.sort_unstable();
    for pair in starts.windows(2) {
        assert!(pair[1] - pair[0] >= BLOCK, "two live blocks overlap");
    }
    let stats = pool.stats();
    assert_eq!(stats.blocks, pool.capacity());
    assert_eq!(stats.in_use, model.live.len());
    assert_eq!(pool.len(), model.live.len());
    assert_eq!(stats.high_water, model.high_water);
    assert_eq!(stats.failed_allocs, model.failed);
    assert_eq!(stats.rejected_handles, model.rejected);
}

fn run(ops: Vec<Op>) {
    let mut pool = Pool::new();
    let mut model = Model::default();
    let capacity = pool.capacity();
    for op in ops {
        match op {
            Op::Alloc(data) => {
                let result = pool.alloc(&data);
                model.allocated(result, data, capacity);
            }
            Op::AllocUninit { len, fill } => {
                let result = pool.alloc_uninit(len).map(|(handle, bytes)| {
                    assert_eq!(bytes.len(), len);
                    bytes.fill(fill);
                    handle
                });
                model.allocated(result, vec![fill; len], capacity);
            }
            Op::Get(pick) if !model.live.is_empty() => {
                let (handle, data) = &model.live[pick % model.live.len()];
                assert_eq!(pool.get(*handle), Some(&data[..]));
            }
            Op::GetMut { pick, fill } if !model.live.is_empty() => {
                let index = pick % model.live.len();
                let (handle, data) = &mut model.live[index];
                let bytes = pool.get_mut(*handle).expect("live handle rejected");
                bytes.fill(fill);
                data.fill(fill);
            }
            Op::Free(pick) if !model.live.is_empty() => {
                let (handle, _) = model.live.swap_remove(pick % model.live.len());
                assert!(pool.free(handle));
                assert_eq!(pool.get(handle), None);
                model.rejected += 1;
                model.dead.push(handle);
            }
            Op::FreeStale(pick) if !model.dead.is_empty() => {
                let handle = model.dead[pick % model.dead.len()];
                assert!(!model.is_live(handle));
                assert!(!pool.free(handle), "stale handle freed");
                assert_eq!(pool.get(handle), None);
                model.rejected += 2;
            }
            Op::Forged(bits) => {
                let Some(handle) = Handle::from_bits(bits) else {
                    continue;
                };
                if model.is_live(handle) {
                    continue;
                }
                assert_eq!(pool.get(handle), None, "forged handle accepted");
                assert!(!pool.free(handle));
                model.rejected += 2;
            }
            Op::Clear => {
                pool.clear();
                model.dead.extend(model.live.drain(..).map(|(h, _)| h));
            }
            // A pick with nothing to pick from: nothing to do.
            Op::Get(_) | Op::GetMut { .. } | Op::Free(_) | Op::FreeStale(_) => {}
        }
        check(&pool, &model);
    }
}

proptest! {
    #![proptest_config(proptest_config(512))]

    #[test]
    fn slab_matches_the_model(ops in prop::collection::vec(op(), 1..if cfg!(miri) { 60 } else { 200 })) {
        run(ops);
    }
}

#[test]
fn size_bounds_hold() {
    use core::mem::size_of;
    assert!(size_of::<Handle>() <= 4);
    // The documented bound: SIZE + 4 x SLOTS + 16, rounded up to the alignment (8).
    assert!(size_of::<TinySlabAllocator<1024, 32>>() <= 1024 + 4 * 32 + 16);
}
