//! [`GlobalDeque`] and [`PoolDeque`]: byte queues that an interrupt handler can fill
//! while `main` drains them, each operation one critical section.

use core::cell::RefCell;
use core::fmt;

use critical_section::Mutex;

use super::source::{Global, Source};
use crate::{Allocator, ByteBufferDeque, ByteBufferError, SharedAllocator};

/// A [`ByteBufferDeque`] behind a critical section, with the pool it draws on.
struct LockedDeque<S: Source> {
    source: S,
    deque: Mutex<RefCell<ByteBufferDeque>>,
}

impl<S: Source> LockedDeque<S> {
    const fn new(source: S) -> Self {
        LockedDeque {
            source,
            deque: Mutex::new(RefCell::new(ByteBufferDeque::new())),
        }
    }

    /// Runs `f` on the deque and its allocator, in one critical section.
    #[inline]
    fn run<R>(
        &self,
        f: impl FnOnce(&mut ByteBufferDeque, &mut dyn Allocator) -> R,
    ) -> Result<R, ByteBufferError> {
        critical_section::with(|cs| {
            let Ok(mut deque) = self.deque.borrow(cs).try_borrow_mut() else {
                // Only a `SharedAllocator` that calls back into this queue gets here.
                crate::pool::reentered()
            };
            self.source.run(cs, |alloc| f(&mut deque, alloc))
        })
    }

    fn push(&self, byte: u8) -> Result<(), ByteBufferError> {
        self.run(|deque, alloc| deque.push_back(alloc, byte))?
    }

    fn push_slice(&self, data: &[u8]) -> Result<(), ByteBufferError> {
        self.run(|deque, alloc| deque.push_slice(alloc, data))?
    }

    fn pop(&self) -> Option<u8> {
        self.run(|deque, alloc| deque.pop_front(alloc))
            .ok()
            .flatten()
    }

    fn pop_into(&self, out: &mut [u8]) -> usize {
        self.run(|deque, alloc| deque.pop_into(alloc, out))
            .unwrap_or(0)
    }

    fn peek_into(&self, out: &mut [u8]) -> usize {
        self.run(|deque, alloc| deque.peek_into(alloc, out))
            .unwrap_or(0)
    }

    fn peek(&self) -> Option<u8> {
        self.run(|deque, alloc| deque.peek_front(alloc))
            .ok()
            .flatten()
    }

    fn clear(&self) {
        // Before a global instance is set nothing can be queued. The pool is the
        // queue's own, so a chain that is not whole there is stale (the pool was
        // cleared): forget it, or a `static` queue would stay unusable for good.
        let _ = self.run(|deque, alloc| deque.reset(alloc));
    }

    fn len(&self) -> usize {
        self.try_len().unwrap_or_else(|| crate::pool::reentered())
    }

    /// The length, or `None` from inside the queue's own operation (a
    /// `SharedAllocator` that calls back).
    fn try_len(&self) -> Option<usize> {
        critical_section::with(|cs| self.deque.borrow(cs).try_borrow().ok().map(|d| d.len()))
    }
}

/// The queues' `Debug`, which never panics: `<borrowed>` where `len` would.
fn debug_queue<S: Source>(
    name: &str,
    queue: &LockedDeque<S>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let mut out = f.debug_struct(name);
    match queue.try_len() {
        Some(len) => out.field("len", &len),
        None => out.field("len", &format_args!("<borrowed>")),
    };
    out.finish()
}

impl<S: Source> Drop for LockedDeque<S> {
    /// A queue that is not a `static` (those are never dropped) gives its blocks back.
    /// Before a global instance is set nothing is queued; a lock that gives up
    /// (`Busy`) leaves the blocks in use, as for a dropped `ByteBuffer`, and so does
    /// a drop inside a closure its pool is running: a `Drop` must not panic.
    fn drop(&mut self) {
        let deque = self.deque.get_mut().get_mut();
        let source = &self.source;
        // As `clear`: a chain that is not whole in the queue's own pool is stale.
        critical_section::with(|cs| {
            let _ = source.try_run(cs, |alloc| deque.reset(alloc));
        });
    }
}

/// The `# Errors` section of the queue methods that write.
macro_rules! push_errors {
    () => {
        "# Errors\n\n\
         - [`ByteBufferError::AllocationFailed`]: the pool has fewer free blocks than \
         the bytes need; nothing was queued.\n\
         - [`ByteBufferError::NotInitialized`]: a [`GlobalDeque`] before the global \
         instance is set.\n\
         - [`ByteBufferError::ForeignChunk`]: the pool was cleared under the queue (its \
         blocks' handles went stale); [`clear`](Self::clear) the queue to use it \
         again.\n\
         - [`ByteBufferError::BlockTooSmall`]: the pool's blocks cannot hold a chunk \
         (4 bytes of header and one of data).\n\
         - [`ByteBufferError::Busy`]: a [`SharedAllocator`] of your own whose lock \
         gave up.\n"
    };
}

