//! hooktest: develop and test tsuru event webhooks locally.

pub mod authoring;
pub mod cli;
pub mod contract;
pub mod deliver;
pub mod diagnostic;
pub mod event;
pub mod filter;
pub mod gojson;
pub mod hook;
pub mod located;
pub mod output;
pub mod project;
pub mod render;
pub mod request;
pub mod send;
pub mod signing;
pub mod template;
pub mod validate;
pub mod watch;
