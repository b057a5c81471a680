//! Tasks through the public API: spawning, waking, aborting, panics, groups, joining, shutdown;
//! counting polls, wakes and drops.

use crate::joined::{is_cancelled, panic_message};
use guestloop::testing::TestHost;
use guestloop::{
    Builder, Executor, ExecutorDestroyed, Instant, JoinHandle, TaskGroup, sleep, spawn_local,
    yield_now,
};
use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};
use std::time::Duration;

const MS: Duration = Duration::from_millis(1);

/// Counts how often it is polled and whether it was dropped; pending until `ready` is set.
#[derive(Clone, Default)]
struct Probe {
    polls: Rc<Cell<usize>>,
    drops: Rc<Cell<usize>>,
    ready: Rc<Cell<bool>>,
    waker: Rc<RefCell<Option<Waker>>>,
}

impl Probe {
    fn future(&self) -> impl Future<Output = usize> + 'static {
        let probe = self.clone();
        let guard = DropCount(self.drops.clone());
        poll_fn(move |cx| {
            let _ = &guard;
            probe.polls.set(probe.polls.get() + 1);
            if probe.ready.get() {
                Poll::Ready(probe.polls.get())
            } else {
                *probe.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }

    fn wake(&self) {
        self.waker
            .borrow()
            .as_ref()
            .expect("polled once")
            .wake_by_ref();
    }

    fn finish(&self) {
        self.ready.set(true);
        self.wake();
    }
}

struct DropCount(Rc<Cell<usize>>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn a_task_is_polled_once_per_wake_however_often_it_is_woken() {
    let mut host = TestHost::default();
    let probe = Probe::default();
    let task = host.spawn_local(probe.future());
    host.run_pending();
    assert_eq!(probe.polls.get(), 1);
    for _ in 0..5 {
        probe.wake();
    }
    host.run_pending();
    assert_eq!(
        probe.polls.get(),
        2,
        "five wakes before a run cause one poll"
    );
    probe.finish();
    host.run_pending();
    assert_eq!(probe.polls.get(), 3);
    assert!(task.is_finished());
    assert_eq!(probe.drops.get(), 1, "a finished future is dropped at once");
    probe.wake();
    host.run_pending();
    assert_eq!(probe.polls.get(), 3, "a wake after completion does nothing");
    assert_eq!(host.block_on(task).unwrap(), 3);
}

#[test]
fn not_send_futures_run_and_their_handles_yield_the_output() {
    let mut host = TestHost::default();
    let shared = Rc::new(RefCell::new(vec![1]));
    let inner = shared.clone();
    let task = host.spawn_local(async move {
        inner.borrow_mut().push(2);
        let child = spawn_local(async { 40 });
        child.await.unwrap() + 2
    });
    assert_eq!(host.block_on(task).unwrap(), 42);
    assert_eq!(*shared.borrow(), [1, 2]);
}

#[test]
fn dropping_a_handle_detaches_the_task() {
    let mut host = TestHost::default();
    let probe = Probe::default();
    drop(host.spawn_local(probe.future()));
    host.run_pending();
    assert_eq!((probe.polls.get(), probe.drops.get()), (1, 0));
    probe.finish();
    host.run_pending();
    assert_eq!((probe.polls.get(), probe.drops.get()), (2, 1));
    assert_eq!(host.executor().stats().live_tasks, 0);
}

#[test]
fn abort_on_the_host_thread_drops_the_future_before_returning() {
    let mut host = TestHost::default();
    let probe = Probe::default();
    let task = host.spawn_local(probe.future());
    host.run_pending();
    task.abort();
    assert_eq!(probe.drops.get(), 1, "dropped inside abort()");
    assert_eq!(host.executor().stats().live_tasks, 0);
    assert!(is_cancelled(&host.block_on(task)));
    assert_eq!(probe.polls.get(), 1, "never polled again");
}

#[test]
fn abort_before_the_first_poll_never_polls() {
    let mut host = TestHost::default();
    let probe = Probe::default();
    let task = host.spawn_local(probe.future());
    task.abort();
    host.run_pending();
    assert_eq!((probe.polls.get(), probe.drops.get()), (0, 1));
    assert!(is_cancelled(&host.block_on(task)));
}

#[test]
fn abort_after_completion_keeps_the_result() {
    let mut host = TestHost::default();
    let task = host.spawn_local(async { 7 });
    host.run_pending();
    task.abort();
    assert_eq!(host.block_on(task).unwrap(), 7);
}

#[test]
fn a_task_that_aborts_itself_is_dropped_when_its_poll_returns() {
    let mut host = TestHost::default();
    let slot: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
    let drops = Rc::new(Cell::new(0));
    let (inner_slot, guard) = (slot.clone(), DropCount(drops.clone()));
    let seen_in_poll = Rc::new(Cell::new(usize::MAX));
    let (seen, counter) = (seen_in_poll.clone(), drops.clone());
    let task = host.spawn_local(async move {
        let _guard = guard;
        yield_now().await;
        inner_slot.borrow().as_ref().expect("stored").abort();
        seen.set(counter.get()); // still alive here: the poll has not returned
        sleep(Duration::from_secs(1)).await;
    });
    *slot.borrow_mut() = Some(task);
    host.run_pending();
    assert_eq!(seen_in_poll.get(), 0);
    assert_eq!(drops.get(), 1);
    let task = slot.borrow_mut().take().unwrap();
    assert!(is_cancelled(&host.block_on(task)));
    assert_eq!(host.executor().stats().pending_timers, 0);
}

#[test]
fn abort_from_another_thread_drops_the_future_at_the_next_run() {
    let mut host = TestHost::default();
    let drops = Arc::new(AtomicUsize::new(0));
    struct SendDropCount(Arc<AtomicUsize>);
    impl Drop for SendDropCount {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let guard = SendDropCount(drops.clone());
    let task = host
        .executor()
        .spawner()
        .spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        })
        .unwrap();
    host.run_pending();
    let requests = host.stats().run_soon_requests;
    let task = std::thread::spawn(move || {
        task.abort();
        task
    })
    .join()
    .unwrap();
    assert_eq!(
        drops.load(Ordering::SeqCst),
        0,
        "not on the host thread: not yet"
    );
    assert_eq!(
        host.stats().run_soon_requests,
        requests + 1,
        "abort asked for a run"
    );
    host.run_pending();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(is_cancelled(&host.block_on(task)));
}

/// A test host whose executor's panic hook records each panic's message.
pub(crate) fn host_hearing_panics() -> (TestHost, Rc<RefCell<Vec<String>>>) {
    let heard = Rc::new(RefCell::new(Vec::new()));
    let hook = heard.clone();
    let builder = Executor::builder()
        .on_task_panic(move |panic| hook.borrow_mut().push(panic.message().to_owned()));
    (TestHost::with_builder(builder, MS), heard)
}

#[test]
fn a_panic_is_caught_reported_and_contained() {
    let (mut host, heard) = host_hearing_panics();
    let bystander = host.spawn_local(async {
        sleep(5 * MS).await;
        "fine"
    });
    let doomed = host.spawn_local(async {
        sleep(MS).await;
        panic!("boom {}", 42);
    });
    assert_eq!(panic_message(host.block_on(doomed)), "boom 42");
    assert_eq!(host.block_on(bystander).unwrap(), "fine");
    assert_eq!(*heard.borrow(), ["boom 42"]);
    assert_eq!(host.executor().stats().live_tasks, 0);
}

#[test]
fn a_panicking_destructor_is_reported_not_spread() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("destructor went wrong");
        }
    }
    let (mut host, heard) = host_hearing_panics();
    let task = host.spawn_local(async {
        let _bomb = PanicOnDrop;
        sleep(Duration::from_secs(10)).await;
    });
    host.run_pending();
    task.abort();
    assert_eq!(
        *heard.borrow(),
        ["a task's destructor panicked: destructor went wrong"]
    );
    assert!(is_cancelled(&host.block_on(task)));
}

