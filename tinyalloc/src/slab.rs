//! [`TinySlabAllocator`]: the O(1) fixed-block engine.
//!
//! `SIZE` bytes of storage are cut into `SLOTS` blocks of `SIZE / SLOTS` bytes. Each
//! slot has 4 bytes of metadata beside the storage (its generation and the length of
//! its allocation); nothing is kept inside a live block, so all of it is usable. A
//! free block holds the 2-byte link of the free list in its first bytes.
//!
//! | operation | time | measured | notes |
//! | --- | --- | --- | --- |
//! | `alloc_uninit`, `alloc` | O(1) | 37 instructions per `alloc_uninit` + `free` pair, 41 with `alloc` copying 64 bytes in (`slab`: 43) | pops the free list, or takes the next never-used slot |
//! | `free` | O(1) | (in the pair) | pushes the free list; a bad handle is counted, nothing else changes |
//! | `get`, `get_mut` | O(1) | 14 instructions per lookup (`slab`: 11, `slotmap`: 14) | one bounds check and one metadata compare |
//! | `clear` | O(slots used so far) | | every outstanding handle becomes stale |
//! | [`iter`](TinySlabAllocator::iter), [`retain`](TinySlabAllocator::retain) | O(slots used so far) | | live blocks in slot order, as handle and bytes; `retain` frees those its closure turns down |
//!
//! Measured figures are x86_64 instruction counts from `benches/run.sh` (2026-12-07,
//! AMD EPYC, rustc 1.95.0, valgrind 3.19.0; the README's *Performance* section has the
//! peers from the same run) and net `.text` for `thumbv7em-none-eabihf` from
//! `firmware/scripts/size-report.sh`.
//!
//! Memory: at most `SIZE + 4 × SLOTS + 16` bytes, rounded up to the alignment, and 4
//! bytes shared by every pool of the program (the start the last pool drew; see
//! [`Handle`]). The value `new()` makes is all zeroes, so a `static` pool lands in
//! `.bss` and costs no flash.

use core::fmt;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::align::{Align8, Alignment};
use crate::allocator::{AllocError, Allocator, Stats};
use crate::handle::Handle;

mod config;
mod iter;
mod raw;
mod slot;
mod start;
pub(crate) use config::check_config;
pub use iter::Iter;
use slot::Slot;
use start::draw_start;

/// The smallest block, in bytes: a free block holds the 2-byte free-list link.
pub const MIN_BLOCK_SIZE: usize = 2;
/// The largest block, in bytes: a slot records the length in 16 bits, with 65,535
/// meaning "free".
pub const MAX_BLOCK_SIZE: usize = u16::MAX as usize - 1;
/// The most slots one pool can have: as many as a [`Handle`] can index.
pub const MAX_SLOTS: usize = Handle::MAX_SLOTS;

/// The blocks, aligned to `A` by a zero-length array of the marker.
#[repr(C)]
struct Storage<const SIZE: usize, A> {
    _align: [A; 0],
    bytes: [u8; SIZE],
}

