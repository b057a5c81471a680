//! Checks of what a host can get wrong: a timer that fires early or never stops firing, a loop
//! that runs the guest every turn, a new deadline it does not take, a run-soon that runs the
//! guest at once or breaks once the guest is gone. (A host that fires early is tolerated: the
//! executor arms its timer again, at the cost of a run.)

use super::{CheckResult, Harness, MS, PATIENCE, ensure, fire, run_check, signal, within};
use crate::{Builder, Handle, now, sleep, spawn_local, yield_now};
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::Duration;

pub(super) fn sleeps_cost_few_runs(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let handle = Handle::current();
        let before = handle.stats().runs;
        for _ in 0..10 {
            sleep(3 * MS).await;
        }
        let runs = handle.stats().runs - before;
        ensure!(
            runs <= 30,
            "10 sleeps of 3 ms took {runs} host runs: the host runs the guest again and again \
             before its timer's deadline"
        );
        Ok(())
    })
}

pub(super) fn idle_means_no_runs(harness: &mut dyn Harness) -> CheckResult {
    run_check(harness, Builder::default(), async {
        let handle = Handle::current();
        sleep(2 * MS).await; // a timer fires; then none is pending
        ensure!(
            handle.stats().pending_timers == 0,
            "a timer the check did not arm is pending: the harness must not keep timers of its own"
        );
        let before = handle.stats().runs;
        let (flag, woken) = signal();
        let waker = std::thread::spawn(move || {
            std::thread::sleep(IDLE);
            fire(&flag);
        });
        within(PATIENCE, woken)
            .await
            .map_err(|_| "a wake from another thread never reached the guest")?;
        waker.join().map_err(|_| "the waking thread panicked")?;
        let runs = handle.stats().runs - before;
        ensure!(
            runs <= 3,
            "{runs} host runs in {IDLE:?} while nothing was due and no run was asked for: the host \
             runs the guest on every frame or loop turn (run it only once run-soon was called or \
             the timer's deadline has passed), or its timer keeps firing after it fired or was \
             disarmed (`set_timer(None)`)"
        );
        Ok(())
    })
}

/// How long [`idle_means_no_runs`] leaves the guest with nothing to do: several frames of a 60 fps
/// loop, so that a loop which runs the guest on every frame is seen.
const IDLE: Duration = Duration::from_millis(200);

pub(super) fn run_soon_runs_the_guest_later(harness: &mut dyn Harness) -> CheckResult {
    // One poll per run: every yield ends a run with work left, which calls the run-soon handle
    // from inside that run.
    run_check(harness, Builder::default().poll_budget(1), async {
        let handle = Handle::current();
        for _ in 0..10 {
            yield_now().await;
        }
        let inside = handle.stats().runs_inside_run_soon;
        ensure!(
            inside == 0,
            "the run-soon handle ran the guest at once, inside the call, {inside} times (as GLib's \
             `MainContext::invoke` does on the loop's own thread): while a task keeps yielding the \
             toolkit gets no turn, not even for its own timers and redraws. Post an event, or \
             attach an idle source, that runs the guest on a later turn of the loop"
        );
        Ok(())
    })
}

pub(super) fn an_earlier_deadline_replaces_a_later_one(harness: &mut dyn Harness) -> CheckResult {
    // One poll per run: `far` arms its timer in a run of its own, which ends with the host's
    // timer holding that far deadline; the next run, a run-soon one, sets an earlier one.
    run_check(harness, Builder::default().poll_budget(1), async {
        let handle = Handle::current();
        let arms = handle.stats().timer_arms;
        let far = spawn_local(sleep(Duration::from_secs(3600)));
        yield_now().await;
        ensure!(
            handle.stats().timer_arms > arms && handle.stats().pending_timers == 1,
            "no run ended with only the far timer pending"
        );
        let deadline = now() + 5 * MS;
        sleep(5 * MS).await;
        let late = handle.host_now().saturating_duration_since(deadline);
        far.abort();
        ensure!(
            late < Duration::from_millis(500),
            "a 5 ms sleep ended {late:?} after its deadline: the host kept the later deadline it \
             held instead of the earlier one it was given"
        );
        Ok(())
    })
}

pub(super) fn run_soon_after_the_guest_is_gone(harness: &mut dyn Harness) -> CheckResult {
    let kept = Rc::new(RefCell::new(None));
    let out = kept.clone();
    run_check(harness, Builder::default(), async move {
        *out.borrow_mut() = Some(Handle::current().run_soon());
        Ok(())
    })?;
    let run_soon = kept.borrow_mut().take().ok_or("the check kept nothing")?;
    catch_unwind(AssertUnwindSafe(|| run_soon())).map_err(|_| {
        "the run-soon handle panicked on the host's thread once the guest was gone".to_owned()
    })?;
    std::thread::spawn(move || run_soon())
        .join()
        .map_err(|_| "the run-soon handle panicked on another thread once the guest was gone")?;
    Ok(())
}