#[test]
fn a_task_group_waits_for_all_and_aborts_the_rest_on_failure() {
    let mut host = TestHost::default();
    let finished = Rc::new(RefCell::new(Vec::new()));
    let slow_dropped = Rc::new(Cell::new(0));
    let (log, drops) = (finished.clone(), slow_dropped.clone());
    let result = host.block_on(async move {
        let mut group = TaskGroup::new();
        for ms in [3, 1, 2] {
            let log = log.clone();
            group.spawn_local(async move {
                sleep(ms * MS).await;
                log.borrow_mut().push(ms);
            });
        }
        assert_eq!(group.len(), 3);
        group.join().await.unwrap();

        let mut group = TaskGroup::new();
        let guard = DropCount(drops.clone());
        group.spawn_local(async move {
            let _guard = guard;
            sleep(Duration::from_secs(60)).await;
        });
        group.spawn_local(async {
            sleep(MS).await;
            panic!("child failed");
        });
        let start = guestloop::now();
        let result = group.join().await;
        (result, guestloop::now() - start)
    });
    assert_eq!(*finished.borrow(), [1, 2, 3]);
    assert_eq!(
        (panic_message(result.0), result.1),
        ("child failed".to_owned(), MS),
        "join returns at the first failure, not after the slow child"
    );
    assert_eq!(slow_dropped.get(), 1, "the slow sibling was aborted");
}