/// A pool of `SLOTS` fixed-size blocks of `SIZE / SLOTS` bytes each, aligned to `A`,
/// handed out as generation-checked [`Handle`]s.
///
/// Allocation and free are O(1) through an intrusive free list. Each slot costs 4
/// bytes of metadata beside the storage and none inside the blocks. A request larger
/// than a block fails with [`AllocError::TooLarge`]; a stale, double-freed or
/// out-of-range handle gets `None`/`false`, changes nothing and is counted in
/// [`Stats::rejected_handles`]. See [`Handle`] for the generation wrap policy.
///
/// Every call takes `&mut self`: one owner, one context. To share a pool between
/// `main` and an interrupt handler (not a `static mut`), make it a
/// [`Pool`](crate::Pool), with `#[tinyalloc::pool(size = …, slots = …)] static POOL:
/// Pool;`, whose calls each run in a critical section.
///
/// ```
/// use tinyalloc::prelude::*;
///
/// let mut alloc = TinySlabAllocator::<1024, 32>::new(); // 32 blocks of 32 bytes
/// assert!(alloc.alloc_uninit(64).is_err());              // larger than a block
/// let (handle, buf) = alloc.alloc_uninit(16).unwrap();
/// buf.copy_from_slice(b"sixteen bytes!!!");
/// assert_eq!(alloc.get(handle), Some(&b"sixteen bytes!!!"[..]));
/// alloc.free(handle);
/// assert!(alloc.get(handle).is_none());                  // stale handle
/// ```
///
/// A configuration the engine cannot serve fails to compile, with a message that says
/// what to change:
///
/// ```compile_fail
/// // 1000 is not a multiple of 32: the block size would not be whole.
/// let alloc = tinyalloc::TinySlabAllocator::<1000, 32>::new();
/// ```
// `repr(C)`, in this order, for x86 hosts (tests, simulators): a load from an
// address a multiple of 4 KiB away from a store just made waits for that store (4K
// aliasing). Left to itself the compiler put the blocks first and the slots right
// after them, slot 1 a multiple of 4 KiB past block 1 in most pools: the pair on 256
// and 4,096 slots took 6.6 ns against 4.3 ns on 32, in the same instructions. Here
// the counters every call touches come first, then `start` (read only when a fresh
// slot is taken) and `failed_allocs`, the slots from byte 12, `rejected_handles`,
// and the blocks: with `4 × SLOTS` a multiple of 4 KiB,
// block 1 starts just past slot 1 and the last slot falls on `failed_allocs`, which
// only a failure touches. Pairs now take 4.3 to 4.8 ns with slot 1 or the last slot
// busy, on 32, 256 and 4,096 slots; orders that put the busy counters beside either
// end of the slots took 6.6 to 9 ns on 4,096. (The stack, placed at random, can
// still meet a pool modulo 4 KiB in one run: the `slab` crate's pair shows it too.)
// The order costs no memory: `SIZE` is a multiple of `A`, so the padding before the
// blocks is what the whole would need anyway. On Cortex-M the counters at the start
// are in reach of the short forms of load and store: 40 bytes less code for a pool.
#[repr(C)]
pub struct TinySlabAllocator<const SIZE: usize, const SLOTS: usize, A: Alignment = Align8> {
    /// `index + 1` of the first recycled free slot; 0 when there is none.
    free_head: u16,
    /// Slots `fresh..SLOTS` have never been handed out (so `new` can be all zeroes).
    /// It is also the high-water mark: a slot comes from that range only when every
    /// used one is live (the free list holds the rest, `clear` included), so the most
    /// blocks ever live at once is the number of slots ever handed out.
    fresh: u16,
    in_use: u16,
    /// The generation every slot starts at (a handle's high half), drawn by the first
    /// block taken from `fresh` (see `draw_start`); 0 until then. It fills what would
    /// be padding before `failed_allocs`.
    start: u16,
    failed_allocs: u32,
    slots: [Slot; SLOTS],
    /// Atomic so `get(&self)` can count without making the pool `!Sync`: a load and
    /// a store under `&mut` (exact, and no read-modify-write loop in `free`), an
    /// atomic add for `get`, whose callers may share the pool between threads.
    rejected_handles: AtomicU32,
    storage: Storage<SIZE, A>,
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> TinySlabAllocator<SIZE, SLOTS, A> {
    /// The size of every block: `SIZE / SLOTS` bytes.
    pub const BLOCK_SIZE: usize = match SIZE.checked_div(SLOTS) {
        Some(block) => block,
        // `new` refuses `SLOTS == 0` with its own message; 0 keeps this one quiet.
        None => 0,
    };

    /// `()` for a configuration the engine can serve; a compile error naming the
    /// numbers to change otherwise. [`new`](Self::new) evaluates it. (The expansion
    /// of `#[tinyalloc::pool]` makes the same check where the error can point at the
    /// attribute.)
    #[doc(hidden)]
    pub const CHECK: () = if let Err(error) = check_config(SIZE, SLOTS, A::ALIGN) {
        panic!("{}", error.message().as_str());
    };

    /// An empty pool. Every value is zero, so a `static` pool goes to `.bss`.
    ///
    /// Fails to compile when the configuration is unusable: `SIZE` or `SLOTS` zero,
    /// `SIZE` not a multiple of `SLOTS`, a block under 2 or over 65,534 bytes, more
    /// than 65,535 slots, or a block size that is not a multiple of the alignment.
    #[inline]
    pub const fn new() -> Self {
        let () = Self::CHECK;
        Self::unchecked()
    }

    /// An empty pool, for a caller that has made the check of
    /// [`CHECK`](Self::CHECK) itself: the configuration must pass `check_config`.
    #[inline]
    pub(crate) const fn unchecked() -> Self {
        TinySlabAllocator {
            slots: [Slot::UNUSED; SLOTS],
            free_head: 0,
            fresh: 0,
            in_use: 0,
            start: 0,
            failed_allocs: 0,
            rejected_handles: AtomicU32::new(0),
            storage: Storage {
                _align: [],
                bytes: [0; SIZE],
            },
        }
    }

    /// Takes a block for `len` bytes; see [`Allocator::alloc_uninit`].
    ///
    /// The returned bytes hold what the block held before (initialised, not cleared).
    ///
    /// # Errors
    ///
    /// [`AllocError::TooLarge`] when `len` is over [`BLOCK_SIZE`](Self::BLOCK_SIZE),
    /// and [`AllocError::OutOfMemory`] when all `SLOTS` blocks are in use. Nothing
    /// changes but the [`Stats::failed_allocs`] count.
    #[inline]
    pub fn alloc_uninit(&mut self, len: usize) -> Result<(Handle, &mut [u8]), AllocError> {
        if len > Self::BLOCK_SIZE {
            return Err(self.failed(AllocError::TooLarge {
                requested: len,
                block_size: Self::BLOCK_SIZE,
            }));
        }
        let Some((number, bits)) = self.take_slot() else {
            return Err(self.failed(AllocError::OutOfMemory));
        };
        // SAFETY: `take_slot` only returns numbers from 1 to `SLOTS`.
        unsafe { *self.slot_mut(number) = Slot::live(bits, len) };
        // SAFETY: `take_slot` returns the bits of a handle for slot `number`, which
        // is at least 1, in the low half.
        let handle = unsafe { Handle::from_bits_unchecked(bits) };
        self.in_use += 1;
        // SAFETY: `1 <= number <= SLOTS` and `len <= BLOCK_SIZE`.
        let bytes = unsafe { self.block_mut(number, len) };
        Ok((handle, bytes))
    }

    /// Takes a block and copies `data` into it; see [`Allocator::alloc`].
    ///
    /// # Errors
    ///
    /// As [`alloc_uninit`](Self::alloc_uninit), for `data.len()` bytes.
    #[inline]
    pub fn alloc(&mut self, data: &[u8]) -> Result<Handle, AllocError> {
        let (handle, bytes) = self.alloc_uninit(data.len())?;
        crate::allocator::copy_prefix(bytes, data);
        Ok(handle)
    }

    /// The bytes of a live block; `None` (counted) for a stale, freed or foreign handle.
    #[inline]
    pub fn get(&self, handle: Handle) -> Option<&[u8]> {
        match self.live_len(handle) {
            // SAFETY: `live_len` checked the slot number, and the length came from the
            // slot.
            Some(len) => Some(unsafe { self.block(handle.slot_number(), len) }),
            None => {
                self.count_rejected_shared();
                None
            }
        }
    }

    /// The bytes of a live block, writable; `None` (counted) for a bad handle.
    #[inline]
    pub fn get_mut(&mut self, handle: Handle) -> Option<&mut [u8]> {
        match self.live_len(handle) {
            // SAFETY: `live_len` checked the slot number, and the length came from the
            // slot.
            Some(len) => Some(unsafe { self.block_mut(handle.slot_number(), len) }),
            None => {
                self.count_rejected();
                None
            }
        }
    }

    /// `true` when `handle` names a live block of this pool. Does not count a
    /// rejection: use it to test a handle you are unsure of.
    #[inline]
    pub fn contains(&self, handle: Handle) -> bool {
        self.live_len(handle).is_some()
    }

    /// Returns a block to the pool; `false` (counted, nothing else changes) for a
    /// stale, double-freed or out-of-range handle.
    ///
    /// The result may be ignored: `alloc.free(handle);` is the usual form.
    #[inline]
    pub fn free(&mut self, handle: Handle) -> bool {
        let number = handle.slot_number();
        let Some(slot) = self.used_slot_mut(number) else {
            self.count_rejected();
            return false;
        };
        if slot.live_len(handle).is_none() {
            self.count_rejected();
            return false;
        }
        *slot = Slot::freed(handle.to_bits());
        // SAFETY: `used_slot_mut` found the slot, so `1 <= number <= SLOTS`.
        unsafe { self.write_link(number, self.free_head) };
        // A handle's slot number is the free list's own encoding.
        self.free_head = number as u16;
        self.in_use -= 1;
        true
    }

    /// Frees every block at once. Every handle handed out so far becomes stale.
    ///
    /// O(number of slots ever used). Counters other than `in_use` are kept.
    pub fn clear(&mut self) {
        // Every used slot goes on the free list, pushed from the last so the first
        // comes out first: blocks are handed out again from the start, as from a new
        // pool, each slot keeping the generation it is at.
        self.free_head = 0;
        for number in (1..=usize::from(self.fresh)).rev() {
            // SAFETY: `number <= fresh <= SLOTS`.
            let slot = unsafe { self.slot_mut(number) };
            if let Some(handle) = slot.live_handle(number) {
                *slot = Slot::freed(handle);
            }
            // SAFETY: as above.
            unsafe { self.write_link(number, self.free_head) };
            self.free_head = number as u16;
        }
        self.in_use = 0;
    }

    /// The size of every block, in bytes.
    #[inline]
    pub const fn block_size(&self) -> usize {
        Self::BLOCK_SIZE
    }

    /// How many blocks the pool has: `SLOTS`.
    #[inline]
    pub const fn capacity(&self) -> usize {
        SLOTS
    }

    /// How many blocks are in use now.
    #[inline]
    pub const fn len(&self) -> usize {
        self.in_use as usize
    }

    /// `true` when no block is in use.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.in_use == 0
    }

