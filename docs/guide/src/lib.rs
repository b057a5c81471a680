//! `docs/implementing-a-host.md`, included as this crate's documentation so that `cargo test`
//! compiles and runs every Rust snippet in it: the guide cannot drift from the code.
//!
//! Owns nothing else. Depends on guestloop and the library hosts the guide points at.
#![doc = include_str!("../../implementing-a-host.md")]
