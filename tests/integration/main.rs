//! Integration tests: the real `hooktest` binary on temporary projects and the sample project.

mod contract;
mod default_body;
mod render;
mod support;
mod validate;