#[test]
fn a_task_group_reaps_finished_children_so_memory_stays_bounded() {
    let mut host = TestHost::default();
    let sizes = host.block_on(async {
        let mut group = TaskGroup::new();
        let mut sizes = Vec::new();
        for _ in 0..1000 {
            group.spawn_local(async {});
            yield_now().await; // the child finishes
            sizes.push(group.len());
        }
        group.join().await.unwrap();
        sizes
    });
    assert!(
        sizes.iter().all(|&len| len <= 32),
        "largest: {:?}",
        sizes.iter().max()
    );
}

#[test]
fn dropping_the_executor_drops_tasks_and_timers_and_later_use_is_harmless() {
    let host = TestHost::default();
    let drops = Rc::new(Cell::new(0));
    for _ in 0..3 {
        let guard = DropCount(drops.clone());
        drop(host.spawn_local(async move {
            let _guard = guard;
            sleep(Duration::from_secs(3600)).await;
        }));
    }
    let probe = Probe::default();
    let task = host.spawn_local(probe.future());
    let handle = host.executor().handle();
    let spawner = host.executor().spawner();
    let mut host = host;
    host.run_pending();
    assert_eq!(host.executor().stats().pending_timers, 3);
    drop(host);
    assert_eq!(drops.get(), 3);
    assert_eq!(probe.drops.get(), 1);
    let requests = handle.stats().run_soon_requests;
    probe.wake(); // a waker kept past the executor
    assert_eq!(
        handle.stats().run_soon_requests,
        requests,
        "a wake after shutdown asked the host for a run"
    );
    assert_eq!(
        std::thread::spawn(move || spawner.spawn(async {}).map(drop))
            .join()
            .unwrap(),
        Err(ExecutorDestroyed)
    );
    let late = handle.spawn_local(async { 1 });
    assert!(
        late.is_finished(),
        "a spawn after shutdown is cancelled at once"
    );
    let mut late = late;
    assert!(is_cancelled(&late.try_take().unwrap()));
    let mut task = task;
    assert!(is_cancelled(&task.try_take().unwrap()));
}

#[test]
fn a_join_handle_can_be_awaited_on_another_thread() {
    let mut host = TestHost::default();
    let task = host
        .executor()
        .spawner()
        .spawn(async {
            guestloop::sleep(Duration::from_millis(5)).await;
            "from the host"
        })
        .unwrap();
    let waiter = std::thread::spawn(move || futures_lite::future::block_on(task));
    host.run_until_idle(); // the task has finished; the other thread wakes on its own
    assert_eq!(waiter.join().unwrap().unwrap(), "from the host");
}

