//! Go `text/template` for hooktest.
