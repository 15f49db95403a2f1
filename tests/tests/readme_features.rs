//! The README's feature table and `Cargo.toml` name the same features, so neither
//! drifts from the other.

use std::fs;
use std::path::Path;

#[test]
fn every_feature_in_cargo_toml_is_in_the_readme_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = fs::read_to_string(root.join("tinyalloc/Cargo.toml")).unwrap();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();

    let features: Vec<&str> = manifest
        .split("[features]")
        .nth(1)
        .expect("a [features] table")
        .lines()
        .take_while(|line| !line.starts_with('['))
        .filter(|line| !line.starts_with('#') && line.contains('='))
        .map(|line| line.split('=').next().unwrap().trim())
        .filter(|name| *name != "default")
        .collect();
    assert!(features.len() >= 9, "{features:?}");

    let table = readme
        .split("## Feature flags")
        .nth(1)
        .expect("a Feature flags section")
        .split("\n## ")
        .next()
        .unwrap();
    for feature in &features {
        assert!(
            table.contains(&format!("| `{feature}` |")),
            "feature `{feature}` is missing from the README's table"
        );
    }
    let rows = table.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(
        rows,
        features.len(),
        "the README lists a feature Cargo.toml does not have"
    );
}