/// The `# Panics` section of every queue method that reaches the pool.
macro_rules! pool_panics {
    () => {
        "# Panics\n\n\
         Called inside a closure that the queue's pool is running (`POOL.with(|_| \
         QUEUE.pop())`, or from a `for_each_chunk_global` closure for a \
         [`GlobalDeque`]) where that pool is a [`Pool`](crate::Pool): the pool is \
         already borrowed there (see its *Panics*). Use the queue outside the closure. \
         Also when a [`SharedAllocator`] of your own calls back into this queue while \
         serving it.\n"
    };
}

/// The queue methods, the same on both queue types.
macro_rules! queue_methods {
    () => {
        /// Appends one byte.
        ///
        #[doc = push_errors!()]
        ///
        #[doc = pool_panics!()]
        pub fn push(&self, byte: u8) -> Result<(), ByteBufferError> {
            self.0.push(byte)
        }

        /// Appends `data`, all or nothing.
        ///
        #[doc = push_errors!()]
        ///
        #[doc = pool_panics!()]
        pub fn push_slice(&self, data: &[u8]) -> Result<(), ByteBufferError> {
            self.0.push_slice(data)
        }

        /// Removes and returns the oldest byte; `None` when nothing is queued (also
        /// before a global instance is set, and where a push would return
        /// [`ForeignChunk`](ByteBufferError::ForeignChunk) or
        /// [`Busy`](ByteBufferError::Busy)).
        ///
        #[doc = pool_panics!()]
        pub fn pop(&self) -> Option<u8> {
            self.0.pop()
        }

        /// Moves the oldest bytes into `out`, as many as fit; returns how many (0 where
        /// [`pop`](Self::pop) returns `None`).
        ///
        #[doc = pool_panics!()]
        #[must_use = "only as many bytes of `out` as this returns were written"]
        pub fn pop_into(&self, out: &mut [u8]) -> usize {
            self.0.pop_into(out)
        }

        /// The oldest byte, without removing it; `None` where [`pop`](Self::pop)
        /// returns `None`.
        ///
        #[doc = pool_panics!()]
        pub fn peek(&self) -> Option<u8> {
            self.0.peek()
        }

        /// Copies the oldest bytes into `out`, as many as fit, without removing them;
        /// returns how many (0 where [`pop`](Self::pop) returns `None`). One critical
        /// section, as [`pop_into`](Self::pop_into): look for the end of a line, then
        /// pop that much.
        ///
        #[doc = pool_panics!()]
        #[must_use = "only as many bytes of `out` as this returns were written"]
        pub fn peek_into(&self, out: &mut [u8]) -> usize {
            self.0.peek_into(out)
        }

        /// Drops every queued byte and gives the blocks back. After the pool was
        /// cleared under the queue (its blocks' handles went stale, and pushes are
        /// refused with [`ByteBufferError::ForeignChunk`]), it empties the queue all the
        /// same, and the queue works again. Clear a queue soon after its pool: until
        /// then `len` still counts the bytes it held while `pop` finds none (a `while
        /// !QUEUE.is_empty()` loop would not end), and the refusals rest on the
        /// handles' generations, which come round after 65,536 reuses of a slot (see
        /// [`Handle`](crate::Handle)): a stale queue kept through that much traffic of
        /// the pool's other users can read their blocks as its own.
        ///
        #[doc = pool_panics!()]
        pub fn clear(&self) {
            self.0.clear()
        }

        /// How many bytes are queued.
        ///
        /// # Panics
        ///
        /// Only when called from a [`SharedAllocator`] of your own while it serves
        /// this queue (a lock whose code uses the queue).
        pub fn len(&self) -> usize {
            self.0.len()
        }

        /// `true` when nothing is queued.
        ///
        /// # Panics
        ///
        /// As [`len`](Self::len).
        pub fn is_empty(&self) -> bool {
            self.0.len() == 0
        }
    };
}

