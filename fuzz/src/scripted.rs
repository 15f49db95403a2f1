//! The slab provider of the cache target: the system allocator behind books that
//! record every block out, and answer each request for a slab as the input scripted
//! it (a slab, `None`, or a block half an alignment off), with frees that report an
//! error on request. A block handed back twice, or with another layout, panics.

use std::alloc::Layout;
use std::collections::{BTreeMap, VecDeque};
use std::ptr::NonNull;
use std::sync::Mutex;

use arbitrary::Arbitrary;
use tinyalloc::cache::{SlabError, SlabProvider};

/// How the provider answers one request for a slab.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Slab,
    Refuse,
    Misaligned,
}

/// What a provider has out, and what it has been asked.
#[derive(Default)]
pub(crate) struct Books {
    /// Blocks out: start → (the layout asked for, the start of the real allocation).
    pub(crate) out: BTreeMap<usize, (Layout, *mut u8)>,
    pub(crate) script: VecDeque<Answer>,
    pub(crate) failing_frees: usize,
    calls: usize,
    /// Free errors reported: the cache counts every one, a misaligned block's too.
    counted_errors: usize,
}

// SAFETY: the raw pointers are allocations owned by the books, used only under the
// mutex.
unsafe impl Send for Books {}

static BOOKS: [Mutex<Option<Books>>; 2] = [Mutex::new(None), Mutex::new(None)];

pub(crate) fn books<const ID: usize, R>(f: impl FnOnce(&mut Books) -> R) -> R {
    let mut guard = BOOKS[ID].lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(Books::default))
}

/// A provider over the system allocator that answers as scripted. `ID` keeps the
/// books of the two caches of one run apart.
#[derive(Debug)]
pub struct Scripted<const ID: usize>;

impl<const ID: usize> Scripted<ID> {
    pub(crate) fn next_answer() -> Answer {
        books::<ID, _>(|b| b.script.front().copied().unwrap_or(Answer::Slab))
    }

    pub(crate) fn outstanding() -> Vec<usize> {
        books::<ID, _>(|b| b.out.keys().copied().collect())
    }

    /// Calls so far, and the free errors reported.
    pub(crate) fn counts() -> (usize, usize) {
        books::<ID, _>(|b| (b.calls, b.counted_errors))
    }

    /// Starts a run: nothing may be out from the last one.
    pub(crate) fn reset() {
        books::<ID, _>(|b| {
            assert!(b.out.is_empty(), "a block was never handed back");
            *b = Books::default();
        });
    }
}

// SAFETY: every block is a fresh `std::alloc` allocation of at least `layout.size()`
// bytes from the returned start (a misaligned one starts half an alignment into an
// allocation twice the size), owned by the caller until `free`, which takes back
// exactly the blocks handed out, with their layout, and panics on any other.
unsafe impl<const ID: usize> SlabProvider for Scripted<ID> {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        books::<ID, _>(|b| {
            b.calls += 1;
            let answer = b.script.pop_front().unwrap_or(Answer::Slab);
            let (real, skip) = match answer {
                Answer::Refuse => return None,
                Answer::Slab => (layout, 0),
                Answer::Misaligned => (
                    Layout::from_size_align(layout.size() * 2, layout.align()).ok()?,
                    layout.align() / 2,
                ),
            };
            // SAFETY: the cache never asks for zero bytes.
            let base = unsafe { std::alloc::alloc_zeroed(real) };
            let start = NonNull::new(base)?.as_ptr().wrapping_add(skip);
            b.out.insert(start as usize, (layout, base));
            NonNull::new(start)
        })
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
        books::<ID, _>(|b| {
            b.calls += 1;
            let Some((given, base)) = b.out.remove(&ptr.addr().get()) else {
                panic!("the cache handed back {ptr:p}, a block it does not have");
            };
            assert_eq!(given, layout, "a block came back with another layout");
            let misaligned = base != ptr.as_ptr();
            let real = if misaligned {
                Layout::from_size_align(layout.size() * 2, layout.align()).unwrap()
            } else {
                layout
            };
            // SAFETY: allocated above with `real`, and handed back once.
            unsafe { std::alloc::dealloc(base, real) };
            if b.failing_frees > 0 {
                b.failing_frees -= 1;
                b.counted_errors += 1;
                return Err(SlabError::FatalError);
            }
            Ok(())
        })
    }
}
