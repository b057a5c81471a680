//! Snapshots of whole outputs: every frame of a 10×10 sieve run, minimal's timeline, the 40×40
//! trace. Each snapshot is also checked against the independent simulation, so a snapshot is
//! never the only witness of what is right.

use crate::simulation::simulate;
use crate::snapshots::in_snapshot_dir;
use guestloop::minimal::{ANSWER, QUESTION, run_minimal};
use guestloop::sieve::{Frame, SieveConfig, run_sieve, trace_on_test_host};
use guestloop::testing::TestHost;
use std::cell::RefCell;
use std::fmt::Write;
use std::rc::Rc;
use std::time::Duration;

#[test]
fn every_frame_of_a_10x10_run() {
    let config = SieveConfig::new(10, 10).unwrap();
    let expected = simulate(config.numbers());
    let mut host = TestHost::new(config.tick());
    let frame = Rc::new(RefCell::new(Frame::new(&config)));
    let run = host.spawn_local(run_sieve(config, frame.clone()));
    host.run_pending();
    let mut tick = 0u64;
    in_snapshot_dir(|| {
        loop {
            let frame = frame.borrow();
            // Independently: exactly the simulation's marks up to this tick are shown.
            let marked: Vec<u32> = (1..=100)
                .filter(|&n| frame.colour_of(n).is_some())
                .collect();
            let mut simulated: Vec<u32> = expected
                .marks
                .iter()
                .filter(|(at, _)| *at <= tick)
                .map(|&(_, n)| n)
                .collect();
            simulated.sort_unstable();
            assert_eq!(marked, simulated, "frame of tick {tick}");
            insta::assert_snapshot!(format!("sieve_10x10_tick_{tick:03}"), frame.to_text());
            if run.is_finished() {
                break;
            }
            drop(frame);
            host.step();
            tick += 1;
        }
    });
    assert_eq!(tick, expected.done_tick);
    assert_eq!(tick, 51);
}

#[test]
fn the_40x40_trace() {
    let config = SieveConfig::new(40, 40).unwrap();
    let trace = trace_on_test_host(&config);
    assert_eq!(trace, simulate(1600).trace());
    assert!(trace.ends_with("done: tick=801 marked=1348\n"));
    in_snapshot_dir(|| insta::assert_snapshot!("trace_40x40", trace));
}

#[test]
fn minimal_timeline_with_two_clicks() {
    let step = Duration::from_millis(100);
    let mut host = TestHost::new(step);
    let (click, clicks) = async_channel::unbounded::<()>();
    let writes = Rc::new(RefCell::new(Vec::new()));
    let view = writes.clone();
    let demo = host.spawn_local(run_minimal(clicks, move |text| {
        view.borrow_mut().push(text)
    }));
    let mut timeline = String::new();
    let mut answers = Vec::new();
    host.run_pending();
    for step_index in 0..=25u32 {
        let millis = step_index * 100;
        if millis == 300 || millis == 800 {
            click.try_send(()).unwrap();
            let _ = writeln!(timeline, "t={millis:>4}ms click");
        }
        host.run_pending();
        for text in writes.borrow_mut().drain(..) {
            let _ = writeln!(timeline, "t={millis:>4}ms label: {text}");
            if text == QUESTION {
                answers.push(millis);
            }
        }
        host.step();
    }
    drop(click);
    host.run_until(|| demo.is_finished()).unwrap();
    assert_eq!(
        answers,
        [1300, 1800],
        "each click answered one second later"
    );
    assert!(timeline.starts_with(&format!("t=   0ms label: {ANSWER}\n")));
    in_snapshot_dir(|| insta::assert_snapshot!("minimal_two_clicks", timeline));
}
