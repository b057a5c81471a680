//! minimal
