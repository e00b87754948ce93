//! The mock receiver.
