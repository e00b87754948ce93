//! The mock receiver of hooktest: a real HTTP/1.1 server that records every request exactly and
//! answers as told.
//!
//! `hooktest serve` runs it with [`run_serve`]; `hooktest requests` reads what it recorded with
//! [`run_requests`]; other commands start one in-process with [`start`] or
//! [`Receiver::start_background`]. The record shape is described in the crate README.

mod admin;
mod cli;
mod client;
mod config;
mod conn;
mod journal;
mod output;
mod record;
mod rules;
mod server;
mod sse;
pub mod verify;
mod wire;

pub use cli::{run_requests, run_serve, RequestsArgs, RequestsFormat, ServeArgs};
pub use config::{parse_duration, parse_size, ReceiverConfig};
pub use journal::{read as read_journal, Contents as JournalContents};
pub use output::{pretty_body, render_text, verification_text};
pub use record::{Record, RecordedResponse};
pub use rules::{Answer, Fault, Rules};
pub use server::{start, Receiver, ReceiverHandle};
pub use verify::{Reason, Verdict, Verifier};
