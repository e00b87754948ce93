//! Integration tests of the receiver over real sockets on 127.0.0.1.

mod admin;
mod answering;
mod journaled;
mod page;
mod recording;
mod serve;
mod support;
mod timeouts;
mod verify;
