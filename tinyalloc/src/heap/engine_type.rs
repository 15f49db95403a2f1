//! The macro that declares each public engine type around a
//! [`Shell`](super::shell::Shell): its methods, `GlobalAlloc`, `Default` and `Debug`.

/// Declares a public heap type around `Shell<$engine, SIZE>`, with its methods,
/// `GlobalAlloc`, `Default` and `Debug`.
macro_rules! heap_engine {
    ($(#[$meta:meta])* $name:ident, $engine:ty) => {
        $(#[$meta])*
        pub struct $name<
            const SIZE: usize = { $crate::heap::DEFAULT_ARENA_SIZE },
            L: $crate::cache::locks::Lock = $crate::cache::locks::CriticalSectionLock,
        > {
            shell: $crate::heap::shell::Shell<$engine, SIZE, L>,
        }

        impl<const SIZE: usize, L: $crate::cache::locks::Lock> $name<SIZE, L> {
            #[doc = concat!("A heap with an inline arena of `SIZE` bytes (",
                stringify!($name), "<0> for one that takes a region with [`init`](Self::init)).")]
            ///
            /// With the locks tinyalloc ships (and any lock whose
            /// [`UNLOCKED`](crate::cache::locks::Lock::UNLOCKED) is all zeroes) every
            /// byte of the value is zero, so a `static` costs no flash; the engine lays
            /// out its bookkeeping on first use. A `SIZE` too small for the
            /// engine fails to compile.
            #[inline]
            pub const fn new() -> Self {
                $name {
                    shell: $crate::heap::shell::Shell::new(),
                }
            }

            /// Hands the heap its memory, once: for a heap declared with `SIZE = 0`,
            /// typically a region the linker script reserves. Until `init` runs, every
            /// allocation returns null.
            ///
            /// On a heap with an inline arena (`SIZE > 0`), which would not use the
            /// region, a call fails to build (`cargo build`; `cargo check` does not
            /// evaluate the check).
            ///
            /// # Errors
            ///
            /// [`InitError`](crate::heap::InitError), and the region is not used:
            /// `AlreadyInitialized` on a second call, `RegionTooSmall` for a region
            /// that cannot hold the engine's bookkeeping and a block, `Reentered` from
            /// inside the heap's own code (a non-maskable interrupt).
            pub fn init(
                &self,
                region: &'static mut [core::mem::MaybeUninit<u8>],
            ) -> Result<(), $crate::heap::InitError> {
                let () = Self::TAKES_A_REGION;
                self.shell.init(region)
            }

            /// Fails to evaluate, naming the fix, for a heap with an inline arena:
            /// `init` on one would hand it a region it never uses (the habit of
            /// heaps that have no arena of their own). Named by each `init` method,
            /// so the error shows the caller's line.
            const TAKES_A_REGION: () = if SIZE > 0 {
                let message = $crate::const_msg::Message::new()
                    .text(concat!(
                        "tinyalloc: init() is for a heap declared without an arena, ",
                        stringify!($name),
                        "<0>; this one has an inline arena of "
                    ))
                    .num(SIZE)
                    .text(concat!(
                        " bytes and would not use the region: declare it ",
                        stringify!($name),
                        "<0> to hand it a region, or remove the init call"
                    ));
                panic!("{}", message.as_str());
            };

            /// [`init`](Self::init) from a start address and a length, for a region
            /// known only by linker symbols.
            ///
            /// # Errors
            ///
            /// As [`init`](Self::init).
            ///
            /// # Safety
            /// `[ptr, ptr + len)` is valid for reads and writes for the rest of the
            /// program and nothing else uses it (no live reference into it either).
            pub unsafe fn init_from_raw_parts(
                &self,
                ptr: *mut u8,
                len: usize,
            ) -> Result<(), $crate::heap::InitError> {
                let () = Self::TAKES_A_REGION;
                // SAFETY: the caller's contract, passed on.
                unsafe { self.shell.init_from_raw_parts(ptr, len) }
            }

            /// What the heap holds now and has done; see
            /// [`HeapStats`](crate::heap::HeapStats). All zeroes when called from
            /// inside one of the heap's own calls (see the module's notes on
            /// re-entry).
            ///
            /// Unlike the counters it copies, `largest_free` is found by a search,
            /// which runs under the heap's lock (with the default
            /// [`CriticalSectionLock`](crate::cache::locks::CriticalSectionLock),
            /// interrupts stay masked meanwhile):
            /// [`SegregatedBumpAllocator`](crate::heap::SegregatedBumpAllocator)
            /// checks its size classes, O(classes);
            /// [`BumpFreeListAllocator`](crate::heap::BumpFreeListAllocator) walks
            /// its whole free list, O(free blocks);
            /// [`FreeListAllocator`](crate::heap::FreeListAllocator) walks its
            /// largest non-empty size class and sorts the blocks waiting in its
            /// quick slots by address, up to 126 of them (a heapsort: about 30,000
            /// x86_64 instructions with all 126 waiting).
            /// Read it from a test, a debug console or the main loop, not from an
            /// interrupt handler that must stay short.
            pub fn stats(&self) -> $crate::heap::HeapStats {
                self.shell.stats()
            }

            /// Walks the heap's bookkeeping and returns the first inconsistency, which
            /// means something wrote into free memory. Works in release builds and
            /// never panics.
            ///
            /// # Errors
            ///
            /// The first inconsistency found; `verify` repairs nothing.
            ///
            /// - [`VerifyError::Reentered`](crate::heap::VerifyError::Reentered): called
            ///   from inside the heap's own code (a non-maskable interrupt or fault
            ///   handler that preempted it).
            /// - [`OutOfBounds`](crate::heap::VerifyError::OutOfBounds),
            ///   [`Cycle`](crate::heap::VerifyError::Cycle) and
            ///   [`Accounting`](crate::heap::VerifyError::Accounting), from every
            ///   engine: a free block (or the bump top) outside the heap or misaligned, a
            ///   free list longer than the heap could hold, used and free bytes that do
            ///   not add up to the heap.
            /// - [`BadSize`](crate::heap::VerifyError::BadSize),
            ///   [`BrokenLink`](crate::heap::VerifyError::BrokenLink) and
            ///   [`NotCoalesced`](crate::heap::VerifyError::NotCoalesced), from
            ///   [`BumpFreeListAllocator`](crate::heap::BumpFreeListAllocator) and
            ///   [`FreeListAllocator`](crate::heap::FreeListAllocator): a free block's
            ///   size, a free list's links or order, free blocks left unmerged.
            /// - [`WrongClass`](crate::heap::VerifyError::WrongClass),
            ///   [`BitmapMismatch`](crate::heap::VerifyError::BitmapMismatch) and
            ///   [`FreedTwice`](crate::heap::VerifyError::FreedTwice), from
            ///   [`FreeListAllocator`](crate::heap::FreeListAllocator) alone: a block
            ///   on the wrong size class, the side bitmap, a block given back twice or
            ///   with too large a size (found while it waits in a quick slot, as the
            ///   last two freed blocks of each size up to 512 bytes do; a larger one
            ///   shows as the damage it did, a bitmap mismatch or a bad size).
            pub fn verify(&self) -> Result<(), $crate::heap::VerifyError> {
                self.shell.verify()
            }

            /// A copy of the last events (oldest first); the log keeps recording.
            #[cfg(feature = "debug-log")]
            pub fn debug_logs(&self) -> $crate::heap::debug_log::DebugLog {
                self.shell.debug_logs()
            }

            /// Forgets the logged events.
            #[cfg(feature = "debug-log")]
            pub fn clear_debug_logs(&self) {
                self.shell.clear_debug_logs()
            }
        }

        // SAFETY: the shell hands out each block to one owner until it comes back,
        // honours the layout's size and alignment (every engine rounds the size up to
        // its granule and places blocks at aligned addresses inside its arena), and
        // returns null instead of panicking when it cannot.
        unsafe impl<const SIZE: usize, L: $crate::cache::locks::Lock> core::alloc::GlobalAlloc
            for $name<SIZE, L>
        {
            #[inline]
            unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
                self.shell.alloc(layout)
            }

            #[inline]
            unsafe fn dealloc(&self, ptr: *mut u8, layout: core::alloc::Layout) {
                // SAFETY: `GlobalAlloc::dealloc`'s contract: `ptr` came from this
                // allocator for `layout`.
                unsafe { self.shell.dealloc(ptr, layout) }
            }

            #[inline]
            unsafe fn realloc(
                &self,
                ptr: *mut u8,
                layout: core::alloc::Layout,
                new_size: usize,
            ) -> *mut u8 {
                // SAFETY: `GlobalAlloc::realloc`'s contract, passed on.
                unsafe { self.shell.realloc(ptr, layout, new_size) }
            }
        }

        #[cfg(feature = "allocator-api2")]
        $crate::heap::allocator_api::allocator_api2_impl!($name);

        impl<const SIZE: usize, L: $crate::cache::locks::Lock> Default for $name<SIZE, L> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<const SIZE: usize, L: $crate::cache::locks::Lock> core::fmt::Debug for $name<SIZE, L> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                // Never all zeroes for a heap in use: inside one of its own calls (a
                // fault handler that prints it) the stats show as `<borrowed>`.
                let mut out = f.debug_struct(stringify!($name));
                match self.shell.try_stats() {
                    Some(stats) => out.field("stats", &stats),
                    None => out.field("stats", &format_args!("<borrowed>")),
                };
                out.finish_non_exhaustive()
            }
        }
    };
}

pub(crate) use heap_engine;
