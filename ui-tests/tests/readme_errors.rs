//! The README quotes two compile errors; each quote is checked here against the
//! `.stderr` snapshot trybuild keeps for the same mistake (`ui/fail/`), so the quotes
//! change when the messages do.

use std::fs;
use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    fs::read_to_string(&full).unwrap_or_else(|error| panic!("{}: {error}", full.display()))
}

fn first_line(text: &str) -> &str {
    text.lines().next().expect("a first line")
}

#[test]
fn the_pool_attributes_error_is_the_one_the_compiler_prints() {
    let readme = read("../README.md");
    let intro = "This is the whole output of `cargo build`";
    let after = &readme[readme
        .find(intro)
        .expect("the README's quoted build output")..];
    let block = &after[after.find("```text\n").expect("a text block") + "```text\n".len()..];
    let snapshot = read("ui/fail/pool_size_not_multiple_of_slots.stderr");
    assert_eq!(first_line(block), first_line(&snapshot));
}

#[test]
fn the_slab_configuration_error_is_the_one_the_compiler_prints() {
    let readme = read("../README.md");
    let code = "let alloc = tinyalloc::TinySlabAllocator::<1000, 32>::new();";
    let before = &readme[..readme
        .find(code)
        .expect("the README's compile_fail example")];
    let block = &before[before
        .rfind("```rust,compile_fail\n")
        .expect("its code block")..];
    // The comment lines of the block, joined back into the one line rustc prints.
    let quoted = block
        .lines()
        .filter_map(|line| line.strip_prefix("// "))
        .collect::<Vec<_>>()
        .join(" ");
    let snapshot = read("ui/fail/slab_size_not_multiple_of_slots.stderr");
    assert_eq!(quoted, first_line(&snapshot));
}
