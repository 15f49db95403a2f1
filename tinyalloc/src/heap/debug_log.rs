//! The heap event log (feature `debug-log`): the last [`CAPACITY`] allocations,
//! frees, reallocations and failures of each heap, kept in a fixed ring inside the
//! heap's lock.
//!
//! Reading the log copies it out under the lock ([`DebugLog`] is a value, not a view
//! into a buffer the next allocation could change), so a debug console may print it
//! while other code keeps allocating:
//!
//! ```
//! use core::alloc::{GlobalAlloc, Layout};
//! use tinyalloc::heap::FreeListAllocator;
//! use tinyalloc::heap::debug_log::HeapEvent;
//!
//! static HEAP: FreeListAllocator<4096> = FreeListAllocator::new();
//!
//! let layout = Layout::from_size_align(48, 8).unwrap();
//! let block = unsafe { HEAP.alloc(layout) };
//! unsafe { HEAP.dealloc(block, layout) };
//! let too_big = Layout::from_size_align(1 << 20, 8).unwrap();
//! assert!(unsafe { HEAP.alloc(too_big) }.is_null());
//!
//! let log = HEAP.debug_logs();
//! assert_eq!(log.len(), 3);
//! assert_eq!(log.as_slice()[1], HeapEvent::Free { addr: block as usize, size: 48, align: 8 });
//! assert_eq!(log.as_slice()[2], HeapEvent::Failed { size: 1 << 20, align: 8 });
//! println!("{log}"); // one event a line, oldest first
//!
//! HEAP.clear_debug_logs();
//! assert!(HEAP.debug_logs().is_empty());
//! ```
//!
//! Without the feature the log, its field in the heap and every call that records
//! into it are compiled out.

use core::fmt;

/// How many events each heap keeps; older ones are overwritten.
pub const CAPACITY: usize = 32;

/// One thing a heap did.
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeapEvent {
    /// A block was handed out.
    Alloc {
        /// Its address.
        addr: usize,
        /// The bytes asked for.
        size: usize,
        /// The alignment asked for.
        align: usize,
    },
    /// A block came back.
    Free {
        /// Its address.
        addr: usize,
        /// Its size, from the `Layout` it was freed with.
        size: usize,
        /// Its alignment.
        align: usize,
    },
    /// A block was resized, in place (`old_addr == addr`) or by moving it.
    Realloc {
        /// Where it was.
        old_addr: usize,
        /// Its size before.
        old_size: usize,
        /// Where it is now.
        addr: usize,
        /// Its size now.
        size: usize,
        /// Its alignment.
        align: usize,
    },
    /// An allocation (or the move of a reallocation) found no room and returned null.
    Failed {
        /// The bytes asked for.
        size: usize,
        /// The alignment asked for.
        align: usize,
    },
}

impl HeapEvent {
    /// The zero event that fills an empty ring (never shown).
    const ZERO: HeapEvent = HeapEvent::Alloc {
        addr: 0,
        size: 0,
        align: 0,
    };
}

impl fmt::Display for HeapEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            HeapEvent::Alloc { addr, size, align } => {
                write!(f, "alloc   {size} B (align {align}) at {addr:#x}")
            }
            HeapEvent::Free { addr, size, align } => {
                write!(f, "free    {size} B (align {align}) at {addr:#x}")
            }
            HeapEvent::Realloc {
                old_addr,
                old_size,
                addr,
                size,
                align,
            } => write!(
                f,
                "realloc {old_size} B at {old_addr:#x} to {size} B (align {align}) at {addr:#x}"
            ),
            HeapEvent::Failed { size, align } => {
                write!(f, "FAILED  {size} B (align {align}): no room")
            }
        }
    }
}

/// The ring inside a heap's lock.
pub(crate) struct EventLog {
    events: [HeapEvent; CAPACITY],
    /// Where the next event goes (below `CAPACITY`).
    next: usize,
    /// Events recorded since the last clear, saturating: a wrapping count would say
    /// the ring is empty again after `usize::MAX` events (2^32 on a 32-bit target).
    recorded: usize,
}

impl EventLog {
    pub(crate) const NEW: EventLog = EventLog {
        events: [HeapEvent::ZERO; CAPACITY],
        next: 0,
        recorded: 0,
    };

    #[inline]
    pub(crate) fn record(&mut self, event: HeapEvent) {
        self.events[self.next % CAPACITY] = event;
        self.next = (self.next + 1) % CAPACITY;
        self.recorded = self.recorded.saturating_add(1);
    }

    pub(crate) fn clear(&mut self) {
        self.recorded = 0;
    }