/// A byte queue in the global instance, for a `static` that an interrupt handler
/// pushes to while `main` pops. Each method is one critical section. One that is not a
/// `static` gives its blocks back when dropped.
///
/// ```
/// use tinyalloc::global::{AllocatorConfig, GlobalDeque};
///
/// static UART_BUFFER: GlobalDeque = GlobalDeque::new();
///
/// assert!(UART_BUFFER.push(b'a').is_err()); // no global instance yet
/// AllocatorConfig::Slab256b8.init().unwrap();
/// UART_BUFFER.push(b'a').ok();                // in the UART interrupt
/// UART_BUFFER.push_slice(b"bc").unwrap();
/// let b: Option<u8> = UART_BUFFER.pop();      // in main
/// assert_eq!(b, Some(b'a'));
/// let mut rest = [0u8; 4];
/// assert_eq!(UART_BUFFER.pop_into(&mut rest), 2);
/// assert!(UART_BUFFER.is_empty());
/// ```
pub struct GlobalDeque(LockedDeque<Global>);

impl GlobalDeque {
    /// An empty queue; usable in a `static`.
    pub const fn new() -> Self {
        GlobalDeque(LockedDeque::new(Global))
    }

    queue_methods!();
}

impl Default for GlobalDeque {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for GlobalDeque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_queue("GlobalDeque", &self.0, f)
    }
}

/// A byte queue bound to one pool of your own instead of the global instance.
/// Each method is one critical section. One that is not a `static` gives its blocks
/// back when dropped.
///
/// ```
/// use tinyalloc::global::PoolDeque;
///
/// #[tinyalloc::pool(size = 512, slots = 16)]
/// static RX_POOL: Pool;
/// static RX: PoolDeque = PoolDeque::new(&RX_POOL);
///
/// RX.push_slice(b"AT+OK\r\n").unwrap();
/// assert_eq!(RX.len(), 7);
/// assert_eq!(RX.pop(), Some(b'A'));
/// assert_eq!(RX_POOL.len(), 1);
/// RX.clear();
/// assert!(RX_POOL.is_empty());
/// ```
///
/// `PoolDeque` alone reaches its pool through a [`SharedAllocator`] trait object, so
/// any pool or lock of yours can serve it. Name the pool's type instead, as in
/// `PoolDeque<Pool<512, 16>>` (with `align = 32` in the attribute,
/// `Pool<512, 16, tinyalloc::align::Align32>`), and the queue calls that pool
/// directly: the compiler then inlines the pool's code into the queue's, which makes
/// a byte pushed and popped one at a time take 141 Cortex-M4F instructions instead of
/// 285, 185 instead of 326 on a Cortex-M0 (README, *How many instructions a call
/// runs*), for a copy of the queue's code per pool type.
///
/// ```
/// use tinyalloc::global::PoolDeque;
/// use tinyalloc::Pool;
///
/// #[tinyalloc::pool(size = 512, slots = 16)]
/// static RX_POOL: Pool;
/// static RX: PoolDeque<Pool<512, 16>> = PoolDeque::new(&RX_POOL);
///
/// RX.push(b'A').unwrap(); // in the UART interrupt
/// assert_eq!(RX.pop(), Some(b'A'));
/// ```
pub struct PoolDeque<P: SharedAllocator + ?Sized + 'static = dyn SharedAllocator>(
    LockedDeque<&'static P>,
);

impl<P: SharedAllocator + ?Sized> PoolDeque<P> {
    /// An empty queue over `pool`; usable in a `static`.
    pub const fn new(pool: &'static P) -> Self {
        PoolDeque(LockedDeque::new(pool))
    }

    queue_methods!();
}

