//! Every combination of how a task ends, who holds it, and when it is aborted, in the manner of
//! tokio's `task_combinations`: {completes, panics in poll, panics in drop} × {handle kept,
//! dropped before completion, dropped after} × {aborted before the first poll, while pending,
//! after completion, never} × {a plain `JoinHandle`, a `TaskGroup`}. Every cell asserts the polls,
//! the drops of the future and of its output, the result, the panic hook and what is left.

use guestloop::testing::TestHost;
use guestloop::{Executor, JoinError, JoinHandle, TaskGroup};
use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Completes,
    PanicsInPoll,
    PanicsInDrop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holder {
    Kept,
    DroppedBefore,
    DroppedAfter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Abort {
    BeforeFirstPoll,
    WhilePending,
    AfterCompletion,
    Never,
}

/// What the child task did, counted.
#[derive(Default)]
struct Counts {
    polls: Cell<usize>,
    polled_after_ready: Cell<bool>,
    future_drops: Cell<usize>,
    output_drops: Cell<usize>,
    gate: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// Counts its drops; with `panics`, panics in `drop` after counting.
struct DropGuard {
    counts: Rc<Counts>,
    panics: bool,
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.counts
            .future_drops
            .set(self.counts.future_drops.get() + 1);
        if self.panics {
            panic!("drop boom");
        }
    }
}

/// The child's output: counts its drops.
struct Output(Rc<Counts>);

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Output")
    }
}

impl PartialEq for Output {
    fn eq(&self, _: &Output) -> bool {
        true
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        self.0.output_drops.set(self.0.output_drops.get() + 1);
    }
}

/// Pending until the gate opens, then ends as `outcome` says, with the output `output` makes.
fn child<O: 'static>(
    outcome: Outcome,
    counts: Rc<Counts>,
    output: fn(Rc<Counts>) -> O,
) -> impl Future<Output = O> + 'static {
    let guard = DropGuard {
        counts: counts.clone(),
        panics: outcome == Outcome::PanicsInDrop,
    };
    let ready = Cell::new(false);
    poll_fn(move |cx| {
        let _ = &guard;
        if ready.get() {
            counts.polled_after_ready.set(true);
        }
        counts.polls.set(counts.polls.get() + 1);
        if !counts.gate.get() {
            *counts.waker.borrow_mut() = Some(cx.waker().clone());
            return Poll::Pending;
        }
        if outcome == Outcome::PanicsInPoll {
            panic!("boom");
        }
        ready.set(true);
        Poll::Ready(output(counts.clone()))
    })
}

/// Who holds the child.
enum Owner {
    Handle(Option<JoinHandle<Output>>),
    Group(Rc<RefCell<Option<TaskGroup>>>),
}

impl Owner {
    /// Aborts through the holder; nothing once the holder is dropped (there is no other way
    /// to reach the task then).
    fn abort(&mut self) {
        match self {
            Owner::Handle(handle) => {
                if let Some(handle) = handle {
                    handle.abort();
                }
            }
            Owner::Group(group) => {
                if let Some(group) = group.borrow_mut().as_mut() {
                    group.abort_all();
                }
            }
        }
    }

    fn drop_holder(&mut self) {
        match self {
            Owner::Handle(handle) => drop(handle.take()),
            Owner::Group(group) => drop(group.borrow_mut().take()),
        }
    }
}

/// What the test expects a kept holder to yield: a handle's result, or a group's `join`; an
/// error as its `Display` reads (which names a panic's message from the kept payload).
#[derive(Debug, PartialEq)]
enum Yielded {
    Handle(Result<Output, String>),
    Group(Result<(), String>),
}

const CANCELLED: &str = "the task was cancelled before it finished";
const BOOM: &str = "the task panicked: boom";

fn described<T>(result: Result<T, JoinError>) -> Result<T, String> {
    result.map_err(|error| error.to_string())
}

