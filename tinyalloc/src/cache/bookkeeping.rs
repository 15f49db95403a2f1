//! The bookkeeping that runs under the master's lock: taking and giving back
//! slots, and moving slabs between the partial list, the reserve and the provider.
//!
//! A slab is on at most one list. `partial` holds every slab with a free slot (the
//! master among them, even when empty, for as long as the cache value lives); the
//! head serves allocations. A slab whose last slot is taken leaves `partial`; a slot
//! given back puts it at the head again. An empty slave goes to `reserve` while the
//! reserve is short, else back to the provider. Every function here is `unsafe`
//! because it assumes the lock is held.

use core::ptr::NonNull;

use super::slab::{
    CacheState, Counters, FreeSlot, Links, List, MasterCore, Release, SlabHeader, clear_magic,
    empties_at, fixed, is_intact, links, master_slab, state_mut, tally,
};

/// Takes a slot for a new object, or `None` when no slab has one without asking the
/// provider.
///
/// # Safety
///
/// The master's lock is held and `core` is a live master.
pub(crate) unsafe fn take(core: NonNull<MasterCore>) -> Option<NonNull<u8>> {
    // SAFETY: the caller holds the lock.
    let state = unsafe { state_mut(core) };
    if state.partial.is_none() {
        // SAFETY: the caller holds the lock.
        unsafe { refill(state)? };
    }
    // SAFETY: the caller holds the lock; `state` is not used after this.
    unsafe { take_partial(core) }
}

