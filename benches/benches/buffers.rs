//! Wall-clock medians of the byte-queue workloads (`tinyalloc_bench::buffers`). One
//! iteration: one round of 4,096 bytes in and out.

use divan::Bencher;
use tinyalloc_bench::buffers::{self, ByteQueue, Workload};

fn main() {
    divan::main();
}

fn args() -> impl Iterator<Item = &'static str> {
    buffers::ENTRIES.iter().map(|entry| entry.name)
}

struct Bench<'a, 'b>(Bencher<'a, 'b>, Workload);

impl buffers::Visitor for Bench<'_, '_> {
    type Out = ();

    fn visit<Q: ByteQueue>(self, mut queue: Q) {
        let workload = self.1;
        self.0.bench_local(|| buffers::round(&mut queue, workload));
    }
}

#[divan::bench(args = args())]
fn bytes(bencher: Bencher<'_, '_>, entry: &str) {
    // `ByteBuffer` has no byte-at-a-time queue form: nothing to measure there.
    let _ = buffers::with_queue(entry, true, Bench(bencher, Workload::Bytes));
}

#[divan::bench(args = args())]
fn slices(bencher: Bencher<'_, '_>, entry: &str) {
    buffers::with_queue(entry, false, Bench(bencher, Workload::Slices)).expect("a listed entry");
}
