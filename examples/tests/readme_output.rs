//! The README quotes what the examples print. Each quote is checked here against the
//! example's real output, so "prints:" stays true as the crate changes.
//!
//! `cargo test` builds every example before it runs a test, into `examples/` beside
//! the directory this test binary sits in; the test runs those binaries.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The examples whose output the README quotes in full. `pool_static` is left out:
/// the README says its counts vary with the host's thread timing.
const QUOTED: &[&str] = &[
    "quickstart",
    "dynamic_buffers",
    "stream_processing",
    "global_buffer",
    "uart_interrupt",
    "error_handling",
];

fn readme() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    fs::read_to_string(path).expect("the workspace README")
}

/// The first ```` ```text ```` block after the README first names `--example NAME`.
fn quoted_output(readme: &str, example: &str) -> String {
    let named = format!("--example {example}");
    let from = readme
        .find(&named)
        .unwrap_or_else(|| panic!("the README does not name `{named}`"));
    let rest = &readme[from..];
    let open = rest
        .find("```text\n")
        .unwrap_or_else(|| panic!("no ```text block after `{named}`"))
        + "```text\n".len();
    let close = rest[open..]
        .find("```")
        .unwrap_or_else(|| panic!("the ```text block after `{named}` is not closed"));
    rest[open..open + close].to_owned()
}

fn example_binary(example: &str) -> PathBuf {
    // target/<profile>/deps/readme_output-<hash> → target/<profile>/examples/<example>
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(Path::parent)
        .expect("the test binary sits in <profile>/deps");
    let path = profile_dir
        .join("examples")
        .join(example)
        .with_extension(std::env::consts::EXE_EXTENSION);
    assert!(
        path.is_file(),
        "{} was not built; `cargo test` builds the examples",
        path.display()
    );
    path
}

fn run(example: &str) -> String {
    let output = Command::new(example_binary(example))
        .output()
        .unwrap_or_else(|error| panic!("running {example}: {error}"));
    assert!(
        output.status.success(),
        "{example} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the example prints UTF-8")
}

#[test]
fn every_quoted_example_prints_what_the_readme_says() {
    let readme = readme();
    let mut wrong = Vec::new();
    for example in QUOTED {
        let quoted = quoted_output(&readme, example);
        let printed = run(example);
        if printed != quoted {
            wrong.push(format!(
                "`cargo run --example {example}`\n--- README\n{quoted}--- printed\n{printed}"
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// The numbers in `text`, in order.
fn numbers(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|run| run.parse().ok())
        .collect()
}

/// `text` with every number replaced by `#`.
fn shape(text: &str) -> String {
    let mut shape = String::new();
    for c in text.chars() {
        if !c.is_ascii_digit() {
            shape.push(c);
        } else if !shape.ends_with('#') {
            shape.push('#');
        }
    }
    shape
}

#[test]
fn pool_static_prints_the_lines_the_readme_describes() {
    // The README says its counts vary with the host's timing: the lines, the total
    // of frames and the pool's bookkeeping do not.
    let quoted = quoted_output(&readme(), "pool_static");
    let printed = run("pool_static");
    assert_eq!(shape(&printed), shape(&quoted), "printed:\n{printed}");

    let [processed, dropped, ..] = numbers(&printed)[..] else {
        panic!("printed:\n{printed}");
    };
    let [quoted_processed, quoted_dropped, ..] = numbers(&quoted)[..] else {
        panic!("quoted:\n{quoted}");
    };
    assert_eq!(processed + dropped, quoted_processed + quoted_dropped);
    // stats: 0/16 blocks in use (high-water H), F failed allocations, 0 rejected handles
    let stats = numbers(printed.lines().nth(1).expect("a stats line"));
    assert_eq!(stats[0], 0, "every frame went back: {printed}");
    assert_eq!(
        stats[3], dropped,
        "each dropped frame is one failed allocation"
    );
    // What the example is for: the handler outruns the main loop, fills the pool and
    // drops frames, whatever the host's timing.
    assert!(dropped > 0, "no frame was dropped: {printed}");
    assert_eq!(stats[1], 16, "the pool never filled: {printed}");
}
