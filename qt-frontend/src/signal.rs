//! Awaiting Qt signals: [`signal_stream`] turns a signal into a `Stream` a guest task awaits.
//!
//! Owns the bridge from Qt's signal/slot connections to async code, like qtrio's `wait_signal`
//! or qmetaobject-rs's `wait_on_signal`. Depends on cxx-qt's connection guard only.

use cxx_qt::QMetaObjectConnectionGuard;
use futures_core::Stream;
use std::fmt;
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

/// A Qt signal's emissions, in order, as a `Stream`. Dropping it disconnects the signal.
pub struct SignalStream<T> {
    emissions: Pin<Box<async_channel::Receiver<T>>>,
    _connection: QMetaObjectConnectionGuard,
}

impl<T> SignalStream<T> {
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
/// cxx-qt's generated `on_<signal>` functions do:
///
/// ```text
/// let mut clicked = signal_stream(|send| button.on_clicked(move |_| send.send(())));
/// while clicked.next().await.is_some() { /* … */ }
/// ```
pub fn signal_stream<T>(
    connect: impl FnOnce(SignalSender<T>) -> QMetaObjectConnectionGuard,
) -> SignalStream<T> {
    let (sender, emissions) = async_channel::unbounded();
    let connection = connect(SignalSender(sender));
    SignalStream {
        emissions: Box::pin(emissions),
        _connection: connection,
    }
}
