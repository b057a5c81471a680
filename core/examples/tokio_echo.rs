//! A guest task exchanges messages with a TCP echo server that runs on a tokio runtime.
//!
//! `cargo run -p guestloop --example tokio_echo`
//!
//! guestloop's executor has no reactor: tokio's sockets and timers must run on tokio's own
//! runtime. A guest task hands that work to the runtime (`handle.spawn(..)`) and awaits the
//! `JoinHandle`: guestloop's wakers are `Send`, so tokio's worker wakes the guest task, which
//! runs on with the result on the host's thread. The host here is a plain real-time loop, like
//! the one in `guestloop::Host`'s docs; in an app it is the UI toolkit's loop.

use guestloop::{Executor, Host, Instant, RunSoon};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, mpsc};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A host for a plain loop: sleeps until the next deadline or a poke from another thread.
struct LoopHost {
    started: std::time::Instant,
    deadline: Rc<Cell<Option<Instant>>>,
    poke: mpsc::Sender<()>,
}

impl Host for LoopHost {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.started.elapsed().as_nanos() as u64)
    }
    fn set_timer(&self, deadline: Option<Instant>) {
        self.deadline.set(deadline);
    }
    fn run_soon_handle(&self) -> RunSoon {
        let poke = self.poke.clone();
        Arc::new(move || {
            let _ = poke.send(());
        })
    }
}

/// The host's loop: runs the guest on this thread until `done`.
fn run_loop(
    executor: &Executor,
    started: std::time::Instant,
    deadline: &Cell<Option<Instant>>,
    pokes: &mpsc::Receiver<()>,
    done: impl Fn() -> bool,
) {
    while !done() {
        let now = Instant::from_nanos(started.elapsed().as_nanos() as u64);
        let wait = deadline
            .get()
            .map_or(Duration::MAX, |d| d.saturating_duration_since(now));
        let _ = pokes.recv_timeout(wait);
        executor.run();
    }
}

/// An echo server on 127.0.0.1, on the runtime; returns its address.
async fn echo_server() -> std::io::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 1024];
                while let Ok(read) = socket.read(&mut buffer).await {
                    if read == 0 || socket.write_all(&buffer[..read]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    Ok(address)
}

/// One round trip: the message, what came back, and how long it took on the wall clock.
#[derive(Debug)]
struct RoundTrip {
    sent: String,
    echoed: String,
    took: Duration,
}

/// Sends `count` messages from a guest task through the echo server; returns the round trips.
fn round_trips(count: usize) -> std::io::Result<Vec<RoundTrip>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let tokio = runtime.handle().clone();
    let address = runtime.block_on(echo_server())?;

    let (poke, pokes) = mpsc::channel();
    let deadline = Rc::new(Cell::new(None));
    let started = std::time::Instant::now();
    let executor = Executor::new(LoopHost {
        started,
        deadline: deadline.clone(),
        poke,
    });
    let trips = executor.spawn_local(async move {
        // Sockets live on the runtime; the guest task only ever awaits tokio's JoinHandles.
        let mut stream = tokio.spawn(TcpStream::connect(address)).await??;
        let mut trips = Vec::new();
        for round in 0..count {
            let sent = format!("hello #{round} from the guest");
            let wall = std::time::Instant::now();
            let message = sent.clone();
            let (back, echoed) = tokio
                .spawn(async move {
                    stream.write_all(message.as_bytes()).await?;
                    let mut echoed = vec![0; message.len()];
                    stream.read_exact(&mut echoed).await?;
                    Ok::<_, std::io::Error>((stream, echoed))
                })
                .await??;
            stream = back;
            trips.push(RoundTrip {
                sent,
                echoed: String::from_utf8_lossy(&echoed).into_owned(),
                took: wall.elapsed(),
            });
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(trips)
    });
    run_loop(&executor, started, &deadline, &pokes, || {
        trips.is_finished()
    });
    let mut trips = trips;
    let result = trips.try_take().expect("finished");
    drop(executor);
    match result {
        Ok(Ok(trips)) => Ok(trips),
        Ok(Err(error)) => Err(std::io::Error::other(error)),
        Err(error) => Err(std::io::Error::other(error)),
    }
}

fn main() -> std::io::Result<()> {
    for trip in round_trips(5)? {
        println!("{:?} -> {:?} in {:?}", trip.sent, trip.echoed, trip.took);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_message_comes_back_through_the_runtime() {
        let trips = super::round_trips(20).unwrap();
        assert_eq!(trips.len(), 20);
        for trip in &trips {
            assert_eq!(trip.echoed, trip.sent);
        }
    }
}
