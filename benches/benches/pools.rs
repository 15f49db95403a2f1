//! Wall-clock medians of the pool workloads (`tinyalloc_bench::pools`), every entry at
//! every capacity. One iteration: one pair (`pair`, `pair_full`), one fill-and-drain
//! round of `capacity` pairs (`fill_lifo`, `fill_random`) or one lookup (`lookup`).

use divan::Bencher;
use tinyalloc_bench::pools::{self, FixedPool, Workload};
use tinyalloc_bench::{measured, rng::Rng};

fn main() {
    divan::main();
}

/// `ENTRY@CAPACITY` for every entry and capacity.
fn args() -> impl Iterator<Item = String> {
    pools::ENTRIES.iter().flat_map(|entry| {
        pools::CAPACITIES
            .iter()
            .map(move |capacity| format!("{}@{capacity}", entry.name))
    })
}

struct Bench<'a, 'b> {
    bencher: Bencher<'a, 'b>,
    workload: Workload,
}

impl pools::Visitor for Bench<'_, '_> {
    type Out = ();

    fn visit<P: FixedPool>(self, mut pool: P, capacity: usize) {
        let mut handles = Vec::with_capacity(capacity);
        // One untimed round first, so every block has been touched once.
        pools::fill_drain_round(&mut pool, capacity, None, &mut handles);
        match self.workload {
            Workload::Pair => self.bencher.bench_local(|| measured::pair(&mut pool)),
            Workload::PairFull => {
                for _ in 0..capacity - 1 {
                    handles.push(pool.alloc().expect("room"));
                }
                self.bencher.bench_local(|| measured::pair(&mut pool));
            }
            Workload::FillLifo => self
                .bencher
                .bench_local(|| pools::fill_drain_round(&mut pool, capacity, None, &mut handles)),
            Workload::FillRandom => {
                let order = pools::random_drain_order(capacity);
                self.bencher.bench_local(|| {
                    pools::fill_drain_round(&mut pool, capacity, Some(&order), &mut handles)
                });
            }
            Workload::Lookup => {
                for _ in 0..capacity {
                    handles.push(pool.alloc().expect("room"));
                }
                let mut rng = Rng::new(pools::SEED);
                let picks: Vec<usize> = (0..4096).map(|_| rng.below(capacity)).collect();
                let mut next = 0;
                self.bencher.bench_local(|| {
                    next = (next + 1) % picks.len();
                    measured::lookup(&pool, &handles[picks[next]])
                });
            }
        }
        while let Some(handle) = handles.pop() {
            pool.free(handle);
        }
    }
}

fn bench(bencher: Bencher<'_, '_>, arg: &str, workload: Workload) {
    let (entry, capacity) = arg.split_once('@').expect("ENTRY@CAPACITY");
    let capacity = capacity.parse().expect("a capacity");
    let lookup = workload == Workload::Lookup;
    // Entries without a lookup (owning boxes) have nothing to measure there.
    let _ = pools::with_pool(entry, capacity, lookup, Bench { bencher, workload });
}

#[divan::bench(args = args())]
fn pair(bencher: Bencher<'_, '_>, arg: &str) {
    bench(bencher, arg, Workload::Pair);
}

#[divan::bench(args = args())]
fn pair_full(bencher: Bencher<'_, '_>, arg: &str) {
    bench(bencher, arg, Workload::PairFull);
}

#[divan::bench(args = args())]
fn fill_lifo(bencher: Bencher<'_, '_>, arg: &str) {
    bench(bencher, arg, Workload::FillLifo);
}

#[divan::bench(args = args())]
fn fill_random(bencher: Bencher<'_, '_>, arg: &str) {
    bench(bencher, arg, Workload::FillRandom);
}

#[divan::bench(args = args())]
fn lookup(bencher: Bencher<'_, '_>, arg: &str) {
    bench(bencher, arg, Workload::Lookup);
}
