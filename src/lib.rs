//! hooktest: develop and test tsuru event webhooks locally.

pub mod event;
pub mod located;
pub mod template;
