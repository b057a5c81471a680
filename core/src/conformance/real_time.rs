//! Checks that need the host's clock to move while the guest works: a task that never stops
//! yielding, and a host thread that stalls. For hosts whose clock follows real time; a
//! virtual-time host's clock stands still while a task runs, so neither can happen there.

use super::{CheckResult, Harness, MS, ensure, run_check};
use crate::{Builder, Handle, MissedTicks, TickClock, now, sleep, spawn_local, yield_now};
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

pub(super) fn yielding_does_not_starve_timers(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let handle = Handle::current();
        let (stop, yields) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(0u64)));
        let yielder = spawn_local({
            let (stop, yields) = (stop.clone(), yields.clone());
            async move {
                while !stop.get() {
                    yields.set(yields.get() + 1); // a chunk of work
                    yield_now().await;
                }
            }
        });
        let deadline = now() + 20 * MS;
        sleep(20 * MS).await;
        let late = handle.host_now().saturating_duration_since(deadline);
        let yielded = yields.get();
        stop.set(true);
        yielder.await.map_err(|e| e.to_string())?;
        ensure!(
            yielded > 0,
            "the yielding task never ran while the other slept"
        );
        ensure!(
            late < Duration::from_secs(2),
            "a 20 ms sleep ended {late:?} late while another task kept yielding"
        );
        Ok(())
    })
}

pub(super) fn a_stall_past_the_bound_jumps(harness: &mut dyn Harness) -> CheckResult {
    let bound = 50 * MS;
    run_check(
        harness,
        Builder::default().max_catch_up(bound),
        async move {
            let handle = Handle::current();
            let clock = TickClock::starting_now(5 * MS);
            let mut ticks = clock.interval(MissedTicks::Skip);
            ticks.tick().await;
            let jumps = handle.stats().clock_jumps;
            // The host's thread stalls, as a debugger or a long blocking call would make it.
            std::thread::sleep(4 * bound);
            let stalled_until = handle.host_now();
            let tick = ticks.tick().await;
            ensure!(
                handle.stats().clock_jumps == jumps + 1,
                "{} jumps after a stall of {:?} with a bound of {bound:?}",
                handle.stats().clock_jumps - jumps,
                4 * bound
            );
            ensure!(
                now() >= stalled_until,
                "the guest clock {} stayed behind the host's {stalled_until}",
                now()
            );
            ensure!(
                tick == clock.tick_at(now()),
                "a skipping interval gave tick {tick}, not the latest, {}",
                clock.tick_at(now())
            );
            Ok(())
        },
    )
}
