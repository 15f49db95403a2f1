//! Taking and giving back blocks: round trips, refusals of the size or a full pool,
//! reuse, the high-water mark and `clear`.

use super::*;

#[test]
fn alloc_get_free_round_trip() {
    let mut alloc = TinySlabAllocator::<1024, 32>::new();
    let (h, buf) = alloc.alloc_uninit(16).unwrap();
    assert_eq!(buf.len(), 16);
    buf.copy_from_slice(b"0123456789abcdef");
    assert_eq!(alloc.get(h).unwrap(), b"0123456789abcdef");
    alloc.get_mut(h).unwrap()[0] = b'X';
    assert_eq!(alloc.get(h).unwrap()[0], b'X');
    let empty = alloc.alloc(b"").unwrap();
    assert_eq!(alloc.get(empty), Some(&[][..]));
    assert_eq!(alloc.len(), 2);
    alloc.free(h);
    alloc.free(empty);
    assert_eq!(alloc.len(), 0);
}

#[test]
fn too_large_fails_and_changes_nothing_but_the_count() {
    let mut alloc = TinySlabAllocator::<1024, 32>::new();
    let keep = alloc.alloc(b"kept").unwrap();
    let err = alloc.alloc_uninit(64).unwrap_err();
    assert_eq!(
        err,
        AllocError::TooLarge {
            requested: 64,
            block_size: 32
        }
    );
    assert_eq!(
        alloc.alloc(&[0; 33]).unwrap_err(),
        AllocError::TooLarge {
            requested: 33,
            block_size: 32
        }
    );
    assert_eq!(alloc.len(), 1);
    assert_eq!(alloc.get(keep), Some(&b"kept"[..]));
    let stats = alloc.stats();
    assert_eq!(stats.failed_allocs, 2);
    assert_eq!(stats.in_use, 1);
    // a request of exactly one block is fine
    assert!(alloc.alloc_uninit(32).is_ok());
}

#[test]
fn full_pool_fails_with_out_of_memory_and_recovers() {
    let mut alloc = TinySlabAllocator::<64, 4>::new();
    let handles: Vec<_> = (0..4u8).map(|i| alloc.alloc(&[i; 16]).unwrap()).collect();
    assert_eq!(alloc.alloc(b"x"), Err(AllocError::OutOfMemory));
    assert_eq!(alloc.stats().failed_allocs, 1);
    for (i, &h) in handles.iter().enumerate() {
        assert_eq!(alloc.get(h).unwrap(), &[i as u8; 16]);
    }
    alloc.free(handles[2]);
    let again = alloc.alloc(b"again").unwrap();
    assert_eq!(again.index(), handles[2].index());
    assert_ne!(again, handles[2]);
}

#[test]
fn freed_slots_are_reused_last_in_first_out() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let hs: Vec<_> = (0..5).map(|_| alloc.alloc(b"").unwrap()).collect();
    alloc.free(hs[1]);
    alloc.free(hs[3]);
    assert_eq!(alloc.alloc(b"").unwrap().index(), 3);
    assert_eq!(alloc.alloc(b"").unwrap().index(), 1);
    assert_eq!(alloc.alloc(b"").unwrap().index(), 5, "then fresh slots");
}

#[test]
fn high_water_mark_remembers_the_peak() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let hs: Vec<_> = (0..6).map(|_| alloc.alloc(b"").unwrap()).collect();
    for h in hs {
        alloc.free(h);
    }
    let _ = alloc.alloc(b"").unwrap();
    let stats = alloc.stats();
    assert_eq!((stats.in_use, stats.high_water, stats.blocks), (1, 6, 8));
}

#[test]
fn clear_frees_everything_and_stales_every_handle() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let hs: Vec<_> = (0..8u8).map(|i| alloc.alloc(&[i]).unwrap()).collect();
    alloc.free(hs[4]);
    alloc.clear();
    assert!(alloc.is_empty());
    for &h in &hs {
        assert_eq!(alloc.get(h), None);
    }
    let again: Vec<_> = (0..8).map(|_| alloc.alloc(b"").unwrap()).collect();
    for (old, new) in hs.iter().zip(&again) {
        assert_eq!(old.index(), new.index());
        assert_ne!(old, new);
        assert_eq!(alloc.get(*old), None);
    }
    assert!(alloc.alloc(b"").is_err());
}

#[test]
fn after_clear_blocks_come_from_the_start_and_the_peak_is_kept() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let hs: Vec<_> = (0..5).map(|_| alloc.alloc(b"").unwrap()).collect();
    alloc.free(hs[3]);
    alloc.clear();
    let a = alloc.alloc(b"a").unwrap();
    let b = alloc.alloc(b"b").unwrap();
    assert_eq!((a.index(), b.index()), (0, 1));
    alloc.free(a);
    assert_eq!(
        alloc.alloc(b"").unwrap().index(),
        0,
        "the freed block first"
    );
    assert_eq!(
        alloc.alloc(b"").unwrap().index(),
        2,
        "then the next from the start"
    );
    assert_eq!(alloc.stats().high_water, 5);
    let more: Vec<_> = (0..5).map(|_| alloc.alloc(b"").unwrap()).collect();
    assert_eq!(more.last().unwrap().index(), 7);
    assert_eq!(alloc.stats().high_water, 8);
    assert_eq!(alloc.get(b), Some(&b"b"[..]));
}
