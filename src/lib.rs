//! hooktest: develop and test tsuru event webhooks locally.

pub mod diagnostic;
pub mod event;
pub mod filter;
pub mod gojson;
pub mod hook;
pub mod located;
pub mod project;
pub mod template;
