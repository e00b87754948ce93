//! A stand-alone shell around the receiver, for its own tests and benchmarks:
//! `hooktest-receiver serve …` and `hooktest-receiver requests …` take the flags of
//! `hooktest serve` and `hooktest requests`.

use std::io::IsTerminal;

use clap::{Parser, Subcommand};
use hooktest_receiver::{run_requests, run_serve, RequestsArgs, ServeArgs};

#[derive(Parser)]
#[command(name = "hooktest-receiver", about = "The hooktest mock receiver")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the receiver
    Serve(ServeArgs),
    /// Print recorded requests
    Requests(RequestsArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Serve(args) => run_serve(args),
        Command::Requests(args) => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            run_requests(args, color)
        }
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    }
}
