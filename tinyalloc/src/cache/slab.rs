//! The slab header and the bookkeeping that runs under the master's lock.
//!
//! ```text
//! slave slab (SLAB_SIZE bytes, aligned to SLAB_SIZE)
//! +------------+--------+--------+-----+--------+--------+
//! | SlabHeader | slot 0 | slot 1 | ... | slot n | unused |
//! +------------+--------+--------+-----+--------+--------+
//! master slab: the same, with the cache's state and lock after the header
//! +------------+------------+------+--------+-----+
//! | SlabHeader | CacheState | lock | slot 0 | ... |
//! +------------+------------+------+--------+-----+
//! ```
//!
//! A header has three parts. The magic number is read by `SlabBox::from_raw` and
//! cleared when the slab goes back. [`Fixed`] is written once, before any other thread
//! can see the slab, and only read after: a box reads `master` without the lock.
//! [`Links`] and the master's [`CacheState`] change, always under the master's lock,
//! so the functions here that hand out `&mut` to them are `unsafe` and want the lock
//! held. No reference ever spans two parts.

use core::alloc::Layout;
use core::mem::offset_of;
use core::ptr::NonNull;

use super::error::Result;

/// Written at the start of every live slab; cleared when the slab goes back.
const MAGIC: u32 = 0x7A11_0CAC;

/// [`Links::settle_at`] of the master while the cache value lives: only a free on
/// the full master reaches it.
pub(super) const MASTER_STAYS: u32 = u32::MAX;

/// [`Links::settle_at`] of a slab of `capacity` slots that goes when it empties: its
/// `spare` before the free that empties it. A slab has at least two slots (layout
/// check), so this does not wrap.
pub(super) const fn empties_at(capacity: u32) -> u32 {
    capacity - 2
}

/// The first bytes of every slab.
#[repr(C)]
pub(crate) struct SlabHeader {
    /// [`MAGIC`] while the slab belongs to a cache.
    magic: u32,
    fixed: Fixed,
    links: Links,
}

/// The part of a header that never changes after the slab is set up.
#[derive(Clone, Copy)]
pub(crate) struct Fixed {
    /// Bytes per slot, so `SlabBox::from_raw` can refuse a pointer of another cache.
    pub slot_size: u32,
    /// Offset of the first slot from the start of the slab.
    pub first: u32,
    /// How many slots the slab has (at least 2).
    pub capacity: u32,
    /// The master slab's header (this header, for the master).
    pub master: NonNull<MasterCore>,
    /// The provider's `free`. Here rather than in the cache's state so that a box
    /// can read it after releasing the lock without racing the next lock holder.
    pub release: ReleaseFn,
}

/// The part of a header that changes, under the master's lock.
pub(crate) struct Links {
    /// How many slots hold no object, less one: `u32::MAX` on a full slab. Counted
    /// down, so the allocation that fills the slab is the one whose decrement
    /// borrows.
    pub(super) spare: u32,
    /// A free that finds `spare` at or above this must move the slab. Before a free,
    /// `spare` is `u32::MAX` on a full slab, `capacity - 2` on one the free empties
    /// and between the two otherwise, so with this at `capacity - 2` one compare
    /// catches both. On the master it is `u32::MAX` while the cache value lives,
    /// which keeps an emptied master where it is.
    pub(super) settle_at: u32,
    /// A copy of [`Fixed::slot_size`].
    pub(super) slot_size: u32,
    /// Which list of the cache the slab is on.
    pub(super) list: List,
    /// Free slots given back, each holding the next.
    pub(super) free: Option<NonNull<FreeSlot>>,
    /// The first slot never handed out; from here to the last slot nothing was ever
    /// used, so a new slab needs no pass over its slots.
    pub(super) fresh: NonNull<u8>,
    /// Neighbours on the slab's list.
    pub(super) next: Option<NonNull<SlabHeader>>,
    pub(super) prev: Option<NonNull<SlabHeader>>,
}

/// A free slot: it holds the next free slot of its slab.
#[derive(Clone, Copy)]
pub(crate) struct FreeSlot {
    pub(super) next: Option<NonNull<FreeSlot>>,
}

/// The lists a slab can be on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum List {
    /// Every slot is live; on no list (a free on it puts it back on `partial`).
    Full,
    /// Some slot is free: allocations come from the head of this list.
    Partial,
    /// A slave with no live object, kept so the next allocation need not call the
    /// provider.
    Reserve,
}

