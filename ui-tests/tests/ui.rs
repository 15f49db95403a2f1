//! Compile-fail cases, one mistake per file, and compile-pass cases that also run.
//! Regenerate snapshots with `TRYBUILD=overwrite` and read the diff before committing.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    // At least one pass case makes trybuild run `cargo build`, which is needed for the
    // const assertions: `cargo check` does not evaluate them.
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
