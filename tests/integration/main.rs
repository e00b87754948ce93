//! Integration tests: the real `hooktest` binary on temporary projects and the sample project.

mod default_body;
mod render;
mod support;
mod validate;
