//! Holds no code: the cases live in `ui/` and run from `tests/ui.rs`.
