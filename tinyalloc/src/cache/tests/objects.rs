//! Objects in their boxes: placement, alignment, drops, comparison, raw pointers, and
//! what the slab headers cost.

use super::*;

#[test]
fn an_object_lives_in_its_box_and_its_slot_comes_back() {
    {
        let cache = Cache::<u64, 0>::new().unwrap();
        let mut boxed = cache.alloc(7).unwrap();
        *boxed += 1;
        assert_eq!(*boxed, 8);
        assert_eq!(std::format!("{boxed:?}"), "8");
        let stats = cache.stats();
        assert_eq!((stats.in_use, stats.high_water, stats.slabs), (1, 1, 1));
        assert_eq!(stats.capacity, Cache::<u64, 0>::SLOTS_IN_MASTER);
        drop(boxed);
        assert_eq!(cache.stats().in_use, 0);
        assert_eq!(Heap::<0>::outstanding(), 1);
    }
    assert_eq!(Heap::<0>::outstanding(), 0);
}

#[test]
fn tiny_and_zero_sized_objects_get_slots_of_their_own() {
    #[derive(Debug, PartialEq, Clone, Copy)]
    struct Odd([u8; 3]);
    fn exercise<T: Copy + PartialEq + core::fmt::Debug>(make: impl Fn(u8) -> T) {
        let cache = Cache::<T, 1>::new().unwrap();
        let count = 3 * Cache::<T, 1>::SLOTS_PER_SLAB;
        let boxes: Vec<_> = (0..count)
            .map(|i| cache.alloc(make(i as u8)).unwrap())
            .collect();
        let mut addresses: Vec<usize> = boxes.iter().map(|b| &**b as *const T as usize).collect();
        for (i, b) in boxes.iter().enumerate() {
            assert_eq!(**b, make(i as u8));
            assert_eq!((&**b as *const T as usize) % core::mem::align_of::<T>(), 0);
        }
        addresses.sort_unstable();
        addresses.dedup();
        assert_eq!(addresses.len(), count, "two boxes share a slot");
        assert!(cache.stats().slabs >= 3);
    }
    exercise(|i| i);
    exercise(|_| ());
    exercise(Odd::from_byte);
    impl Odd {
        fn from_byte(i: u8) -> Odd {
            Odd([i, i.wrapping_add(1), i.wrapping_add(2)])
        }
    }
    assert_eq!(Heap::<1>::outstanding(), 0);
}

#[test]
fn over_aligned_objects_are_aligned() {
    #[repr(align(64))]
    struct Line([u8; 64]);
    let cache = SlabCache::<Line, SpinLock, 1024, Heap<2>>::new().unwrap();
    let lines: Vec<_> = (0..40)
        .map(|i| cache.alloc(Line([i; 64])).unwrap())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(&**line as *const Line as usize % 64, 0);
        assert!(line.0.iter().all(|&b| b == i as u8));
    }
}

#[test]
fn each_object_is_dropped_exactly_once() {
    let token = Rc::new(());
    let cache = Cache::<Rc<()>, 3>::new().unwrap();
    let boxes: Vec<_> = (0..100)
        .map(|_| cache.alloc(Rc::clone(&token)).unwrap())
        .collect();
    assert_eq!(Rc::strong_count(&token), 101);
    drop(boxes);
    assert_eq!(Rc::strong_count(&token), 1);
    drop(cache);
    assert_eq!(Heap::<3>::outstanding(), 0);
}

#[test]
fn into_inner_moves_the_object_out_and_frees_its_slot_without_dropping_it() {
    let token = Rc::new(());
    let cache = Cache::<Rc<()>, 22>::new().unwrap();
    let boxed = cache.alloc(Rc::clone(&token)).unwrap();
    let inner: Rc<()> = SlabBox::into_inner(boxed);
    assert_eq!((Rc::strong_count(&token), cache.stats().in_use), (2, 0));
    drop(inner);
    assert_eq!(Rc::strong_count(&token), 1);
    let again = cache.alloc(Rc::clone(&token)).unwrap(); // the same slot, reused
    drop(again);
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn a_box_compares_hashes_and_prints_as_its_object_and_pins_it() {
    use core::marker::PhantomPinned;
    use std::collections::HashSet;
    use std::format;

    let cache = Cache::<u32, 23>::new().unwrap();
    let (one, also_one, two) = (
        cache.alloc(1).unwrap(),
        cache.alloc(1).unwrap(),
        cache.alloc(2).unwrap(),
    );
    assert!(one == also_one && one < two && two.cmp(&one).is_gt());
    let set: HashSet<_> = [one, also_one, two].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&2)); // through `Borrow<u32>`

    let boxed = cache.alloc(7).unwrap();
    let address = format!("{boxed:p}");
    let raw = SlabBox::into_raw(boxed);
    assert_eq!(address, format!("{raw:p}"));
    // SAFETY: `raw` came from `into_raw` of a box of this very type, once.
    drop(unsafe { SlabBox::<u32, NoLock, 512>::from_raw(raw) }.unwrap());

    /// An object that must not move once pinned.
    struct Anchored(u32, PhantomPinned);
    let anchored = Cache::<Anchored, 23>::new().unwrap();
    let pinned = SlabBox::into_pin(anchored.alloc(Anchored(5, PhantomPinned)).unwrap());
    let at = &*pinned as *const Anchored;
    let moved = pinned; // moving the pinned box leaves the object where it was
    assert_eq!((&*moved as *const Anchored, moved.0), (at, 5));
    drop(moved);
    assert_eq!(anchored.stats().in_use, 0);
}

