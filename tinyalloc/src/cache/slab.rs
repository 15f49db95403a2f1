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
pub(crate) const MAGIC: u32 = 0x7A11_0CAC;

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
}

/// The part of a header that changes, under the master's lock.
pub(crate) struct Links {
    /// How many slots hold a live object.
    live: u32,
    /// A copy of [`Fixed::capacity`], at hand under the lock.
    capacity: u32,
    /// A copy of [`Fixed::slot_size`].
    slot_size: u32,
    /// Which list of the cache the slab is on.
    list: List,
    /// Free slots given back, each holding the next.
    free: Option<NonNull<FreeSlot>>,
    /// The first slot never handed out; from here to the last slot nothing was ever
    /// used, so a new slab needs no pass over its slots.
    fresh: NonNull<u8>,
    /// Neighbours on the slab's list.
    next: Option<NonNull<SlabHeader>>,
    prev: Option<NonNull<SlabHeader>>,
}

/// A free slot: it holds the next free slot of its slab.
#[derive(Clone, Copy)]
pub(crate) struct FreeSlot {
    next: Option<NonNull<FreeSlot>>,
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
    partial: Option<NonNull<SlabHeader>>,
    /// Empty slaves kept for the next allocations.
    reserve: Option<NonNull<SlabHeader>>,
    /// How many empty slaves to keep.
    reserve_target: usize,
    /// `false` once the cache value is dropped: from then on the last box out
    /// returns every slab.
    cache_alive: bool,
    /// The provider's `free`, for slabs that go back when a box drops.
    release: ReleaseFn,
    pub counters: Counters,
}

/// What [`CacheStats`](super::CacheStats) reports.
#[derive(Clone, Copy, Default, Debug)]
pub(crate) struct Counters {
    pub slabs: usize,
    pub reserve: usize,
    pub capacity: usize,
    pub in_use: usize,
    pub high_water: usize,
    pub failed_allocs: usize,
    pub provider_calls: usize,
    pub provider_errors: usize,
}

/// The provider's `free`, as the master keeps it.
pub(crate) type ReleaseFn = unsafe fn(NonNull<u8>, Layout) -> Result<()>;

/// What must go back to the provider once the lock is released.
#[derive(Clone, Copy, Default)]
#[must_use]
pub(crate) struct Release {
    /// A slave slab, already unlinked and counted out.
    pub slab: Option<NonNull<SlabHeader>>,
    /// The master: the cache value is gone and no object is live.
    pub master: bool,
    /// The provider's `free`, copied under the lock (set when there is anything to
    /// hand back): reading it from the master after the lock is released would race
    /// with the next holder's `&mut` to the state.
    pub free: Option<ReleaseFn>,
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
    slot_size: usize,
    first: usize,
    capacity: usize,
) -> NonNull<SlabHeader> {
    let slab = base.cast::<SlabHeader>();
    // SAFETY: the caller owns the bytes; `first` lies inside the slab.
    let fresh = unsafe { base.add(first) };
    // The layout checks bound all three by `SLAB_SIZE` and `u32::MAX`.
    let (slot_size, first, capacity) = (slot_size as u32, first as u32, capacity as u32);
    let header = SlabHeader {
        magic: MAGIC,
        fixed: Fixed {
            slot_size,
            first,
            capacity,
            master,
        },
        links: Links {
            live: 0,
            capacity,
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
    release: ReleaseFn,
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
            release,
            counters,
        });
    }
    let lock = field::<L>(core, offset_of!(Master<L>, lock));
    // SAFETY: as above, for the lock.
    unsafe { lock.write(L::UNLOCKED) };
    // SAFETY: the caller owns the master, so nobody else can hold its lock.
    let state = unsafe { state_mut(core) };
    // SAFETY: as above; the master slab is on no list yet.
    unsafe { push(state, master_slab(core), List::Partial) };
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

/// The magic number of the block at `slab`.
///
/// # Safety
///
/// `slab` points at readable memory, and if it is a slab it is not being handed
/// back at the same time.
#[inline(always)]
pub(crate) unsafe fn magic(slab: NonNull<SlabHeader>) -> u32 {
    let magic = field::<u32>(slab, offset_of!(SlabHeader, magic));
    // SAFETY: the caller's contract.
    unsafe { magic.read() }
}