/// The master's header: its slab header, then the cache's state. The lock follows
/// in [`Master`], so this part's layout does not depend on the lock type.
#[repr(C)]
pub(crate) struct MasterCore {
    slab: SlabHeader,
    state: CacheState,
}

/// The master slab's header with the lock that guards the whole cache.
#[repr(C)]
pub(crate) struct Master<L> {
    core: MasterCore,
    lock: L,
}

/// The cache's state, in the master slab so that boxes reach it after the cache
/// value is gone.
pub(crate) struct CacheState {
    /// Slabs with a free slot; the head serves allocations.
    pub(super) partial: Option<NonNull<SlabHeader>>,
    /// Empty slaves kept for the next allocations.
    pub(super) reserve: Option<NonNull<SlabHeader>>,
    /// How many empty slaves to keep.
    pub(super) reserve_target: usize,
    /// `false` once the cache value is dropped: from then on the last box out
    /// returns every slab.
    pub(super) cache_alive: bool,
    /// Threads between handing a slave back and reporting how that went: each holds
    /// the master alive, as a live object does, until it has taken the lock again.
    pub(super) pins: usize,
    pub counters: Counters,
}

/// What [`CacheStats`](super::CacheStats) reports.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Counters {
    pub slabs: usize,
    pub reserve: usize,
    pub capacity: usize,
    /// `high_water` less the objects live now, kept instead of their number so that
    /// an allocation below the high-water mark updates one counter, not two.
    pub headroom: usize,
    pub high_water: usize,
    pub failed_allocs: usize,
    pub provider_calls: usize,
    pub provider_errors: usize,
}

impl Counters {
    /// Objects live now.
    #[inline]
    pub fn in_use(&self) -> usize {
        self.high_water - self.headroom
    }
}

/// Adds `events` to an event count (failed allocations, provider calls and errors),
/// which stops at `usize::MAX` instead of wrapping. A device that retries a failing
/// allocation fills a 32-bit count in hours; an overflow check (a debug build) would
/// then panic under the lock, half-way through the bookkeeping.
#[inline]
pub(crate) fn tally(count: &mut usize, events: usize) {
    *count = count.saturating_add(events);
}

/// The provider's `free`, as the master keeps it.
pub(crate) type ReleaseFn = unsafe fn(NonNull<u8>, Layout) -> Result<()>;

/// What must go back to the provider once the lock is released.
#[derive(Clone, Copy, Default)]
#[must_use]
pub(crate) struct Release {
    /// A slave slab, already unlinked and counted out.
    pub slab: Option<NonNull<SlabHeader>>,
    /// The master: the cache value is gone and no object is live. When this is
    /// false and `slab` is set, the releasing thread holds a pin on the master and
    /// must give it back with `unpin` after handing the slab back.
    pub master: bool,
}

/// Writes the header of a new slab.
///
/// # Safety
///
/// `base` is the start of `SLAB_SIZE` writable bytes aligned to `SLAB_SIZE`, owned by
/// the caller, and `first + capacity * slot_size <= SLAB_SIZE`.
pub(crate) unsafe fn init_slab(
    base: NonNull<u8>,
    master: NonNull<MasterCore>,
    release: ReleaseFn,
    slot_size: usize,
    first: usize,
    capacity: usize,
) -> NonNull<SlabHeader> {
    let slab = base.cast::<SlabHeader>();
    // SAFETY: the caller owns the bytes; `first` lies inside the slab.
    let fresh = unsafe { base.add(first) };
    // The layout check keeps `SLAB_SIZE` at 2^32 at most and two slots after `first`
    // inside it, so all three fit in a `u32`.
    let (slot_size, first, capacity) = (slot_size as u32, first as u32, capacity as u32);
    let header = SlabHeader {
        magic: MAGIC,
        fixed: Fixed {
            slot_size,
            first,
            capacity,
            master,
            release,
        },
        links: Links {
            // At least two slots (layout check): no wrap.
            spare: capacity - 1,
            settle_at: empties_at(capacity),
            slot_size,
            list: List::Full,
            free: None,
            fresh,
            next: None,
            prev: None,
        },
    };
    // SAFETY: the header fits before `first` and the slab is aligned to its size,
    // which is at least the header's alignment.
    unsafe { slab.write(header) };
    slab
}