#[test]
#[should_panic(expected = "a guestloop poll budget must be at least 1, got 0")]
fn builder_rejects_a_zero_budget() {
    let _ = Builder::default().poll_budget(0);
}

#[test]
fn wakes_after_shutdown_never_call_the_host() {
    let run_soon_calls = Arc::new(AtomicUsize::new(0));
    let counted = run_soon_calls.clone();
    struct CountingHost(Arc<AtomicUsize>);
    impl guestloop::Host for CountingHost {
        fn now(&self) -> Instant {
            Instant::ZERO
        }
        fn set_timer(&self, _: Option<Instant>) {}
        fn run_soon_handle(&self) -> guestloop::RunSoon {
            let calls = self.0.clone();
            Arc::new(move || {
                calls.fetch_add(1, Ordering::SeqCst);
            })
        }
    }
    let executor = Executor::new(CountingHost(counted));
    let other = Probe::default();
    drop(executor.spawn_local(other.future()));
    executor.run();
    let calls_before_drop = run_soon_calls.load(Ordering::SeqCst);
    drop(executor);
    let waker = other.waker.borrow().clone().unwrap();
    for _ in 0..3 {
        waker.wake_by_ref();
    }
    std::thread::spawn(move || waker.wake()).join().unwrap();
    assert_eq!(run_soon_calls.load(Ordering::SeqCst), calls_before_drop);
}

/// Set by the parent test for the child process of the next test.
const TLS_CHILD: &str = "GUESTLOOP_TLS_CHILD";

#[test]
fn an_executor_dropped_during_thread_local_destruction_does_not_panic() {
    // A panic while a thread's locals are destroyed aborts the whole process, so the scenario
    // runs in a child process (this test binary, running only the test below).
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "executor::thread_local_destruction_child",
            "--ignored",
            "--nocapture",
        ])
        .env(TLS_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the child failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("tasks dropped: 3"),
        "the executor's shutdown did not drop its tasks:\n{stdout}\n{stderr}"
    );
}

#[test]
#[ignore = "the child process of the test above"]
fn thread_local_destruction_child() {
    if std::env::var_os(TLS_CHILD).is_none() {
        return;
    }
    // A toolkit may keep its executor in a thread-local (the Qt host does) and exit without
    // dropping it: then it is dropped while the thread's locals are being destroyed, possibly
    // after guestloop's own. Locals are destroyed in reverse order of first use, so touching
    // `HOLD` before guestloop's locals makes that happen here.
    thread_local! {
        static HOLD: RefCell<Option<TestHost>> = const { RefCell::new(None) };
    }
    static DROPPED: AtomicUsize = AtomicUsize::new(0);
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }
    std::thread::spawn(|| {
        HOLD.with(|hold| {
            let mut host = TestHost::default();
            for delay in [1, 2, 3] {
                drop(host.spawn_local(async move {
                    let _counted = Counted;
                    sleep(Duration::from_secs(delay)).await;
                }));
            }
            host.run_pending(); // timers registered: dropping the tasks cancels them
            *hold.borrow_mut() = Some(host);
        });
    })
    .join()
    .unwrap();
    println!("tasks dropped: {}", DROPPED.load(Ordering::SeqCst));
}

/// Three tasks on one 1 ms deadline, on a host driven by hand; `budget` polls a run.
fn three_on_one_deadline(
    budget: usize,
) -> (
    crate::faulty_host::FaultyLoop,
    Executor,
    Rc<RefCell<Vec<&'static str>>>,
    JoinHandle<i32>,
) {
    let host_loop = crate::faulty_host::FaultyLoop::new(Default::default());
    let executor = Executor::builder()
        .poll_budget(budget)
        .build(host_loop.host());
    let log = Rc::new(RefCell::new(Vec::new()));
    for name in ["first", "second"] {
        let log = log.clone();
        drop(executor.spawn_local(async move {
            sleep(MS).await;
            log.borrow_mut().push(name);
        }));
    }
    let victim = {
        let log = log.clone();
        executor.spawn_local(async move {
            sleep(MS).await;
            log.borrow_mut().push("victim");
            7
        })
    };
    while executor.stats().pending_timers < 3 {
        executor.run(); // every task armed its timer
    }
    host_loop.state.advance_to(Instant::ZERO + MS);
    (host_loop, executor, log, victim)
}