    /// The events in order, oldest first, copied out.
    pub(crate) fn snapshot(&self) -> DebugLog {
        let len = self.recorded.min(CAPACITY);
        let first = self.next + CAPACITY - len;
        let mut log = DebugLog {
            recorded: self.recorded,
            len,
            ..DebugLog::EMPTY
        };
        for (i, slot) in log.events[..len].iter_mut().enumerate() {
            *slot = self.events[(first + i) % CAPACITY];
        }
        log
    }
}

/// A copy of a heap's recent events, oldest first; see the [module docs](self).
///
/// Its `Display` prints one event a line.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DebugLog {
    events: [HeapEvent; CAPACITY],
    len: usize,
    recorded: usize,
}

impl DebugLog {
    /// A log with no events.
    pub const EMPTY: DebugLog = DebugLog {
        events: [HeapEvent::ZERO; CAPACITY],
        len: 0,
        recorded: 0,
    };

    /// The events, oldest first.
    pub fn as_slice(&self) -> &[HeapEvent] {
        // `len` is at most `CAPACITY`; `get` says so without a panic path.
        self.events.get(..self.len).unwrap_or_default()
    }

    /// The events, oldest first.
    pub fn iter(&self) -> core::slice::Iter<'_, HeapEvent> {
        self.as_slice().iter()
    }

    /// How many events the copy holds (at most [`CAPACITY`]).
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when nothing was recorded since the log was last cleared.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many older events were overwritten before this copy was taken (at least
    /// this many once the count reaches `usize::MAX - CAPACITY`, where it stops).
    pub fn dropped(&self) -> usize {
        self.recorded.saturating_sub(self.len)
    }
}

/// [`DebugLog::EMPTY`].
impl Default for DebugLog {
    fn default() -> Self {
        DebugLog::EMPTY
    }
}

