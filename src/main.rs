//! The `swimlane` binary: parse arguments, run, print the error chain once, exit with a
//! documented status (see `app::Exit`).

mod app;
mod cli;
mod recording;
mod review_command;
mod serve;
mod voice;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(exit) => exit.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            app::Exit::Failure.into()
        }
    }
}
