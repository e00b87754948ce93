use std::process::ExitCode;

/// mimalloc instead of the system allocator: the receiver (`hooktest serve`) allocates per request,
/// and glibc's malloc/free showed up as several percent of its CPU profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    let cli = hooktest::cli::Cli::parse();
    let code = match hooktest::cli::run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            eprintln!("error: {err:#}");
            hooktest::cli::exit::CANNOT_RUN
        }
    };
    ExitCode::from(code as u8)
}

/// `hooktest render | head` closes the pipe early: that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