impl<'a> IntoIterator for &'a DebugLog {
    type Item = &'a HeapEvent;
    type IntoIter = core::slice::Iter<'a, HeapEvent>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Debug for DebugLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DebugLog")
            .field("events", &self.as_slice())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl fmt::Display for DebugLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dropped() > 0 {
            writeln!(f, "({} earlier events dropped)", self.dropped())?;
        }
        for event in self {
            writeln!(f, "{event}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for DebugLog {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "{=usize} events ({=usize} dropped)",
            self.len,
            self.dropped()
        );
        for event in self {
            defmt::write!(f, "\n{}", event);
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    /// The sizes of a copy's `Failed` events, oldest first (`usize::MAX` for others).
    fn failed_sizes(copy: &DebugLog) -> std::vec::Vec<usize> {
        copy.iter()
            .map(|event| match *event {
                HeapEvent::Failed { size, .. } => size,
                _ => usize::MAX,
            })
            .collect()
    }

    #[test]
    fn the_default_log_is_the_empty_one() {
        let log = DebugLog::default();
        assert_eq!(log, DebugLog::EMPTY);
        assert!(log.is_empty());
        assert_eq!(log.dropped(), 0);
    }

    #[test]
    fn the_ring_keeps_the_newest_events_in_order() {
        let mut log = EventLog::NEW;
        for size in 0..CAPACITY + 5 {
            log.record(HeapEvent::Failed { size, align: 8 });
        }
        let copy = log.snapshot();
        assert_eq!(copy.len(), CAPACITY);
        assert_eq!(copy.dropped(), 5);
        assert_eq!(
            failed_sizes(&copy),
            (5..CAPACITY + 5).collect::<std::vec::Vec<_>>()
        );
        log.clear();
        assert!(log.snapshot().is_empty());
    }

    #[test]
    fn the_ring_stays_whole_when_its_count_of_events_overflows() {
        // As after `usize::MAX` events: 2^32 on a 32-bit target, days of a busy heap.
        let mut log = EventLog::NEW;
        for size in 0..CAPACITY {
            log.record(HeapEvent::Failed { size, align: 8 });
        }
        log.recorded = usize::MAX - 4;
        for size in CAPACITY..CAPACITY + 5 {
            log.record(HeapEvent::Failed { size, align: 8 });
        }
        let copy = log.snapshot();
        assert_eq!(copy.len(), CAPACITY, "the ring is full");
        assert_eq!(
            failed_sizes(&copy),
            (5..CAPACITY + 5).collect::<std::vec::Vec<_>>()
        );
        assert!(
            copy.dropped() >= usize::MAX - CAPACITY,
            "{}",
            copy.dropped()
        );
    }

    #[test]
    fn events_read_as_lines() {
        let mut log = EventLog::NEW;
        log.record(HeapEvent::Alloc {
            addr: 0x100,
            size: 24,
            align: 8,
        });
        log.record(HeapEvent::Realloc {
            old_addr: 0x100,
            old_size: 24,
            addr: 0x200,
            size: 64,
            align: 8,
        });
        assert_eq!(
            log.snapshot().to_string(),
            "alloc   24 B (align 8) at 0x100\nrealloc 24 B at 0x100 to 64 B (align 8) at 0x200\n"
        );
    }

    /// The heap's lock, which lets "another context" take the lock just before each
    /// acquisition while a hook is armed: the interleaving two threads could produce.
    struct Interleaving;

    std::thread_local! {
        static OTHER_CONTEXT: core::cell::Cell<Option<fn()>> = const { core::cell::Cell::new(None) };
    }

    // SAFETY: every closure runs inside a critical section, which excludes the others
    // and orders them; the hook runs before it, outside, as another context would.
    unsafe impl crate::heap::Lock for Interleaving {
        const UNLOCKED: Self = Interleaving;

        fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R {
            // Disarmed while it runs, so its own acquisitions do not run it again.
            if let Some(other) = OTHER_CONTEXT.with(|hook| hook.take()) {
                other();
                OTHER_CONTEXT.with(|hook| hook.set(Some(other)));
            }
            critical_section::with(|_| f())
        }
    }

    /// Replays a log as the live blocks it describes; panics at the first event that
    /// hands out memory the log says is still live.
    fn replay(log: &DebugLog) {
        fn take(
            live: &mut std::vec::Vec<(usize, usize)>,
            addr: usize,
            size: usize,
            log: &DebugLog,
        ) {
            let size = size.max(1);
            assert!(
                !live.iter().any(|&(a, s)| a < addr + size && addr < a + s),
                "{addr:#x} handed out while the log says it is live:\n{log}"
            );
            live.push((addr, size));
        }
        let mut live = std::vec::Vec::new();
        for event in log {
            match *event {
                HeapEvent::Alloc { addr, size, .. } => take(&mut live, addr, size, log),
                HeapEvent::Free { addr, .. } => live.retain(|&(a, _)| a != addr),
                HeapEvent::Realloc {
                    old_addr,
                    addr,
                    size,
                    ..
                } => {
                    live.retain(|&(a, _)| a != old_addr);
                    take(&mut live, addr, size, log);
                }
                HeapEvent::Failed { .. } => {}
            }
        }
    }

    #[test]
    fn a_moving_realloc_is_logged_before_another_context_reuses_its_old_block() {
        use crate::heap::FreeListAllocator;
        use core::alloc::{GlobalAlloc, Layout};

        static HEAP: FreeListAllocator<4096, Interleaving> = FreeListAllocator::new();
        let small = Layout::from_size_align(24, 8).unwrap();
        // SAFETY: a non-zero size.
        let block = unsafe { HEAP.alloc(small) };
        // SAFETY: as above; it keeps `block` from growing in place.
        let _guard = unsafe { HEAP.alloc(small) };
        // Another context asks for a block of the same size whenever it gets the lock
        // first; it keeps every block it gets.
        OTHER_CONTEXT.with(|hook| {
            hook.set(Some(|| {
                // SAFETY: a non-zero size.
                unsafe { HEAP.alloc(Layout::from_size_align(24, 8).unwrap()) };
            }))
        });
        // SAFETY: a live block of `small`; the new size is small.
        let moved = unsafe { HEAP.realloc(block, small, 1000) };
        OTHER_CONTEXT.with(|hook| hook.set(None));
        assert!(!moved.is_null() && moved != block);
        replay(&HEAP.debug_logs());
    }

    #[test]
    fn a_heap_logs_what_it_did_in_order() {
        use crate::heap::FreeListAllocator;
        use crate::heap::tester::Tester;

        let heap = FreeListAllocator::<4096>::new();
        let mut t = Tester::new(&heap);
        let a = t.alloc(24);
        let b = t.alloc(40);
        let _guard = t.alloc(16);
        t.free(b);
        assert_eq!(t.realloc(a, 48), a, "grows in place into b");
        let moved = t.realloc(a, 1000);
        assert!(t.alloc(8192).is_null());
        let log = heap.debug_logs();
        let kinds: std::vec::Vec<&str> = log
            .iter()
            .map(|event| match event {
                HeapEvent::Alloc { .. } => "alloc",
                HeapEvent::Free { .. } => "free",
                HeapEvent::Realloc { old_addr, addr, .. } if old_addr == addr => "in place",
                HeapEvent::Realloc { .. } => "moved",
                HeapEvent::Failed { .. } => "failed",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "alloc", "alloc", "alloc", "free", "in place", "moved", "failed"
            ]
        );
        assert_eq!(
            log.as_slice()[5],
            HeapEvent::Realloc {
                old_addr: a as usize,
                old_size: 48,
                addr: moved as usize,
                size: 1000,
                align: 8,
            }
        );
        heap.clear_debug_logs();
        assert!(heap.debug_logs().is_empty());
    }
}
