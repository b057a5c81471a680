//! Futures of another runtime awaited from guest tasks: tokio's `JoinHandle`s wake the guest
//! from tokio's threads; tokio's own timers, which need tokio's reactor, do not work in a guest
//! task.

use crate::joined::panic_message;
use guestloop::testing::TestHost;
use std::time::Duration;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn patient_host() -> TestHost {
    let mut host = TestHost::default();
    host.set_patience(Duration::from_secs(30)); // wakes come from tokio's threads
    host
}

#[test]
fn a_guest_task_awaits_a_thousand_tokio_tasks_without_losing_one() {
    let runtime = runtime();
    let tokio = runtime.handle().clone();
    let mut host = patient_host();
    let results = host.block_on(async move {
        let handles: Vec<_> = (0..1000u64)
            .map(|i| {
                tokio.spawn(async move {
                    // Tokio's own timer, on tokio's runtime: fine there.
                    tokio::time::sleep(Duration::from_micros(i % 7 * 100)).await;
                    i * i
                })
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("the tokio task ran"));
        }
        results
    });
    assert_eq!(results, (0..1000u64).map(|i| i * i).collect::<Vec<_>>());
}

#[test]
fn tokio_timers_called_in_a_guest_task_panic_for_want_of_a_reactor() {
    let mut host = patient_host();
    let task = host.spawn_local(async {
        tokio::time::sleep(Duration::from_millis(1)).await;
    });
    let message = panic_message(host.block_on(task));
    assert!(message.contains("no reactor running"), "{message}");
}
