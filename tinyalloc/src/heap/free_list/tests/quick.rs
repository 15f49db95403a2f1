//! The quick slots: blocks that wait for a request of their size, and when they merge.

use super::*;

#[test]
fn a_freed_block_waits_for_the_next_request_of_its_size() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let [a, b, c, _guard] = [64; 4].map(|size| t.alloc(size));
    t.free(a);
    t.free(c);
    t.free(b); // the third of one size: freed for real, not merged with a or c
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(t.alloc(64), c, "the last one waiting comes back first");
    assert_eq!(t.alloc(64), a);
    // Only exact sizes are served from a slot: a 56-byte block waits for 56 bytes.
    let d = t.alloc(56);
    t.free(d);
    assert_ne!(t.alloc(48), d);
    assert_eq!(t.alloc(56), d);
    t.free_all();
    // `stats` merges what waits: the heap is one free block again.
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (0, stats.free));
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn waiting_blocks_are_merged_before_a_request_fails() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let mut blocks = Vec::new();
    loop {
        let block = t.alloc(32);
        if block.is_null() {
            break;
        }
        blocks.push(block);
    }
    let failed = heap.stats().failed_allocs;
    // Two of them wait in the slots, every other one lies between them: no free
    // block holds 96 bytes until the waiting ones are merged.
    for &block in blocks.iter().step_by(2).take(3) {
        t.free(block);
    }
    t.free(blocks[1]);
    let wide = t.alloc(96);
    assert_eq!(wide, blocks[0], "a, b and c, merged");
    assert_eq!(heap.stats().failed_allocs, failed);
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    let stats = heap.stats();
    assert_eq!(stats.largest_free, stats.free);
}

#[test]
fn after_merging_the_search_finds_the_merged_block_ahead_of_a_long_list() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let blocks = t.alloc_until_full(32);
    // Two blocks wait in the 32-byte slots with one freed for real between them,
    // then every other block from the sixth on is freed too: a long list of 32-byte
    // blocks, none of which holds 96 bytes.
    t.free(blocks[0]);
    t.free(blocks[2]);
    t.free(blocks[1]);
    for &block in blocks.iter().skip(5).step_by(2) {
        t.free(block);
    }
    assert_eq!(waiting(&heap), 2);
    // Merged, the first three make 96 bytes, filed at the front of their list; the
    // search after the merge looks at as many blocks of each list as were merged.
    assert_eq!(t.alloc(96), blocks[0]);
    assert_eq!(waiting(&heap), 0);
    assert_eq!(heap.verify(), Ok(()));
    // Nothing else serves 96 bytes: the next request fails, and is counted.
    let failed = heap.stats().failed_allocs;
    assert!(t.alloc(96).is_null());
    assert_eq!(heap.stats().failed_allocs, failed + 1);
    t.free_all();
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (0, stats.free));
}

#[test]
fn a_request_larger_than_the_heap_fails_at_once_and_leaves_the_slots_alone() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(32);
    let _live = t.alloc(16);
    t.free(a);
    assert_eq!(waiting(&heap), 1);
    let before = heap.stats();
    assert!(t.alloc(before.used + before.free + 8).is_null());
    assert_eq!(
        waiting(&heap),
        1,
        "nothing merged for a request nothing could serve"
    );
    assert_eq!(heap.stats().failed_allocs, before.failed_allocs + 1);
    // The whole heap: merging could serve it were nothing live; here it fails after
    // merging what waits.
    assert!(t.alloc(before.used + before.free).is_null());
    assert_eq!(waiting(&heap), 0);
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn realloc_grows_into_a_waiting_block() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(40);
    let b = t.alloc(40);
    let _guard = t.alloc(16);
    t.fill(a, 3);
    t.free(b); // waits in a slot; the program sees free memory after `a`
    assert_eq!(t.realloc(a, 80), a, "grew into the waiting block");
    assert!(t.holds_first(a, 40, 3));
    assert_eq!(heap.verify(), Ok(()));
    assert_ne!(t.alloc(40), b, "b is part of a now");
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
}

/// A free block too small for the growth, then a waiting one: the program sees
/// free memory enough after `a`, and the realloc stays in place.
#[test]
fn realloc_grows_into_a_free_block_and_the_waiting_block_behind_it() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(64);
    let x = t.alloc(32);
    let q = t.alloc(64);
    let _guard = t.alloc(16);
    let fillers = [t.alloc(32), t.alloc(32)];
    let _guard = t.alloc(16);
    for filler in fillers {
        t.free(filler); // the 32-byte slots fill
    }
    t.free(x); // the third of its size: filed as a free block after `a`
    t.free(q); // waits in a slot, after `x`
    t.fill(a, 9);
    assert_eq!(t.realloc(a, 64 + 32 + 64), a, "grew into x and q");
    assert!(t.holds_first(a, 64, 9));
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
    let stats = heap.stats();
    assert_eq!(stats.largest_free, stats.free);
}

