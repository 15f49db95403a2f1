//! Wall-clock medians of the mixed heap workload (`tinyalloc_bench::heaps`). One
//! iteration: one step of the stream (an allocation or a deallocation), timed after
//! the first 200,000 steps; the stream goes on across iterations, on a heap made once
//! per entry.

use divan::Bencher;
use tinyalloc_bench::heaps::{self, Heap, Mixed};

fn main() {
    divan::main();
}

fn args() -> impl Iterator<Item = &'static str> {
    heaps::ENTRIES.iter().map(|entry| entry.name)
}

struct Bench<'a, 'b>(Bencher<'a, 'b>);

impl heaps::Visitor for Bench<'_, '_> {
    type Out = ();

    fn visit<H: Heap>(self, mut heap: H) {
        // Untimed first: the heap's pages touched and its free lists in their
        // steady state, as in a program that has been running a while.
        let mut state = Mixed::default();
        for _ in 0..heaps::MIXED_OPS {
            state.step(&mut heap);
        }
        self.0.bench_local(|| state.step(&mut heap));
    }
}

#[divan::bench(args = args())]
fn mixed(bencher: Bencher<'_, '_>, entry: &str) {
    heaps::with_heap(entry, Bench(bencher)).expect("a listed entry");
}
