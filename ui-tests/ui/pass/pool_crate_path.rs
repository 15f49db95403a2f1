// `crate = …` for a crate that re-exports tinyalloc under another path.
#![deny(warnings)]

pub extern crate tinyalloc as renamed;

mod hal {
    pub use renamed as alloc;
}

#[renamed::pool(size = 512, slots = 16, crate = hal::alloc)]
static POOL: Pool;

fn main() {
    let handle = POOL.alloc(b"through the re-export").unwrap();
    assert_eq!(POOL.read(handle, |b| b.len()), Some(21));
}