fn run_cell(outcome: Outcome, holder: Holder, abort: Abort, in_group: bool) {
    let cell = format!("{outcome:?} × {holder:?} × {abort:?} × group={in_group}");
    let heard = Rc::new(RefCell::new(Vec::<String>::new()));
    let hook = heard.clone();
    let builder =
        Executor::builder().on_task_panic(move |p| hook.borrow_mut().push(p.message().into()));
    let mut host = TestHost::with_builder(builder, Duration::from_millis(1));
    let counts = Rc::new(Counts::default());

    // Spawn, then what happens before the first poll.
    let before_first_poll = move |owner: &mut Owner| {
        if abort == Abort::BeforeFirstPoll {
            owner.abort();
        }
        if holder == Holder::DroppedBefore {
            owner.drop_holder();
        }
    };
    let mut owner = if in_group {
        // A group spawns on the current executor: set it up from a task, which then acts
        // before the child's first poll (the child runs after it, in the same batch).
        let slot = Rc::new(RefCell::new(None));
        let setup = host.spawn_local({
            let (counts, slot) = (counts.clone(), slot.clone());
            async move {
                let mut group = TaskGroup::new();
                // A group's children return `()`: the output is made and dropped inside.
                group.spawn_local(child(outcome, counts, |counts| drop(Output(counts))));
                *slot.borrow_mut() = Some(group);
                before_first_poll(&mut Owner::Group(slot));
            }
        });
        host.run_pending();
        assert!(setup.is_finished(), "{cell}");
        Owner::Group(slot)
    } else {
        let mut owner = Owner::Handle(Some(host.spawn_local(child(
            outcome,
            counts.clone(),
            Output,
        ))));
        before_first_poll(&mut owner);
        host.run_pending();
        owner
    };
    if abort == Abort::WhilePending {
        owner.abort();
    }
    counts.gate.set(true);
    let waker = counts.waker.borrow_mut().take();
    if let Some(waker) = waker {
        waker.wake();
    }
    host.run_pending();
    if abort == Abort::AfterCompletion {
        owner.abort();
    }
    if holder == Holder::DroppedAfter {
        owner.drop_holder();
    }
    let yielded = match (&mut owner, holder) {
        (Owner::Handle(handle), Holder::Kept) => {
            let mut handle = handle.take().expect("kept");
            Some(Yielded::Handle(described(
                handle.try_take().expect("finished"),
            )))
        }
        (Owner::Group(slot), Holder::Kept) => {
            let group = slot.borrow_mut().take().expect("kept");
            Some(Yielded::Group(described(host.block_on(group.join()))))
        }
        _ => None,
    };

    // What must have happened.
    let cancelled_before_first_poll =
        abort == Abort::BeforeFirstPoll || (in_group && holder == Holder::DroppedBefore);
    // An abort after the holder was dropped reaches nothing.
    let aborted_while_pending = abort == Abort::WhilePending && holder != Holder::DroppedBefore;
    let cancelled = cancelled_before_first_poll || aborted_while_pending;
    let expected_polls = if cancelled_before_first_poll {
        0
    } else if cancelled {
        1
    } else {
        2
    };
    assert_eq!(counts.polls.get(), expected_polls, "polls: {cell}");
    assert!(
        !counts.polled_after_ready.get(),
        "polled after Ready: {cell}"
    );
    assert_eq!(counts.future_drops.get(), 1, "future dropped once: {cell}");
    let has_output = !cancelled && outcome != Outcome::PanicsInPoll;
    let expected = match (holder, in_group) {
        (Holder::Kept, false) => Some(Yielded::Handle(if cancelled {
            Err(CANCELLED.to_owned())
        } else if outcome == Outcome::PanicsInPoll {
            Err(BOOM.to_owned())
        } else {
            Ok(Output(counts.clone()))
        })),
        (Holder::Kept, true) => Some(Yielded::Group(
            if !cancelled && outcome == Outcome::PanicsInPoll {
                Err(BOOM.to_owned())
            } else {
                Ok(()) // an aborted child leaves the group
            },
        )),
        _ => None,
    };
    assert_eq!(yielded, expected, "result: {cell}");
    drop((yielded, expected));
    // The expected `Output` above counted one more drop when it was dropped.
    let extra = usize::from(holder == Holder::Kept && !in_group && has_output);
    assert_eq!(
        counts.output_drops.get(),
        usize::from(has_output) + extra,
        "output dropped once: {cell}"
    );
    let mut expected_panics = Vec::new();
    if outcome == Outcome::PanicsInPoll && !cancelled {
        expected_panics.push("boom".to_owned());
    }
    if outcome == Outcome::PanicsInDrop {
        expected_panics.push("a task's destructor panicked: drop boom".to_owned());
    }
    assert_eq!(*heard.borrow(), expected_panics, "panic hook: {cell}");
    let stats = host.executor().stats();
    assert_eq!(
        (stats.live_tasks, stats.pending_timers),
        (0, 0),
        "left over: {cell}"
    );
}

#[test]
fn every_combination_of_outcome_holder_abort_and_group() {
    let mut cells = 0;
    for outcome in [
        Outcome::Completes,
        Outcome::PanicsInPoll,
        Outcome::PanicsInDrop,
    ] {
        for holder in [Holder::Kept, Holder::DroppedBefore, Holder::DroppedAfter] {
            for abort in [
                Abort::BeforeFirstPoll,
                Abort::WhilePending,
                Abort::AfterCompletion,
                Abort::Never,
            ] {
                for in_group in [false, true] {
                    run_cell(outcome, holder, abort, in_group);
                    cells += 1;
                }
            }
        }
    }
    assert_eq!(cells, 72);
}