/// Takes a slot from the first partial slab; `None` when there is none. The hot
/// path of an allocation.
///
/// # Safety
///
/// The master's lock is held and `core` is a live master.
#[inline(always)]
pub(crate) unsafe fn take_partial(core: NonNull<MasterCore>) -> Option<NonNull<u8>> {
    // SAFETY: the caller holds the lock.
    let state = unsafe { state_mut(core) };
    let slab = state.partial?;
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
            // part has room for one more slot. Each slot is fresh once per slab.
            crate::hint::cold();
            let slot = links.fresh;
            // SAFETY: the next slot starts inside the slab, or one past its last
            // slot, which is still inside (or at the end of) the slab.
            links.fresh = unsafe { slot.add(links.slot_size as usize) };
            slot
        }
    };
    let (spare, now_full) = links.spare.overflowing_sub(1);
    links.spare = spare;
    if now_full {
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
    // Below the high-water mark one more object uses up headroom; at the mark it
    // raises the mark.
    let (headroom, at_mark) = counters.headroom.overflowing_sub(1);
    counters.headroom = headroom;
    if at_mark {
        counters.headroom = 0;
        counters.high_water += 1;
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
/// `None`, the usual answer, means the slab stays on its list and nothing goes back.
#[inline(always)]
pub(crate) unsafe fn give_back(
    core: NonNull<MasterCore>,
    slab: NonNull<SlabHeader>,
    slot: NonNull<u8>,
) -> Option<Release> {
    // SAFETY: the lock is held.
    unsafe { state_mut(core) }.counters.headroom += 1;
    // SAFETY: the lock is held and the slab is live.
    let links = unsafe { links(slab) };
    let free = slot.cast::<FreeSlot>();
    // SAFETY: the slot is the caller's, aligned and large enough for a link.
    unsafe { free.write(FreeSlot { next: links.free }) };
    links.free = Some(free);
    let spare = links.spare;
    links.spare = spare.wrapping_add(1);
    // One compare for "was full" and "now empty" (see `Links::settle_at`). An emptied
    // master stays where it is while the cache value lives, so a cache that allocates
    // and frees one object at a time never takes the slow path.
    if spare < links.settle_at {
        return None;
    }
    // SAFETY: the lock is held; the `links` reference is not used after this.
    let state = unsafe { state_mut(core) };
    // SAFETY: as above.
    unsafe { settle(core, state, slab) }
}

/// The high-water mark now. Read beside a take, it lets a slot that never held an
/// object go back uncounted ([`give_back_unused`]).
///
/// # Safety
///
/// The lock is held and `core` is a live master.
#[inline(always)]
pub(crate) unsafe fn high_water(core: NonNull<MasterCore>) -> usize {
    // SAFETY: the caller holds the lock.
    unsafe { state_mut(core) }.counters.high_water
}

/// Gives back, as [`give_back`] does, a slot taken for an object that was never built
/// (`alloc_with`'s `make` panicked), and takes it out of the high-water mark: every
/// count of live objects since the take included it, so a mark raised since then
/// (`mark` is the mark just before the take) stands one above the real objects.
///
/// # Safety
///
/// As [`give_back`], and `mark` was read under the lock that took `slot`.
#[cold]
pub(crate) unsafe fn give_back_unused(
    core: NonNull<MasterCore>,
    slab: NonNull<SlabHeader>,
    slot: NonNull<u8>,
    mark: usize,
) -> Option<Release> {
    // SAFETY: the caller's contract.
    let release = unsafe { give_back(core, slab, slot) };
    // SAFETY: the lock is held; `give_back` holds no reference any more.
    let counters = &mut unsafe { state_mut(core) }.counters;
    if counters.high_water > mark {
        // `give_back` raised `headroom`, so the live count stays what it is: one
        // less than while the slot was taken.
        counters.high_water -= 1;
        counters.headroom -= 1;
    }
    release
}

/// Moves a slab that just stopped being full, or just became empty, to its list.
/// `Some` when something must go back to the provider.
///
/// # Safety
///
/// As [`give_back`], after the slot went back.
#[cold]
unsafe fn settle(
    core: NonNull<MasterCore>,
    state: &mut CacheState,
    slab: NonNull<SlabHeader>,
) -> Option<Release> {
    let mut release = Release::default();
    // SAFETY: the lock is held and the slab is live.
    let links = unsafe { links(slab) };
    if links.spare == 0 {
        // It was full and has one free slot now (a slab has at least two slots, so
        // it is not also empty).
        // SAFETY: a full slab is on no list.
        unsafe { push(state, slab, List::Partial) };
        return None;
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
    release.master = master_unreachable(state);
    if release.slab.is_some() && !release.master {
        // The caller will take the lock again after handing the slab back.
        state.pins += 1;
    }
    (release.slab.is_some() || release.master).then_some(release)
}

/// Takes the first reserve slab off its list and counts it out, to go back to the
/// provider. `Err` when its header is damaged: the reserve is then abandoned, and
/// counted out as slabs of `slave_slots` slots each (every reserve slab is a slave).
///
/// # Safety
///
/// The lock is held and `core` is a live master.
pub(crate) unsafe fn take_reserve(
    core: NonNull<MasterCore>,
    slave_slots: usize,
) -> Option<core::result::Result<NonNull<SlabHeader>, ()>> {
    // SAFETY: the caller holds the lock.
    let state = unsafe { state_mut(core) };
    let slab = state.reserve?;
    // SAFETY: the lock is held and the slab is live (or damaged, which this finds).
    if !unsafe { is_intact(slab) } {
        // Its links cannot be trusted either: forget the whole list. Its headers
        // cannot be read, but the count and the slaves' size are the cache's own.
        let abandoned = state.counters.reserve;
        state.reserve = None;
        state.counters.reserve = 0;
        state.counters.slabs -= abandoned;
        state.counters.capacity -= abandoned * slave_slots;
        tally(&mut state.counters.provider_errors, 1);
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
/// `next` links, magic cleared, cut before a slab whose magic was written over), and
/// whether the master can go back now.
///
/// # Safety
///
/// The lock is held, and `core` is the master of the cache being dropped.
pub(crate) unsafe fn orphan(core: NonNull<MasterCore>) -> (Option<NonNull<SlabHeader>>, bool) {
    // SAFETY: the caller holds the lock.
    let state = unsafe { state_mut(core) };
    state.cache_alive = false;
    // From now on the free that empties the master settles it, so that the last
    // object out can hand it back.
    // SAFETY: the lock is held; the master is live.
    let capacity = unsafe { fixed(master_slab(core)) }.capacity;
    // SAFETY: as above; no other reference to the master's links is in use.
    unsafe { links(master_slab(core)) }.settle_at = empties_at(capacity);
    // A reserve slab that lost its magic number was written over, and so were its
    // links, maybe: as `take_reserve` does for `trim`, the chain stops before it, and
    // it and the slabs after it are abandoned rather than followed.
    let intact = |slab: NonNull<SlabHeader>| {
        // SAFETY: the lock is held; `slab` is a reserve slab (or damaged, which this
        // finds), and reading its first word reads no link.
        unsafe { is_intact(slab) }
    };
    let reserve = state.reserve.take().filter(|&head| intact(head));
    let mut cursor = reserve;
    while let Some(slab) = cursor {
        // SAFETY: the lock is held; the slab is an intact reserve slab.
        let links = unsafe { links(slab) };
        if links.next.is_some_and(|next| !intact(next)) {
            links.next = None;
        }
        cursor = links.next;
        // SAFETY: as above; the slab is about to go back.
        unsafe { clear_magic(slab) };
    }
    state.counters.reserve = 0;
    (reserve, master_unreachable(state))
}

/// Whether nothing can reach the master any more: the cache value is gone, no
/// object is live and no thread holds a pin.
fn master_unreachable(state: &CacheState) -> bool {
    !state.cache_alive && state.counters.in_use() == 0 && state.pins == 0
}

/// Gives back the pin a [`Release`] of a slave took, counting a failed hand-back.
/// Returns whether the master must now go back too.
///
/// # Safety
///
/// The lock is held, and the caller holds a pin on this master.
pub(crate) unsafe fn unpin(core: NonNull<MasterCore>, free_failed: bool) -> bool {
    // SAFETY: the caller holds the lock.
    let state = unsafe { state_mut(core) };
    state.pins -= 1;
    tally(
        &mut state.counters.provider_errors,
        usize::from(free_failed),
    );
    master_unreachable(state)
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
    tally(&mut counters.provider_calls, 1);
    // SAFETY: as above; no box refers to an empty slab.
    unsafe { clear_magic(slab) };
}

/// Puts `slab` at the head of `list`.
///
/// # Safety
///
/// The lock is held; `slab` is live and on no list.
pub(super) unsafe fn push(state: &mut CacheState, slab: NonNull<SlabHeader>, list: List) {
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