    /// Counters since the pool was made; see [`Stats`].
    pub fn stats(&self) -> Stats {
        Stats {
            blocks: SLOTS,
            in_use: usize::from(self.in_use),
            high_water: usize::from(self.fresh),
            failed_allocs: self.failed_allocs as usize,
            rejected_handles: self.rejected_handles.load(Ordering::Relaxed) as usize,
        }
    }

    /// Pops a recycled slot, or takes the next never-used one: its number, the
    /// index plus one (the free list's encoding and a handle's low half), and the
    /// bits of the handle it hands out.
    #[inline]
    fn take_slot(&mut self) -> Option<(usize, u32)> {
        let head = usize::from(self.free_head);
        if head != 0 {
            // SAFETY: the free list only holds numbers from 1 to `SLOTS` (`free` and
            // `clear` push checked ones), so this block exists and is free.
            self.free_head = unsafe { self.read_link(head) };
            // SAFETY: as above.
            Some((head, unsafe { self.slot(head) }.next_handle()))
        } else {
            // Each slot is fresh once; then it is recycled through the free list.
            crate::hint::cold();
            if usize::from(self.fresh) < SLOTS {
                if self.fresh == 0 {
                    self.start = draw_start();
                }
                self.fresh += 1;
                Some((
                    usize::from(self.fresh),
                    (u32::from(self.start) << 16) | u32::from(self.fresh),
                ))
            } else {
                None
            }
        }
    }

