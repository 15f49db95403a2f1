//! A `SlabCache` against a model of its live objects and of the provider's blocks:
//! alloc, alloc_with, drop, writes, `into_raw`/`from_raw` round trips, `from_raw` on
//! pointers that are no slot (between slots of a live slab, in a provider block that
//! is no slab, in a slab of a cache of another slot size), trim, and dropping the
//! cache while boxes live. The provider answers each request as the input scripts it
//! (a slab, `None`, or a misaligned block) and can report errors on free.
//!
//! After every step: each object holds its value, aligned and apart from the others;
//! every slab the provider has out holds a live object, or is the master, or is one of
//! the empty slaves the cache keeps, as many as the model of `reserve` says (a slave
//! that empties is kept while fewer are, and taken again before the provider is
//! asked); `CacheStats` agree with the model and the provider's own counts; and every
//! `Wide` object (the type with drop glue) was dropped exactly when its box or its
//! moved-out value went, once. `alloc_with` calls `make` exactly when it has a slot.
//! An allocation calls the provider exactly when every slot is taken, and then fails
//! exactly as the provider's answer says, having handed a misaligned block straight
//! back. At the end every block is back with the provider and every object dropped.

use std::alloc::Layout;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::ptr::NonNull;

use arbitrary::Arbitrary;
use tinyalloc::cache::SlabError;
use tinyalloc::cache::locks::{Lock, NoLock, SpinLock};
use tinyalloc::{SlabBox, SlabCache};

use crate::MAX_OPS;
pub use crate::scripted::Answer;
use crate::scripted::{Scripted, books};

/// One step. Picks index the live list modulo its length.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    Alloc(u32),
    AllocWith(u32),
    Drop(u8),
    Write {
        pick: u8,
        value: u32,
    },
    /// `into_raw`, then `from_raw` of that pointer.
    RawRoundTrip(u8),
    /// `SlabBox::into_inner`: the value comes out and the slot is free.
    IntoInner(u8),
    /// `from_raw` of a pointer into a live object's slab that is not a slot.
    BetweenSlots {
        pick: u8,
        offset: u16,
    },
    /// `from_raw` of a pointer into a block from the provider that is not a slab.
    NotASlab {
        offset: u16,
    },
    /// `from_raw` of a slot of a cache of another slot size.
    OtherCache,
    /// Scripts the provider's answer to a coming request (in order).
    Script(Answer),
    /// The next `n % 4` frees report an error.
    FailFrees(u8),
    Trim,
    /// Drops the cache value; its boxes live on, and the last one out returns the
    /// slabs.
    DropCache,
}

/// The input: which cache, how it starts, and the operations.
#[derive(Arbitrary, Debug)]
pub struct Input {
    /// `Wide` objects (align 64) in 1 KiB slabs with `NoLock`, else `[u32; 5]` in
    /// 256-byte slabs with `SpinLock`.
    pub wide: bool,
    /// Empty slave slabs to keep: `reserve % 3`.
    pub reserve: u8,
    /// `lazy_with_reserve` (master on first use) rather than `with_reserve`.
    pub lazy: bool,
    /// The provider's answer when `with_reserve` asks for the master.
    pub first: Answer,
    pub ops: Vec<Op>,
}

/// An object type of the cache: made from a `u32`, which it must still say.
pub trait Item {
    fn make(value: u32) -> Self;
    fn value(&self) -> u32;
    /// Objects made and not dropped yet, for a type that counts them.
    fn undropped() -> Option<usize> {
        None
    }
}

impl Item for [u32; 5] {
    fn make(value: u32) -> Self {
        [
            value,
            !value,
            value.rotate_left(7),
            value ^ 0x5555_5555,
            value,
        ]
    }
    fn value(&self) -> u32 {
        assert_eq!(*self, Self::make(self[0]), "an object lost its bytes");
        self[0]
    }
}

/// An over-aligned object with drop glue, which counts how many were made and
/// dropped. (`[u32; 5]` has none, so the boxes' other drop path is fuzzed too.)
#[repr(align(64))]
#[derive(Debug)]
pub struct Wide([u32; 10]);