/// Writes the master's state and lock after its slab header and puts the master on
/// the partial list.
///
/// # Safety
///
/// `core` is a slab just set up by [`init_slab`] as its own master, owned by the
/// caller, with room for `Master<L>` before its first slot.
pub(crate) unsafe fn init_master<L: super::locks::Lock>(
    core: NonNull<MasterCore>,
    reserve_target: usize,
    counters: Counters,
) {
    let state = field::<CacheState>(core, offset_of!(MasterCore, state));
    // SAFETY: inside the caller's slab, aligned (a field of a `repr(C)` struct at an
    // aligned base).
    unsafe {
        state.write(CacheState {
            partial: None,
            reserve: None,
            reserve_target,
            cache_alive: true,
            pins: 0,
            counters,
        });
    }
    let lock = field::<L>(core, offset_of!(Master<L>, lock));
    // SAFETY: as above, for the lock.
    unsafe { lock.write(L::UNLOCKED) };
    // SAFETY: the caller owns the master, so nobody else can hold its lock.
    unsafe { links(master_slab(core)) }.settle_at = MASTER_STAYS;
    // SAFETY: as above.
    let state = unsafe { state_mut(core) };
    // SAFETY: as above; the master slab is on no list yet.
    unsafe { super::bookkeeping::push(state, master_slab(core), List::Partial) };
}

/// A pointer to the field at `offset` of the header at `base`; safe to compute, as
/// the address stays inside the header.
#[inline(always)]
fn field<F>(base: NonNull<impl Sized>, offset: usize) -> *mut F {
    base.as_ptr().wrapping_byte_add(offset).cast()
}

/// The part of a slab header that never changes.
///
/// # Safety
///
/// `slab` is live (it has a slot handed out, or the caller holds the lock).
#[inline(always)]
pub(crate) unsafe fn fixed(slab: NonNull<SlabHeader>) -> Fixed {
    let fixed = field::<Fixed>(slab, offset_of!(SlabHeader, fixed));
    // SAFETY: written before the slab was shared and never since.
    unsafe { fixed.read() }
}

/// Whether the block at `slab` carries the [`MAGIC`] number of a slab that belongs
/// to a cache (a slab handed back, or written over, does not).
///
/// # Safety
///
/// `slab` points at readable memory, and if it is a slab it is not being handed
/// back at the same time.
#[inline(always)]
pub(crate) unsafe fn is_intact(slab: NonNull<SlabHeader>) -> bool {
    let magic = field::<u32>(slab, offset_of!(SlabHeader, magic));
    // SAFETY: the caller's contract.
    unsafe { magic.read() == MAGIC }
}

/// The changing part of a slab header.
///
/// # Safety
///
/// The master's lock is held, `slab` is live, and no other reference to its links
/// is used while this one is.
#[inline(always)]
pub(super) unsafe fn links<'a>(slab: NonNull<SlabHeader>) -> &'a mut Links {
    let links = field::<Links>(slab, offset_of!(SlabHeader, links));
    // SAFETY: the caller's contract; the lock makes the access exclusive.
    unsafe { &mut *links }
}

/// The state of the cache whose master core is `core`.
///
/// # Safety
///
/// The master's lock is held, `core` is a live master, and no other reference to
/// its state is used while this one is.
#[inline(always)]
pub(crate) unsafe fn state_mut<'a>(core: NonNull<MasterCore>) -> &'a mut CacheState {
    let state = field::<CacheState>(core, offset_of!(MasterCore, state));
    // SAFETY: the caller's contract; the lock makes the access exclusive.
    unsafe { &mut *state }
}

/// The lock in a master's header.
///
/// # Safety
///
/// `core` is a live master of a cache with lock `L`, and stays live while the
/// reference is used.
#[inline(always)]
pub(crate) unsafe fn lock<'a, L>(core: NonNull<MasterCore>) -> &'a L {
    let lock = field::<L>(core, offset_of!(Master<L>, lock));
    // SAFETY: the caller's contract; the lock is only ever used through `&L`.
    unsafe { &*lock }
}

/// The master header of the cache as a slab header.
#[inline(always)]
pub(crate) fn master_slab(core: NonNull<MasterCore>) -> NonNull<SlabHeader> {
    core.cast()
}

/// Clears a slab's magic number before it goes back.
///
/// # Safety
///
/// `slab` is live and no box or `from_raw` call refers to it.
pub(super) unsafe fn clear_magic(slab: NonNull<SlabHeader>) {
    let magic = field::<u32>(slab, offset_of!(SlabHeader, magic));
    // SAFETY: the caller's contract.
    unsafe { magic.write(0) };
}