impl<P: SharedAllocator + ?Sized> fmt::Debug for PoolDeque<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_queue("PoolDeque", &self.0, f)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::Pool;

    static RX_POOL: Pool<256, 8> = Pool::new();
    static RX: PoolDeque = PoolDeque::new(&RX_POOL);

    #[test]
    fn clear_after_the_pool_was_cleared_makes_the_queue_usable_again() {
        RX.push_slice(b"a line longer than one chunk").unwrap();
        // Start-over after an error: every handle of the pool goes stale.
        RX_POOL.with(|slab| slab.clear());
        assert_eq!(RX.push(b'x'), Err(ByteBufferError::ForeignChunk));
        assert_eq!(RX.peek_into(&mut [0; 4]), 0, "stale blocks are not read");
        RX.clear();
        assert!(RX.is_empty());
        RX.push_slice(b"ok").unwrap();
        assert_eq!(
            (RX.pop(), RX.pop(), RX.pop()),
            (Some(b'o'), Some(b'k'), None)
        );
        assert!(RX_POOL.is_empty());
    }

    static NESTED_POOL: Pool<256, 8> = Pool::new();
    static NESTED: PoolDeque = PoolDeque::new(&NESTED_POOL);

    /// The queue reaches its pool inside its own critical section, without taking
    /// the pool's: the pool's re-entry flag must still turn away a call from inside a
    /// closure the pool is running.
    #[test]
    #[should_panic(expected = "already running")]
    fn a_queue_used_inside_its_pools_closure_panics_instead_of_aliasing() {
        NESTED_POOL.with(|_| NESTED.push(b'x')).unwrap();
    }

    static NAMED_POOL: Pool<256, 8> = Pool::new();
    static NAMED: PoolDeque<Pool<256, 8>> = PoolDeque::new(&NAMED_POOL);

    /// The queue that names its pool's type calls the pool directly, and behaves as
    /// the one that reaches it through a trait object.
    #[test]
    fn a_queue_that_names_its_pools_type_works_as_the_trait_object_one() {
        NAMED.push_slice(b"longer than one 32-byte chunk").unwrap();
        NAMED.push(b'!').unwrap();
        assert_eq!((NAMED.len(), NAMED_POOL.len()), (30, 2));
        assert_eq!((NAMED.peek(), NAMED.pop()), (Some(b'l'), Some(b'l')));
        let mut ahead = [0; 8];
        assert_eq!(NAMED.peek_into(&mut ahead), 8);
        assert_eq!(&ahead, b"onger th");
        assert_eq!(NAMED.len(), 29, "peek_into removes nothing");
        let mut out = [0; 64];
        assert_eq!(NAMED.pop_into(&mut out), 29);
        assert_eq!(&out[..29], b"onger than one 32-byte chunk!");
        assert!(NAMED.is_empty() && NAMED_POOL.is_empty());
        assert_eq!(std::format!("{NAMED:?}"), "PoolDeque { len: 0 }");
        // Filled to the last block, then refused whole, as the other queue is.
        let all = [7; 8 * 28];
        NAMED.push_slice(&all).unwrap();
        assert_eq!(NAMED.push(1), Err(ByteBufferError::AllocationFailed));
        NAMED.clear();
        assert!(NAMED_POOL.is_empty());
    }

    static NAMED_NESTED_POOL: Pool<256, 8> = Pool::new();
    static NAMED_NESTED: PoolDeque<Pool<256, 8>> = PoolDeque::new(&NAMED_NESTED_POOL);

    #[test]
    #[should_panic(expected = "already running")]
    fn a_named_queue_used_inside_its_pools_closure_panics_instead_of_aliasing() {
        NAMED_NESTED_POOL.with(|_| NAMED_NESTED.push(b'x')).unwrap();
    }

    /// A `SharedAllocator` that takes its own lock, as a user's may: the queue's
    /// calls reach it through the default `with_allocator_in`.
    struct OwnLock(std::sync::Mutex<crate::TinySlabAllocator<256, 8>>);

    impl SharedAllocator for OwnLock {
        fn with_allocator(&self, f: &mut dyn FnMut(&mut dyn Allocator)) {
            f(&mut *self.0.lock().unwrap());
        }
    }

    static OWN: OwnLock = OwnLock(std::sync::Mutex::new(crate::TinySlabAllocator::new()));
    static OWN_QUEUE: PoolDeque = PoolDeque::new(&OWN);

    /// A `SharedAllocator` that logs the queue it serves while the queue is busy.
    struct Logging(crate::Pool<256, 8>);

    static LOGGED: std::sync::Mutex<std::string::String> =
        std::sync::Mutex::new(std::string::String::new());

    impl SharedAllocator for Logging {
        fn with_allocator(&self, f: &mut dyn FnMut(&mut dyn Allocator)) {
            *LOGGED.lock().unwrap() = std::format!("{LOGGING_QUEUE:?}");
            self.0.with_allocator(f);
        }
    }

    static LOGGING: Logging = Logging(crate::Pool::new());
    static LOGGING_QUEUE: PoolDeque = PoolDeque::new(&LOGGING);

    /// `Debug` must not panic, even where the queue itself would: it shows the
    /// length as `<borrowed>`, as a borrowed `RefCell` does.
    #[test]
    fn debug_of_a_queue_its_own_allocator_prints_shows_it_borrowed() {
        LOGGING_QUEUE.push(b'x').unwrap();
        assert_eq!(*LOGGED.lock().unwrap(), "PoolDeque { len: <borrowed> }");
        assert_eq!(std::format!("{LOGGING_QUEUE:?}"), "PoolDeque { len: 1 }");
    }

    #[test]
    fn a_pool_of_the_users_with_only_with_allocator_serves_a_queue() {
        OWN_QUEUE
            .push_slice(b"longer than one 32-byte chunk")
            .unwrap();
        assert_eq!(OWN.0.lock().unwrap().len(), 2);
        let mut out = [0; 64];
        assert_eq!(OWN_QUEUE.pop_into(&mut out), 29);
        assert_eq!(&out[..29], b"longer than one 32-byte chunk");
        assert!(OWN.0.lock().unwrap().is_empty());
    }
}
