//! Awaiting Qt signals: [`signal_stream`] turns a signal into a `Stream` a guest task awaits, and
//! [`next_emission`] waits for one emission.
//!
//! Owns the bridge from Qt's signal/slot connections to async code, like qtrio's `wait_signal` and
//! `wait_signal_context`.
//!
//! When the QObject is destroyed, Qt drops its connections and, with them, the handler that
//! holds the sending side: the stream then ends (`None`); nothing dangles.

use cxx_qt::QMetaObjectConnectionGuard;
use futures_core::Stream;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// What a signal handler calls to hand its arguments to the stream. `Send`, as cxx-qt requires.
#[derive(Debug, Clone)]
pub struct SignalSender<T>(async_channel::Sender<T>);

impl<T> SignalSender<T> {
    /// Passes one emission on; ignored once the stream is gone.
    pub fn send(&self, value: T) {
        let _ = self.0.try_send(value); // unbounded: fails only when the receiver is dropped
    }
}

/// A Qt signal's emissions, in order, as a `Stream`: from [`signal_stream`], or from a
/// [`SignalRelay`](crate::SignalRelay). Dropping it disconnects the signal. It ends (`None`) once
/// the signal's object is destroyed.
pub struct SignalStream<T> {
    emissions: Pin<Box<async_channel::Receiver<T>>>,
    /// `None` for a relay's stream: the relay forgets it at its next emit.
    _connection: Option<QMetaObjectConnectionGuard>,
}

impl<T> SignalStream<T> {
    pub(crate) fn of_relay(emissions: async_channel::Receiver<T>) -> SignalStream<T> {
        SignalStream {
            emissions: Box::pin(emissions),
            _connection: None,
        }
    }

    /// Waits for the next emission; `None` once the sending side is gone.
    pub async fn next(&mut self) -> Option<T> {
        self.emissions.recv().await.ok()
    }
}

impl<T> Stream for SignalStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.emissions.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for SignalStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalStream")
            .field("waiting", &self.emissions.len())
            .finish()
    }
}

/// Connects a signal through `connect` and returns its emissions as a stream.
///
/// `connect` receives the sender to call from the handler and returns the connection guard, as
/// cxx-qt's generated `on_<signal>` functions do. In a QObject's Rust code:
///
/// ```rust,ignore
/// let mut clicked = guestloop_qt::signal_stream(|send| self.as_mut().on_clicked(move |_| send.send(())));
/// guestloop_qt::handle().spawn_local(async move {
///     while clicked.next().await.is_some() { /* … */ }
/// });
/// ```
///
/// Emissions are queued without bound until the stream takes them.
pub fn signal_stream<T>(
    connect: impl FnOnce(SignalSender<T>) -> QMetaObjectConnectionGuard,
) -> SignalStream<T> {
    let (sender, emissions) = async_channel::unbounded();
    let connection = connect(SignalSender(sender));
    SignalStream {
        emissions: Box::pin(emissions),
        _connection: Some(connection),
    }
}

/// The next emission of a signal, awaited: see [`next_emission`].
#[must_use = "futures do nothing unless awaited"]
pub struct NextEmission<T> {
    stream: SignalStream<T>,
}

impl<T> Future for NextEmission<T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.stream).poll_next(cx)
    }
}

impl<T> fmt::Debug for NextEmission<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NextEmission").finish_non_exhaustive()
    }
}

/// Connects a signal **now** and resolves with its next emission, or `None` if its object is
/// destroyed first. Make it *before* the action that makes the signal fire (open a dialog, start
/// a request), then await it: an emission that comes while the action runs is not missed
/// (qtrio's `wait_signal_context`). Dropping it disconnects.
///
/// ```rust,ignore
/// let answered = guestloop_qt::next_emission(|send| dialog.on_accepted(move |_| send.send(())));
/// open_the_dialog();
/// let accepted = answered.await.is_some();
/// ```
pub fn next_emission<T>(
    connect: impl FnOnce(SignalSender<T>) -> QMetaObjectConnectionGuard,
) -> NextEmission<T> {
    NextEmission {
        stream: signal_stream(connect),
    }
}