#[test]
fn an_abort_from_another_thread_while_the_task_is_queued_is_seen_before_its_poll() {
    // The first run at the deadline spends its budget of 2 on the first two; the victim is left
    // queued in the batch, which the next run resumes before it reads any inbox.
    let (_host_loop, executor, log, mut victim) = three_on_one_deadline(2);
    executor.run();
    assert_eq!(*log.borrow(), ["first", "second"]);
    std::thread::scope(|scope| {
        scope.spawn(|| victim.abort());
    });
    executor.run();
    assert_eq!(
        *log.borrow(),
        ["first", "second"],
        "the victim was polled after abort() returned"
    );
    assert!(is_cancelled(&victim.try_take().unwrap()));
    assert_eq!(executor.stats().live_tasks, 0);
}

#[test]
fn an_abort_from_another_thread_during_the_run_is_seen_before_the_tasks_poll() {
    let host_loop = crate::faulty_host::FaultyLoop::new(Default::default());
    let executor = Executor::new(host_loop.host());
    let victim_slot: Rc<RefCell<Option<JoinHandle<i32>>>> = Rc::default();
    let polled_victim = Rc::new(Cell::new(false));
    // The first task, in the same batch as the victim and polled before it, has another thread
    // abort the victim and waits until that abort() has returned.
    let aborter = {
        let slot = victim_slot.clone();
        executor.spawn_local(async move {
            sleep(MS).await;
            let slot = slot.borrow();
            let victim = slot.as_ref().expect("stored");
            std::thread::scope(|scope| {
                scope.spawn(|| victim.abort());
            });
        })
    };
    let victim = {
        let polled = polled_victim.clone();
        executor.spawn_local(async move {
            sleep(MS).await;
            polled.set(true);
            7
        })
    };
    *victim_slot.borrow_mut() = Some(victim);
    host_loop
        .run_until(&executor, 100, || aborter.is_finished())
        .unwrap();
    assert!(!polled_victim.get(), "polled after abort() returned");
    let mut victim = victim_slot.borrow_mut().take().unwrap();
    assert!(is_cancelled(&victim.try_take().unwrap()));
    assert_eq!(executor.stats().live_tasks, 0);
}

#[test]
fn joining_a_group_costs_each_finished_child_a_constant_amount_of_work() {
    /// Wakes the task's own waker.
    struct Forward(Waker);
    impl std::task::Wake for Forward {
        fn wake(self: Arc<Self>) {
            self.0.wake_by_ref();
        }
    }
    let mut host = TestHost::default();
    let kept = Rc::new(Cell::new(0));
    let counted = kept.clone();
    const CHILDREN: usize = 1_000;
    let task = host.spawn_local(async move {
        let mut group = TaskGroup::new();
        for ms in 1..=CHILDREN as u32 {
            group.spawn_local(async move { sleep(ms * MS).await }); // one ends every millisecond
        }
        let mut join = std::pin::pin!(group.join());
        // Every poll of the join gets a waker of its own; what keeps a clone of it after the poll
        // (a child's handle, the group) is work that poll did. Polling the handle of every child
        // still running on every wake keeps one per child: quadratic in all.
        poll_fn(|cx| {
            let waker = Arc::new(Forward(cx.waker().clone()));
            let poll = join
                .as_mut()
                .poll(&mut std::task::Context::from_waker(&Waker::from(
                    waker.clone(),
                )));
            counted.set(counted.get() + Arc::strong_count(&waker) - 1);
            poll
        })
        .await
    });
    assert_eq!(host.block_on(task).unwrap().unwrap(), ());
    let kept = kept.get();
    assert!(
        kept <= 3 * CHILDREN,
        "the join's polls left {kept} wakers with {CHILDREN} children"
    );
}
