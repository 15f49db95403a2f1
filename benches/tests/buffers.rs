//! Every byte-queue entry runs both workloads and hands the bytes back in the order
//! they went in: the figures in the report are for queues that work.

use tinyalloc_bench::buffers::{self, ByteQueue, Workload};

/// Pushes `0, 1, 2, …` one at a time or in slices, pops them back the same way and
/// checks the order; then runs the measured workload once.
struct InOrder(Workload);

impl buffers::Visitor for InOrder {
    type Out = u64;

    fn visit<Q: ByteQueue>(self, mut queue: Q) -> u64 {
        let data: Vec<u8> = (0..buffers::BYTES).map(|i| (i % 251) as u8).collect();
        let mut back = Vec::with_capacity(data.len());
        match self.0 {
            Workload::Bytes => {
                for &byte in &data {
                    assert!(queue.push(byte));
                }
                while let Some(byte) = queue.pop() {
                    back.push(byte);
                }
            }
            Workload::Slices => {
                for slice in data.chunks(buffers::SLICE) {
                    assert!(queue.push_slice(slice));
                }
                let mut out = [0u8; buffers::SLICE];
                loop {
                    let n = queue.pop_slice(&mut out);
                    if n == 0 {
                        break;
                    }
                    back.extend_from_slice(&out[..n]);
                }
            }
        }
        assert_eq!(back, data);
        buffers::run(&mut queue, self.0).units
    }
}

#[test]
fn every_queue_entry_returns_its_bytes_in_order() {
    // One test, not one per entry: the global instance and the `static` queues are
    // shared by the whole process.
    let names: Vec<&str> = buffers::ENTRIES.iter().map(|entry| entry.name).collect();
    for name in ["tinyalloc-pool-deque", "tinyalloc-global-deque"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    for entry in buffers::ENTRIES {
        for workload in Workload::ALL {
            let bytes = workload == Workload::Bytes;
            let Some(units) = buffers::with_queue(entry.name, bytes, InOrder(workload)) else {
                assert!(
                    bytes && entry.name == "tinyalloc-buffer",
                    "{} has no {} run",
                    entry.name,
                    workload.name()
                );
                continue;
            };
            assert_eq!(
                units,
                (buffers::ROUNDS * buffers::BYTES) as u64,
                "{}",
                entry.name
            );
        }
    }
}

/// heapless's `spsc::Queue` documentation: "To get better performance, use a value
/// for `N` that is a power of two"; with any other `N` every index step is a
/// remainder by `N`. The entry still has to hold the workload's `BYTES` (`N - 1`).
#[test]
fn the_spsc_queue_is_sized_as_heapless_advises() {
    let n = buffers::SPSC_N;
    assert!(n.is_power_of_two(), "heapless-spsc's N = {n}");
    let queue = heapless::spsc::Queue::<u8, { buffers::SPSC_N }>::new();
    assert!(
        queue.capacity() >= buffers::BYTES,
        "holds {}",
        queue.capacity()
    );
}
