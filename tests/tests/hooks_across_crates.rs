//! `define_allocation_hooks!` in two crates of one program must fail to link, as the
//! README's "Link errors" section says; hooks in a library alone must serve the
//! program. Within one crate the compiler already refuses a second call (the
//! `hooks_defined_twice` ui-test); across crates only the linker can, and it sees a
//! library's hooks only if something pulls the object that holds them into the link.
//!
//! Each case is a small program built with cargo in a directory of its own: a
//! library `board` that defines hooks and nothing else the program calls (a board
//! support crate), and binaries that use it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const BOARD: &str = r#"
use core::alloc::Layout;
use core::ptr::NonNull;

unsafe fn board_alloc(layout: Layout) -> Option<NonNull<u8>> {
    // SAFETY: the cache never asks for zero bytes.
    NonNull::new(unsafe { std::alloc::alloc(layout) })
}

unsafe fn board_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    // SAFETY: the cache hands back what `board_alloc` gave, with its layout.
    unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    Ok(())
}

tinyalloc::define_allocation_hooks!(board_alloc, board_free);
"#;

/// The program's own hooks refuse every request, so a run shows whose hooks it got.
const TWICE: &str = r#"
use core::alloc::Layout;
use core::ptr::NonNull;
use tinyalloc::prelude::*;

use board as _;

unsafe fn app_alloc(_layout: Layout) -> Option<NonNull<u8>> {
    None
}

unsafe fn app_free(_ptr: NonNull<u8>, _layout: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(app_alloc, app_free);

fn main() {
    let hooks = match SlabCache::<u64, SpinLock, 1024>::new() {
        Ok(_) => "board's",
        Err(_) => "the program's",
    };
    println!("linked with {hooks} hooks");
}
"#;

const BOARD_ONLY: &str = r#"
use tinyalloc::prelude::*;

use board as _;

fn main() {
    let cache = SlabCache::<u64, SpinLock, 1024>::new().expect("board's hooks give a slab");
    let item = cache.alloc(7).ok().expect("a slot");
    println!("board's hooks: {}", *item);
}
"#;

/// Writes the program into a directory of its own (with the workspace's lock file,
/// so cargo resolves the same versions offline), once per run, and returns its path.
fn fixture() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(write_fixture)
}

fn write_fixture() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tinyalloc = workspace.join("tinyalloc").canonicalize().unwrap();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hooks_across_crates");
    let files = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"app\", \"board\"]\nresolver = \"3\"\n".to_owned(),
        ),
        (
            "board/Cargo.toml",
            format!(
                "[package]\nname = \"board\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
                 [dependencies]\ntinyalloc = {{ path = {:?} }}\n",
                tinyalloc
            ),
        ),
        ("board/src/lib.rs", BOARD.to_owned()),
        (
            "app/Cargo.toml",
            format!(
                "[package]\nname = \"app\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
                 [dependencies]\nboard = {{ path = \"../board\" }}\n\
                 tinyalloc = {{ path = {:?} }}\n",
                tinyalloc
            ),
        ),
        ("app/src/bin/twice.rs", TWICE.to_owned()),
        ("app/src/bin/board_only.rs", BOARD_ONLY.to_owned()),
    ];
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        // Unchanged files keep their times, so a rerun rebuilds nothing.
        if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            fs::write(&path, text).unwrap();
        }
    }
    if !root.join("Cargo.lock").exists() {
        fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
    }
    root
}

fn cargo(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .args(args)
        // One job: the tests run in parallel, each with a cargo of its own.
        .args(["--offline", "--quiet", "-j1"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
#[cfg_attr(miri, ignore)] // runs cargo
fn hooks_in_the_program_and_in_a_library_it_uses_fail_to_link() {
    let root = fixture();
    let build = cargo(root, &["build", "-p", "app", "--bin", "twice"]);
    let stderr = String::from_utf8_lossy(&build.stderr);
    if build.status.success() {
        let run = cargo(root, &["run", "-p", "app", "--bin", "twice"]);
        panic!(
            "two definitions of the hooks linked; the program ran: {}",
            String::from_utf8_lossy(&run.stdout).trim()
        );
    }
    assert!(
        (stderr.contains("duplicate symbol") || stderr.contains("multiple definition"))
            && stderr.contains("_tinyalloc_0_1_slab_alloc"),
        "the build failed, but not with the README's link error:\n{stderr}"
    );
}

#[test]
#[cfg_attr(miri, ignore)] // runs cargo
fn hooks_in_a_library_alone_serve_the_program() {
    let root = fixture();
    let run = cargo(root, &["run", "-p", "app", "--bin", "board_only"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        "board's hooks: 7"
    );
}
