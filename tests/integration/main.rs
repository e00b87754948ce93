//! Integration tests: the real `hooktest` binary on temporary projects and the sample project.

mod authoring;
mod contract;
mod default_body;
mod go_corpus;
mod render;
mod robustness;
mod send;
mod signing;
mod support;
mod validate;
mod watch;
mod watch_model;