thread_local! {
    /// `Wide` objects made and dropped in this run.
    static WIDE: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

impl Wide {
    fn words(value: u32) -> [u32; 10] {
        core::array::from_fn(|i| value.rotate_left(i as u32))
    }
}

impl Item for Wide {
    fn make(value: u32) -> Self {
        WIDE.set((WIDE.get().0 + 1, WIDE.get().1));
        Wide(Self::words(value))
    }
    fn value(&self) -> u32 {
        assert_eq!(self.0, Self::words(self.0[0]), "an object lost its bytes");
        self.0[0]
    }
    fn undropped() -> Option<usize> {
        let (made, dropped) = WIDE.get();
        Some(made - dropped)
    }
}

impl Drop for Wide {
    fn drop(&mut self) {
        // A dropped object holds 0xDEAD_DEAD in every word, which `words` never makes
        // (its second word is the first rotated): a second drop, or a read of a
        // dropped object, fails here or in `value`.
        assert_eq!(
            self.0,
            Self::words(self.0[0]),
            "an object dropped twice, or after its bytes were lost"
        );
        self.0 = [0xDEAD_DEAD; 10];
        WIDE.set((WIDE.get().0, WIDE.get().1 + 1));
    }
}

struct Model<T, L: Lock, const SLAB: usize> {
    live: Vec<(SlabBox<T, L, SLAB>, u32)>,
    /// The master slab: the first block handed out to this cache.
    master: Option<usize>,
    reserve: usize,
    /// Empty slaves the cache keeps now: a slave that empties joins them while they
    /// are fewer than `reserve`, and an allocation that finds every other slot taken
    /// takes one of them before it asks the provider.
    kept: usize,
    high_water: usize,
    failed: usize,
}

type Cache<T, L, const SLAB: usize> = SlabCache<T, L, SLAB, Scripted<0>>;

impl<T: Item, L: Lock, const SLAB: usize> Model<T, L, SLAB> {
    fn slab_of(addr: usize) -> usize {
        addr & !(SLAB - 1)
    }

    /// Whether offset `at` of `slab` starts one of its slots, given that one slot
    /// starts at offset `known`. The slots fill the slab from the first one on, as
    /// many as fit, so the first is the only offset in line with `known` that leaves
    /// room for all of them and for no more.
    fn is_slot_start(&self, slab: usize, known: usize, at: usize) -> bool {
        let size = Cache::<T, L, SLAB>::SLOT_SIZE;
        let slots = if Some(slab) == self.master {
            Cache::<T, L, SLAB>::SLOTS_IN_MASTER
        } else {
            Cache::<T, L, SLAB>::SLOTS_PER_SLAB
        };
        let last_first = SLAB - slots * size;
        let first = last_first - (last_first - known % size) % size;
        at >= first && (at - first).is_multiple_of(size) && (at - first) / size < slots
    }

    /// Takes the live object at `index` out of the model, first noting whether its
    /// slab is a slave that it leaves empty, which the cache then keeps or returns.
    fn take(&mut self, index: usize, cache_alive: bool) -> (SlabBox<T, L, SLAB>, u32) {
        let slab_of = |boxed: &SlabBox<T, L, SLAB>| Self::slab_of(&**boxed as *const T as usize);
        let slab = slab_of(&self.live[index].0);
        let others = self.live.iter().filter(|(b, _)| slab_of(b) == slab).count() - 1;
        if others == 0 && Some(slab) != self.master && cache_alive && self.kept < self.reserve {
            self.kept += 1;
        }
        self.live.swap_remove(index)
    }

    fn capacity(slabs: usize) -> usize {
        match slabs {
            0 => 0,
            n => {
                Cache::<T, L, SLAB>::SLOTS_IN_MASTER + (n - 1) * Cache::<T, L, SLAB>::SLOTS_PER_SLAB
            }
        }
    }

    /// The result of an allocation, given whether it had to ask the provider and what
    /// the provider was scripted to say.
    fn allocated(
        &mut self,
        result: tinyalloc::Result<SlabBox<T, L, SLAB>>,
        value: u32,
        asked: Option<Answer>,
        calls_before: usize,
    ) {
        let (calls, _) = Scripted::<0>::counts();
        let expected_calls = match asked {
            None => 0,
            Some(Answer::Misaligned) => 2, // taken, then handed straight back
            Some(_) => 1,
        };
        assert_eq!(calls - calls_before, expected_calls, "provider calls");
        match (result, asked) {
            (Ok(boxed), None | Some(Answer::Slab)) => {
                if asked.is_none() && self.kept > 0 && self.reserve_slots_only() {
                    self.kept -= 1; // the slot came from a reserve slab
                }
                if asked.is_some() && self.master.is_none() {
                    let addr = &*boxed as *const T as usize;
                    self.master = Some(Self::slab_of(addr));
                }
                self.live.push((boxed, value));
                self.high_water = self.high_water.max(self.live.len());
            }
            (Err(SlabError::OutOfMemory), Some(Answer::Refuse))
            | (Err(SlabError::AlignmentMismatch), Some(Answer::Misaligned)) => self.failed += 1,
            (result, asked) => panic!(
                "provider answered {asked:?}, the allocation gave {:?}",
                result.map(|_| ())
            ),
        }
    }

    /// Whether every free slot the cache holds is in a reserve slab (before the
    /// allocation now being accounted, which `live` does not hold yet).
    fn reserve_slots_only(&self) -> bool {
        let slabs = Scripted::<0>::outstanding().len();
        self.live.len() + self.kept * Cache::<T, L, SLAB>::SLOTS_PER_SLAB == Self::capacity(slabs)
    }

    fn check(&self, cache: Option<&Cache<T, L, SLAB>>) {
        if let Some(undropped) = T::undropped() {
            assert_eq!(
                undropped,
                self.live.len(),
                "objects made and not dropped are not the live ones"
            );
        }
        let out = Scripted::<0>::outstanding();
        let mut per_slab: BTreeMap<usize, usize> = out.iter().map(|&s| (s, 0)).collect();
        let mut addrs = Vec::with_capacity(self.live.len());
        for (boxed, value) in &self.live {
            assert_eq!(boxed.value(), *value);
            let addr = &**boxed as *const T as usize;
            assert_eq!(addr % align_of::<T>(), 0, "a misaligned object");
            let Some(count) = per_slab.get_mut(&Self::slab_of(addr)) else {
                panic!("an object at {addr:#x} is in no slab the provider has out");
            };
            *count += 1;
            addrs.push(addr);
        }
        addrs.sort_unstable();
        for pair in addrs.windows(2) {
            assert!(
                pair[1] - pair[0] >= Cache::<T, L, SLAB>::SLOT_SIZE,
                "two objects overlap"
            );
        }
        let is_master = |slab: &usize| Some(*slab) == self.master;
        let empty_slaves = per_slab
            .iter()
            .filter(|&(slab, &n)| n == 0 && !is_master(slab))
            .count();
        let Some(cache) = cache else {
            // The cache value is gone: the slabs of live objects stay, and the master
            // with them until the last object goes; nothing else.
            assert_eq!(empty_slaves, 0, "an empty slab outlived its cache");
            if self.live.is_empty() {
                assert!(out.is_empty(), "the master outlived its last object");
            }
            return;
        };
        let stats = cache.stats();
        let (calls, errors) = Scripted::<0>::counts();
        assert_eq!(stats.in_use, self.live.len());
        assert_eq!(stats.high_water, self.high_water);
        assert_eq!(stats.failed_allocs, self.failed);
        assert_eq!(stats.slabs, out.len(), "the cache lost count of its slabs");
        assert_eq!(stats.capacity, Self::capacity(out.len()));
        assert_eq!(
            stats.reserve, empty_slaves,
            "an empty slab neither kept nor returned"
        );
        assert!(
            stats.reserve <= self.reserve,
            "more reserve slabs than asked for"
        );
        assert_eq!(
            stats.reserve, self.kept,
            "the reserve is not what with_reserve asked for"
        );
        assert_eq!(stats.provider_calls, calls);
        assert_eq!(stats.provider_errors, errors);
        if let Some(master) = self.master {
            assert!(
                out.contains(&master),
                "the master went back with its cache alive"
            );
        }
    }
}

/// `from_raw` of a pointer it must refuse; the object the pointer was made from is
/// left as it was.
fn refused<T, L: Lock, const SLAB: usize>(ptr: *mut u8) {
    let ptr = NonNull::new(ptr.cast::<T>()).expect("a pointer into a live block");
    // SAFETY: not from `into_raw`, but the `SLAB`-aligned block around it is a live
    // allocation read through a pointer derived from it, as `from_raw` requires of
    // such a pointer; it is refused before anything is built from it.
    let result = unsafe { SlabBox::<T, L, SLAB>::from_raw(ptr) };
    assert_eq!(
        result.err(),
        Some(SlabError::InvalidPointer),
        "{ptr:p} accepted"
    );
}

fn run_with<T: Item, L: Lock, const SLAB: usize>(input: &Input) {
    Scripted::<0>::reset();
    Scripted::<1>::reset();
    WIDE.set((0, 0));
    let reserve = usize::from(input.reserve % 3);
    let mut model = Model::<T, L, SLAB> {
        live: Vec::new(),
        master: None,
        reserve,
        kept: 0,
        high_water: 0,
        failed: 0,
    };
    let mut cache = if input.lazy {
        Some(Cache::<T, L, SLAB>::lazy_with_reserve(reserve))
    } else {
        books::<0, _>(|b| b.script.push_back(input.first));
        match Cache::<T, L, SLAB>::with_reserve(reserve) {
            Ok(cache) => {
                assert_eq!(input.first, Answer::Slab);
                model.master = Scripted::<0>::outstanding().first().copied();
                Some(cache)
            }
            Err(error) => {
                let expected = match input.first {
                    Answer::Refuse => SlabError::OutOfMemory,
                    Answer::Misaligned => SlabError::AlignmentMismatch,
                    Answer::Slab => panic!("with_reserve failed with a slab to use: {error}"),
                };
                assert_eq!(error, expected);
                assert!(Scripted::<0>::outstanding().is_empty(), "a block kept");
                return;
            }
        }
    };
    // A slot of a cache of another slot size, for `OtherCache`.
    let other = SlabCache::<u64, NoLock, SLAB, Scripted<1>>::lazy();
    let mut other_box = other.alloc(7).ok();

    for op in input.ops.iter().take(MAX_OPS) {
        match *op {
            Op::Alloc(value) | Op::AllocWith(value) => {
                let Some(cache) = &cache else { continue };
                let full = model.live.len()
                    == Model::<T, L, SLAB>::capacity(Scripted::<0>::outstanding().len());
                let asked = full.then(Scripted::<0>::next_answer);
                let (calls_before, _) = Scripted::<0>::counts();
                let result = if matches!(op, Op::Alloc(_)) {
                    cache.alloc(T::make(value)).map_err(|rejected| {
                        // A failed allocation hands the value back untouched.
                        assert_eq!(rejected.value().value(), value);
                        rejected.error()
                    })
                } else {
                    let made = Cell::new(false);
                    let result = cache.alloc_with(|| {
                        made.set(true);
                        T::make(value)
                    });
                    // `make` runs exactly when there is a slot for its object.
                    assert_eq!(made.get(), result.is_ok(), "alloc_with and make");
                    result
                };
                model.allocated(result, value, asked, calls_before);
            }
            Op::Drop(pick) if !model.live.is_empty() => {
                let index = usize::from(pick) % model.live.len();
                drop(model.take(index, cache.is_some()));
            }
            Op::Write { pick, value } if !model.live.is_empty() => {
                let index = usize::from(pick) % model.live.len();
                let (boxed, expected) = &mut model.live[index];
                **boxed = T::make(value);
                *expected = value;
            }
            Op::RawRoundTrip(pick) if !model.live.is_empty() => {
                let index = usize::from(pick) % model.live.len();
                let (boxed, value) = model.live.swap_remove(index);
                let raw = SlabBox::into_raw(boxed);
                // SAFETY: `raw` came from `into_raw` of a box of this very type, and
                // no other box was rebuilt from it.
                let boxed = unsafe { SlabBox::<T, L, SLAB>::from_raw(raw) };
                model
                    .live
                    .push((boxed.expect("a pointer from into_raw refused"), value));
            }
            Op::IntoInner(pick) if !model.live.is_empty() => {
                let index = usize::from(pick) % model.live.len();
                let (boxed, value) = model.take(index, cache.is_some());
                assert_eq!(SlabBox::into_inner(boxed).value(), value);
            }
            Op::BetweenSlots { pick, offset } if !model.live.is_empty() => {
                let index = usize::from(pick) % model.live.len();
                let (boxed, value) = model.live.swap_remove(index);
                // A pointer from `into_raw` covers the whole slab; one made from a
                // reference would cover the object only.
                let raw = SlabBox::into_raw(boxed);
                let slot = raw.as_ptr().cast::<u8>();
                let slab = slot.wrapping_sub(slot as usize % SLAB);
                // Any byte of the slab but the start of a slot: in the header, inside
                // or between slots, or in the tail no slot covers.
                let at = usize::from(offset) % SLAB;
                if !model.is_slot_start(slab as usize, slot as usize % SLAB, at) {
                    refused::<T, L, SLAB>(slab.wrapping_add(at));
                }
                // SAFETY: `raw` came from `into_raw` of a box of this very type, and
                // no other box was rebuilt from it.
                let boxed = unsafe { SlabBox::<T, L, SLAB>::from_raw(raw) };
                model
                    .live
                    .push((boxed.expect("a pointer from into_raw refused"), value));
            }
            Op::NotASlab { offset } => {
                let layout = Layout::from_size_align(SLAB, SLAB).unwrap();
                // SAFETY: a non-zero size.
                let block = unsafe { std::alloc::alloc_zeroed(layout) };
                assert!(!block.is_null());
                refused::<T, L, SLAB>(block.wrapping_add(usize::from(offset) % SLAB));
                // SAFETY: allocated above with this layout.
                unsafe { std::alloc::dealloc(block, layout) };
            }
            Op::OtherCache => {
                if let Some(boxed) = other_box.take() {
                    let raw = SlabBox::into_raw(boxed);
                    refused::<T, L, SLAB>(raw.as_ptr().cast());
                    // SAFETY: from `into_raw` of a box of this very type, rebuilt once.
                    let boxed = unsafe { SlabBox::<u64, NoLock, SLAB>::from_raw(raw) };
                    other_box = Some(boxed.expect("a pointer from into_raw refused"));
                }
            }
            Op::Script(answer) => books::<0, _>(|b| b.script.push_back(answer)),
            Op::FailFrees(n) => books::<0, _>(|b| b.failing_frees = usize::from(n % 4)),
            Op::Trim => {
                let Some(cache) = &cache else { continue };
                let (_, errors_before) = Scripted::<0>::counts();
                let result = cache.trim();
                let (_, errors) = Scripted::<0>::counts();
                let expected = if errors > errors_before {
                    Err(SlabError::FatalError)
                } else {
                    Ok(())
                };
                assert_eq!(result, expected);
                assert_eq!(cache.stats().reserve, 0, "trim kept a reserve slab");
                model.kept = 0;
            }
            Op::DropCache => {
                cache = None;
                model.kept = 0;
            }
            Op::Drop(_)
            | Op::Write { .. }
            | Op::RawRoundTrip(_)
            | Op::IntoInner(_)
            | Op::BetweenSlots { .. } => {}
        }
        model.check(cache.as_ref());
    }
    drop(model.live.drain(..));
    drop(cache);
    drop(other_box);
    drop(other);
    books::<0, _>(|b| assert!(b.out.is_empty(), "{} slabs never came back", b.out.len()));
    assert_eq!(
        T::undropped().unwrap_or(0),
        0,
        "an object was never dropped"
    );
    books::<1, _>(|b| {
        assert!(
            b.out.is_empty(),
            "a slab of the other cache never came back"
        )
    });
}

/// Runs the operations on a fresh cache of the chosen kind.
pub fn run(input: &Input) {
    if input.wide {
        run_with::<Wide, NoLock, 1024>(input);
    } else {
        run_with::<[u32; 5], SpinLock, 256>(input);
    }
}
