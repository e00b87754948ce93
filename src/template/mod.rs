//! Body templates: the `go` engine (tsuru's) and `tera`.

pub mod go;
