//! The examples live beside this file; run them from the workspace root with
//! `cargo run --example NAME`.