#[test]
fn into_raw_and_from_raw_round_trip_and_foreign_pointers_are_refused() {
    let cache = Cache::<u64, 4>::new().unwrap();
    let boxed = cache.alloc(41).unwrap();
    let raw = SlabBox::into_raw(boxed);
    assert_eq!(cache.stats().in_use, 1);
    // SAFETY: `raw` came from `into_raw` of a box of this very type.
    let mut back = unsafe { SlabBox::<u64, NoLock, 512>::from_raw(raw) }.unwrap();
    *back += 1;
    assert_eq!(*back, 42);

    // Between two slots: the header checks out, the offset does not.
    let inside = NonNull::new(raw.as_ptr().cast::<u8>().wrapping_add(1))
        .unwrap()
        .cast::<u64>();
    // SAFETY: the pointer lies inside a live slab, so the header is readable; the
    // call must refuse it.
    let refused = unsafe { SlabBox::<u64, NoLock, 512>::from_raw(inside) };
    assert_eq!(refused.err(), Some(SlabError::InvalidPointer));

    // A cache of another slot size.
    // SAFETY: as above; a 32-byte slot size does not match this slab's 8.
    let refused = unsafe { SlabBox::<[u64; 4], NoLock, 512>::from_raw(raw.cast()) };
    assert_eq!(refused.err(), Some(SlabError::InvalidPointer));

    // A block that is no slab at all: zeroes where the magic would be.
    let layout = Layout::from_size_align(512, 512).unwrap();
    // SAFETY: a non-zero size.
    let plain = unsafe { std::alloc::alloc_zeroed(layout) };
    let fake = NonNull::new(plain.wrapping_add(64)).unwrap().cast::<u64>();
    // SAFETY: the whole 512-byte block around `fake` is readable.
    let refused = unsafe { SlabBox::<u64, NoLock, 512>::from_raw(fake) };
    assert_eq!(refused.err(), Some(SlabError::InvalidPointer));
    // SAFETY: allocated above with this layout.
    unsafe { std::alloc::dealloc(plain, layout) };
    drop(back);
    assert_eq!(cache.stats().in_use, 0);
}

#[test]
fn a_panic_while_building_or_dropping_an_object_frees_its_slot() {
    struct Loud;
    impl Drop for Loud {
        fn drop(&mut self) {
            panic!("drop panics");
        }
    }
    let cache = SlabCache::<Loud, SpinLock, 512, Heap<6>>::new().unwrap();
    let built = catch_unwind(AssertUnwindSafe(|| {
        cache.alloc_with(|| panic!("make panics"))
    }));
    assert!(built.is_err());
    assert_eq!(cache.stats().in_use, 0);
    let boxed = cache.alloc(Loud).unwrap();
    assert!(catch_unwind(AssertUnwindSafe(move || drop(boxed))).is_err());
    assert_eq!(cache.stats().in_use, 0);
}

#[test]
#[cfg(target_pointer_width = "64")]
fn headers_cost_what_the_module_docs_say() {
    use core::mem::size_of;
    assert_eq!(size_of::<super::slab::SlabHeader>(), 88);
    let master = size_of::<super::slab::MasterCore>();
    assert_eq!(master - size_of::<super::slab::SlabHeader>(), 104);
    // A 4-byte object on a 64-bit host takes an 8-byte slot (it must hold a link).
    assert_eq!(
        SlabCache::<u32, NoLock, 1024, Heap<13>>::SLOTS_PER_SLAB,
        (1024 - 88) / 8
    );
}

#[test]
fn page_aligned_and_zero_sized_objects_with_drop_glue_are_placed_and_dropped() {
    #[repr(align(4096))]
    struct Page([u8; 4096]);
    type Pages = SlabCache<Page, SpinLock, 16384, Heap<19>>;
    assert_eq!(
        (
            Pages::SLOT_SIZE,
            Pages::SLOTS_IN_MASTER,
            Pages::SLOTS_PER_SLAB
        ),
        (4096, 3, 3)
    );
    let pages = Pages::with_reserve(0).unwrap();
    let boxes: Vec<_> = (0..7)
        .map(|i| pages.alloc(Page([i; 4096])).unwrap())
        .collect();
    for (i, page) in boxes.iter().enumerate() {
        assert_eq!(&**page as *const Page as usize % 4096, 0);
        assert!(page.0.iter().all(|&b| b == i as u8));
    }
    assert_eq!(pages.stats().slabs, 3);
    drop(boxes);
    assert_eq!(Heap::<19>::outstanding(), 1);
    drop(pages);
    assert_eq!(Heap::<19>::outstanding(), 0);

    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Token;
    impl Drop for Token {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
        }
    }
    let tokens = SlabCache::<Token, NoLock, 512, Heap<19>>::new().unwrap();
    let raw = SlabBox::into_raw(tokens.alloc(Token).unwrap());
    let kept: Vec<_> = (0..100).map(|_| tokens.alloc(Token).unwrap()).collect();
    assert_eq!(tokens.stats().in_use, 101);
    drop(kept);
    assert_eq!(DROPS.load(Ordering::SeqCst), 100);
    // SAFETY: from `into_raw` of a box of this very type, once.
    drop(unsafe { SlabBox::<Token, NoLock, 512>::from_raw(raw) }.unwrap());
    assert_eq!(DROPS.load(Ordering::SeqCst), 101);
    assert_eq!(tokens.stats().in_use, 0);
    drop(tokens);
    assert_eq!(Heap::<19>::outstanding(), 0);
}