    /// The length of the live allocation `handle` names, or `None`. Only slots ever
    /// handed out (`number <= fresh`) are looked at: the others are free, and do not
    /// say so (see [`Slot`]).
    #[inline]
    fn live_len(&self, handle: Handle) -> Option<usize> {
        let number = handle.slot_number();
        // A slot number fits in 16 bits; compared at that width, the bound is one
        // compare with memory.
        if number as u16 > self.fresh {
            return None;
        }
        // SAFETY: `1 <= number` (a slot number) and `number <= fresh <= SLOTS`
        // (`take_slot` stops `fresh` at `SLOTS`).
        unsafe { self.slot(number) }.live_len(handle)
    }

    /// The slot with number `number`, if it was ever handed out; see `live_len`.
    #[inline]
    fn used_slot_mut(&mut self, number: usize) -> Option<&mut Slot> {
        if number as u16 > self.fresh {
            return None;
        }
        // SAFETY: as in `live_len`.
        Some(unsafe { self.slot_mut(number) })
    }

    /// Counts a refused allocation, as `count_failed_alloc` does, and passes `error` on.
    #[cold]
    fn failed(&mut self, error: AllocError) -> AllocError {
        Allocator::count_failed_alloc(self);
        error
    }

    /// Counts a rejected handle where the caller has the pool to itself (`&mut self`,
    /// or `&self` from `get_mut`'s and `free`'s paths).
    #[cold]
    fn count_rejected(&self) {
        let seen = self.rejected_handles.load(Ordering::Relaxed);
        self.rejected_handles
            .store(seen.saturating_add(1), Ordering::Relaxed);
    }