/// As above, but `x` and `q` together would leave 8 bytes: a further waiting block
/// is merged too.
#[test]
fn realloc_merges_waiting_blocks_until_the_rest_is_not_eight_bytes() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(64);
    let x = t.alloc(32);
    let q = t.alloc(64);
    let r = t.alloc(24);
    let _guard = t.alloc(16);
    let fillers = [t.alloc(32), t.alloc(32)];
    let _guard = t.alloc(16);
    for filler in fillers {
        t.free(filler);
    }
    t.free(x);
    t.free(q);
    t.free(r);
    // 64 + 88 = 152 bytes: x and q (96) would leave 8; with r (24), 32 are left.
    assert_eq!(t.realloc(a, 152), a, "grew into x, q and r");
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(heap.stats().used, 152 + 16 + 16);
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
}

/// Growing through many waiting blocks merges every waiting block at once after the
/// first (one scan of the slots, not one a block): the growth, the heap and a block
/// that waited elsewhere all come out as if merged one by one.
#[test]
fn realloc_grows_through_many_waiting_blocks() {
    let heap = FreeListAllocator::<8192>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    // Ten waiting blocks of distinct sizes right after `a`, then a live guard.
    let sizes: [usize; 10] = core::array::from_fn(|i| 24 + 8 * i);
    let behind: Vec<_> = sizes.iter().map(|&size| t.alloc(size)).collect();
    let _guard = t.alloc(16);
    // One more waiting block elsewhere, between live blocks.
    let elsewhere = t.alloc(200);
    let _guard = t.alloc(16);
    for block in behind {
        t.free(block);
    }
    t.free(elsewhere);
    t.fill(a, 0xA5);
    let used = heap.stats().used;
    let growth: usize = sizes.iter().sum();
    assert_eq!(
        t.realloc(a, 16 + growth),
        a,
        "grew in place through all ten"
    );
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(heap.stats().used, used + growth);
    assert!(t.holds_first(a, 16, 0xA5));
    // The block that waited elsewhere is free memory like any other.
    let again = t.alloc(200);
    assert!(!again.is_null());
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn every_quick_size_edge_waits_and_merges_back_without_loss() {
    let heap = FreeListAllocator::<8192>::new();
    let mut t = Tester::new(&heap);
    let free = heap.stats().free;
    // 1 and 16 bytes round to the smallest slot, 512 to the largest; 513 has none.
    let sizes = [1, 16, 17, 504, 512, 513, 1, 512];
    let blocks = sizes.map(|size| t.alloc(size));
    let keep = t.alloc(24);
    for &block in &blocks {
        t.free(block);
    }
    let stats = heap.stats();
    assert_eq!(stats.free, free - 24, "{stats}");
    // Everything below `keep` merges into one block.
    let below = keep as usize - blocks[0] as usize;
    assert_eq!(stats.largest_free, below.max(free - 24 - below), "{stats}");
    assert_eq!(heap.verify(), Ok(()));
    // The exact sizes come back from their slots, most recent first; a slot holds
    // two blocks, so the third 16-byte one (blocks[6]) was freed for real.
    assert_eq!(t.alloc(512), blocks[7]);
    assert_eq!(t.alloc(9), blocks[1]);
    assert_eq!(t.alloc(16), blocks[0]);
    t.free_all();
    let empty = heap.stats();
    assert_eq!(
        (empty.used, empty.free, empty.largest_free),
        (0, free, free)
    );
    assert!(fits(&heap, Layout::from_size_align(free, 8).unwrap()));
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn waiting_blocks_come_in_address_order_in_any_slot_order() {
    use crate::heap::free_list::quick::MAX_WAITING;
    let mut rng = crate::heap::tests::Rng::new(11);
    let rounds = if cfg!(miri) { 8 } else { 400 };
    for round in 0..rounds {
        let mut engine = FreeList::NEW;
        // Round 0: every slot full, addresses falling as the slots go up (the order
        // an insertion sort took longest on); round 1: rising; then random offsets,
        // some slots empty.
        let mut wanted = Vec::new();
        for (slot, off) in engine.quick.as_flattened_mut().iter_mut().enumerate() {
            let value = match round {
                0 => (MAX_WAITING - slot) as u32 * 1024,
                1 => (slot + 1) as u32 * 1024,
                _ if rng.below(4) == 0 => 0,
                // Distinct, as the offsets of blocks that do not overlap are.
                _ => ((rng.below(1 << 20) as u32) << 8) | (slot as u32 + 1),
            };
            *off = value;
            if value != 0 {
                wanted.push((value as usize, MIN_BLOCK + slot / 2 * GRANULE));
            }
        }
        wanted.sort_unstable();
        let sorted = engine.waiting_by_address();
        assert_eq!(sorted.len(), wanted.len());
        assert_eq!(sorted.iter().collect::<Vec<_>>(), wanted, "round {round}");
    }
}
