//! Cross-crate tests of guestloop, and the independent simulation they check it against.
//!
//! Owns: [`simulation`] (a plain synchronous statement of the sieve's rules, also used by the
//! benchmark as its baseline), and the test modules: executor behaviour, the test host,
//! snapshots of every frame, properties over random grids. Depends on guestloop's public API only.

pub mod simulation;

#[cfg(test)]
mod scratch {
    use crate::simulation::simulate;
    #[test]
    fn sim_matches_spec() {
        let t = simulate(100);
        assert!(t.trace().starts_with("tick 1: 4\ntick 2: 6\ntick 3: 8 9 10\n"));
        assert!(t.trace().ends_with("done: tick=51 marked=74\n"), "{}", t.trace());
        assert!(simulate(1600).trace().ends_with("done: tick=801 marked=1348\n"));
        for n in 1..300 {
            let cfg = guestloop::sieve::SieveConfig::new(1, n).unwrap();
            assert_eq!(guestloop::sieve::trace_on_test_host(&cfg), simulate(n).trace(), "n={n}");
        }
    }
}