    /// Counts a rejected handle for `get(&self)`, which threads sharing the pool may
    /// call at once: an atomic read-modify-write, so no count is lost (a load and a
    /// store lost 2 to 5 of 20 under Miri's schedules). A core without one (Armv6-M:
    /// Cortex-M0 and M0+) does the load and the store, and there a `get` that
    /// preempts another `get` on the same shared pool between the two may lose a
    /// count; a `Pool` calls `get` inside its critical section, which never does.
    #[cold]
    fn count_rejected_shared(&self) {
        #[cfg(target_has_atomic = "32")]
        if self.rejected_handles.fetch_add(1, Ordering::Relaxed) == u32::MAX {
            // It was full and wrapped to 0: back to full, as the other counts stop.
            self.rejected_handles.store(u32::MAX, Ordering::Relaxed);
        }
        #[cfg(not(target_has_atomic = "32"))]
        self.count_rejected();
    }
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> Default
    for TinySlabAllocator<SIZE, SLOTS, A>
{
    fn default() -> Self {
        Self::new()
    }
}

/// A copy of the pool: the same blocks with the same bytes, the same counters, and
/// the same start, so the copy answers to every handle the original does and, once
/// the original has handed out a block (which draws its start), hands out the same
/// handles in the same order afterwards. That makes it the one pool
/// that takes another's handles by design: a snapshot to compare against, or a
/// second pool for tests of code that must tell pools apart by more than handles.
///
/// ```
/// use tinyalloc::prelude::*;
///
/// let mut pool = TinySlabAllocator::<256, 8>::new();
/// let kept = pool.alloc(b"calibration").unwrap();
/// let snapshot = pool.clone();
/// pool.get_mut(kept).unwrap()[0] = b'C';
/// assert_eq!(snapshot.get(kept), Some(&b"calibration"[..]));
/// assert_eq!(pool.get(kept), Some(&b"Calibration"[..]));
/// ```
impl<const SIZE: usize, const SLOTS: usize, A: Alignment> Clone
    for TinySlabAllocator<SIZE, SLOTS, A>
{
    fn clone(&self) -> Self {
        TinySlabAllocator {
            free_head: self.free_head,
            fresh: self.fresh,
            in_use: self.in_use,
            start: self.start,
            failed_allocs: self.failed_allocs,
            slots: self.slots,
            rejected_handles: AtomicU32::new(self.rejected_handles.load(Ordering::Relaxed)),
            storage: Storage {
                _align: [],
                bytes: self.storage.bytes,
            },
        }
    }
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> fmt::Debug
    for TinySlabAllocator<SIZE, SLOTS, A>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TinySlabAllocator")
            .field("block_size", &Self::BLOCK_SIZE)
            .field("align", &A::ALIGN)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> Allocator
    for TinySlabAllocator<SIZE, SLOTS, A>
{
    #[inline]
    fn alloc_uninit(&mut self, len: usize) -> Result<(Handle, &mut [u8]), AllocError> {
        TinySlabAllocator::alloc_uninit(self, len)
    }

    #[inline]
    fn alloc(&mut self, data: &[u8]) -> Result<Handle, AllocError> {
        TinySlabAllocator::alloc(self, data)
    }

    #[inline]
    fn get(&self, handle: Handle) -> Option<&[u8]> {
        TinySlabAllocator::get(self, handle)
    }

    #[inline]
    fn get_mut(&mut self, handle: Handle) -> Option<&mut [u8]> {
        TinySlabAllocator::get_mut(self, handle)
    }

    #[inline]
    fn free(&mut self, handle: Handle) -> bool {
        TinySlabAllocator::free(self, handle)
    }

    #[inline]
    fn block_size(&self) -> usize {
        Self::BLOCK_SIZE
    }

    #[inline]
    fn capacity(&self) -> usize {
        SLOTS
    }

    #[inline]
    fn len(&self) -> usize {
        usize::from(self.in_use)
    }

    fn stats(&self) -> Stats {
        TinySlabAllocator::stats(self)
    }

    #[inline]
    fn count_failed_alloc(&mut self) {
        self.failed_allocs = self.failed_allocs.saturating_add(1);
    }
}

#[cfg(test)]
mod tests;