/// The changing part of a slab header.
///
/// # Safety
///
/// The master's lock is held, `slab` is live, and no other reference to its links
/// is used while this one is.
#[inline(always)]
unsafe fn links<'a>(slab: NonNull<SlabHeader>) -> &'a mut Links {
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

/// Takes a slot for a new object, or `None` when no slab has one without asking the
/// provider.
///
/// # Safety
///
/// The master's lock is held and `core` is a live master.
#[inline(always)]
pub(crate) unsafe fn take(core: NonNull<MasterCore>) -> Option<NonNull<u8>> {
    // SAFETY: the caller holds the lock.
    let state = unsafe { state_mut(core) };
    let slab = match state.partial {
        Some(slab) => slab,
        // SAFETY: the caller holds the lock.
        None => unsafe { refill(state)? },
    };
    // SAFETY: slabs on the partial list are live; the lock is held.
    let links = unsafe { links(slab) };
    let slot = match links.free {
        Some(free) => {
            // SAFETY: a free slot of a live slab holds the next free slot.
            links.free = unsafe { free.read() }.next;
            free.cast::<u8>()
        }
        None => {
            // No slot was given back and the slab is not full, so the never-used
            // part has room for one more slot.
            let slot = links.fresh;
            // SAFETY: the next slot starts inside the slab, or one past its last
            // slot, which is still inside (or at the end of) the slab.
            links.fresh = unsafe { slot.add(links.slot_size as usize) };
            slot
        }
    };
    links.live += 1;
    if links.live == links.capacity {
        // Full: off the partial list, of which it is the head.
        let next = links.next.take();
        links.list = List::Full;
        state.partial = next;
        if let Some(next) = next {
            // SAFETY: a listed slab is live; it is not `slab`.
            unsafe { links_of(next) }.prev = None;
        }
    }
    let counters = &mut state.counters;
    counters.in_use += 1;
    if counters.in_use > counters.high_water {
        counters.high_water = counters.in_use;
    }
    Some(slot)
}

/// [`links`] for a neighbour, named apart to make clear it is another slab.
///
/// # Safety
///
/// As [`links`].
#[inline(always)]
unsafe fn links_of<'a>(slab: NonNull<SlabHeader>) -> &'a mut Links {
    // SAFETY: the caller's contract.
    unsafe { links(slab) }
}

/// Moves a reserve slab to the partial list; `None` when the reserve is empty.
///
/// # Safety
///
/// The lock is held.
#[cold]
unsafe fn refill(state: &mut CacheState) -> Option<NonNull<SlabHeader>> {
    let slab = state.reserve?;
    // SAFETY: the lock is held; reserve slabs are live.
    unsafe { unlink(state, slab) };
    state.counters.reserve -= 1;
    // SAFETY: as above; the slab is on no list now.
    unsafe { push(state, slab, List::Partial) };
    Some(slab)
}

/// Puts a new slab on the partial list and counts it.
///
/// # Safety
///
/// The lock is held, and `slab` a fresh slab of the cache, on no list.
pub(crate) unsafe fn adopt(state: &mut CacheState, slab: NonNull<SlabHeader>) {
    // SAFETY: the caller's contract.
    unsafe { push(state, slab, List::Partial) };
    // SAFETY: the slab is live.
    let capacity = unsafe { fixed(slab) }.capacity;
    state.counters.slabs += 1;
    state.counters.capacity += capacity as usize;
}

/// Gives a slot back to its slab. Returns what must go back to the provider.
///
/// # Safety
///
/// The lock is held, `slab` is a live slab of the cache whose master is `core`, and
/// `slot` is one of its slots that holds no object and is not on its free list.
#[inline(always)]
pub(crate) unsafe fn give_back(
    core: NonNull<MasterCore>,
    slab: NonNull<SlabHeader>,
    slot: NonNull<u8>,
) -> Release {
    // SAFETY: the lock is held and the slab is live.
    let links = unsafe { links(slab) };
    let free = slot.cast::<FreeSlot>();
    // SAFETY: the slot is the caller's, aligned and large enough for a link.
    unsafe { free.write(FreeSlot { next: links.free }) };
    links.free = Some(free);
    let was_full = links.live == links.capacity;
    links.live -= 1;
    let now_empty = links.live == 0;
    // SAFETY: the lock is held; the `links` reference is not used after this.
    let state = unsafe { state_mut(core) };
    state.counters.in_use -= 1;
    if was_full || now_empty {
        // SAFETY: as above.
        unsafe { settle(core, state, slab) }
    } else {
        Release::default()
    }
}

/// Moves a slab that just stopped being full, or just became empty, to its list.
///
/// # Safety
///
/// As [`give_back`], after the slot went back.
#[cold]
unsafe fn settle(
    core: NonNull<MasterCore>,
    state: &mut CacheState,
    slab: NonNull<SlabHeader>,
) -> Release {
    let mut release = Release::default();
    // SAFETY: the lock is held and the slab is live.
    let live = unsafe { links(slab) }.live;
    if live != 0 {
        // It was full (a slab has at least two slots, so it cannot also be empty):
        // it has a free slot again.
        // SAFETY: a full slab is on no list.
        unsafe { push(state, slab, List::Partial) };
        return release;
    }
    if slab != master_slab(core) {
        // SAFETY: the lock is held; the slab is live.
        unsafe { unlink(state, slab) };
        if state.cache_alive && state.counters.reserve < state.reserve_target {
            // SAFETY: as above; it is on no list now.
            unsafe { push(state, slab, List::Reserve) };
            state.counters.reserve += 1;
        } else {
            // SAFETY: as above; it holds no object and is on no list.
            unsafe { retire(state, slab) };
            release.slab = Some(slab);
        }
    }
    release.master = !state.cache_alive && state.counters.in_use == 0;
    if release.slab.is_some() || release.master {
        release.free = Some(state.release);
    }
    release
}

/// Takes the first reserve slab off its list and counts it out, to go back to the
/// provider. `Err` when its header is damaged: the reserve is then abandoned.
///
/// # Safety
///
/// The lock is held and `core` is a live master.
pub(crate) unsafe fn take_reserve(
    core: NonNull<MasterCore>,
) -> Option<core::result::Result<NonNull<SlabHeader>, ()>> {
    // SAFETY: the caller holds the lock.
    let state = unsafe { state_mut(core) };
    let slab = state.reserve?;
    // SAFETY: the lock is held and the slab is live (or damaged, which this finds).
    if unsafe { magic(slab) } != MAGIC {
        // Its links cannot be trusted either: forget the whole list.
        state.reserve = None;
        state.counters.reserve = 0;
        state.counters.provider_errors += 1;
        return Some(Err(()));
    }
    // SAFETY: the lock is held; the slab is live.
    unsafe { unlink(state, slab) };
    state.counters.reserve -= 1;
    // SAFETY: as above; empty and on no list.
    unsafe { retire(state, slab) };
    Some(Ok(slab))
}

/// Marks the cache value gone; returns the reserve, detached (chained through its
/// `next` links, magic cleared), and whether the master can go back now.
///
/// # Safety
///
/// The lock is held, and `core` is the master of the cache being dropped.
pub(crate) unsafe fn orphan(core: NonNull<MasterCore>) -> (Option<NonNull<SlabHeader>>, bool) {
    // SAFETY: the caller holds the lock.
    let state = unsafe { state_mut(core) };
    state.cache_alive = false;
    let reserve = state.reserve.take();
    let mut cursor = reserve;
    while let Some(slab) = cursor {
        // SAFETY: the lock is held; reserve slabs are live.
        cursor = unsafe { links(slab) }.next;
        // SAFETY: as above; the slab is about to go back.
        unsafe { clear_magic(slab) };
    }
    state.counters.reserve = 0;
    (reserve, state.counters.in_use == 0)
}

/// The next slab of a chain [`orphan`] detached.
///
/// # Safety
///
/// `slab` is on that chain and not yet handed back; nothing else reaches it.
pub(crate) unsafe fn detached_next(slab: NonNull<SlabHeader>) -> Option<NonNull<SlabHeader>> {
    // SAFETY: the caller's contract makes the access exclusive.
    unsafe { links(slab) }.next
}

/// Counts a slab out of the cache and clears its magic, before it goes back.
///
/// # Safety
///
/// The lock is held; `slab` is live, empty and on no list.
unsafe fn retire(state: &mut CacheState, slab: NonNull<SlabHeader>) {
    // SAFETY: the slab is live.
    let capacity = unsafe { fixed(slab) }.capacity;
    let counters = &mut state.counters;
    counters.slabs -= 1;
    counters.capacity -= capacity as usize;
    counters.provider_calls += 1;
    // SAFETY: as above; no box refers to an empty slab.
    unsafe { clear_magic(slab) };
}

/// # Safety
///
/// `slab` is live and no box or `from_raw` call refers to it.
unsafe fn clear_magic(slab: NonNull<SlabHeader>) {
    let magic = field::<u32>(slab, offset_of!(SlabHeader, magic));
    // SAFETY: the caller's contract.
    unsafe { magic.write(0) };
}

/// Puts `slab` at the head of `list`.
///
/// # Safety
///
/// The lock is held; `slab` is live and on no list.
unsafe fn push(state: &mut CacheState, slab: NonNull<SlabHeader>, list: List) {
    let head = match list {
        List::Partial => &mut state.partial,
        List::Reserve => &mut state.reserve,
        List::Full => return,
    };
    let old = head.replace(slab);
    if let Some(old) = old {
        // SAFETY: the lock is held; a listed slab is live and is not `slab`.
        unsafe { links_of(old) }.prev = Some(slab);
    }
    // SAFETY: the lock is held; the slab is live.
    let links = unsafe { links(slab) };
    links.prev = None;
    links.next = old;
    links.list = list;
}

/// Takes `slab` off whatever list it is on.
///
/// # Safety
///
/// The lock is held; `slab` is live.
unsafe fn unlink(state: &mut CacheState, slab: NonNull<SlabHeader>) {
    // SAFETY: the lock is held; the slab is live.
    let links = unsafe { links(slab) };
    let head = match links.list {
        List::Partial => &mut state.partial,
        List::Reserve => &mut state.reserve,
        List::Full => return,
    };
    let (prev, next) = (links.prev.take(), links.next.take());
    links.list = List::Full;
    match prev {
        // SAFETY: the neighbours are live slabs on the same list, not `slab`.
        Some(prev) => unsafe { links_of(prev) }.next = next,
        None => *head = next,
    }
    if let Some(next) = next {
        // SAFETY: as above.
        unsafe { links_of(next) }.prev = prev;
    }
}

/// Counters of the cache, for `stats`.
///
/// # Safety
///
/// The lock is held.
pub(crate) unsafe fn counters(core: NonNull<MasterCore>) -> Counters {
    // SAFETY: the caller holds the lock.
    unsafe { state_mut(core) }.counters
}
