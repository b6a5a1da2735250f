//! The `plinth` binary: parses the command line and runs the command (see the `plinth` lib).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(plinth::run(&argv));
}
