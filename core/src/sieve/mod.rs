//! sieve
