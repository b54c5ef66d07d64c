//! Where log lines go: stderr, one line per event whatever the event holds. Warnings quote
//! parser messages and server answers, which quote card text: a line break or an escape in it
//! would otherwise reach the terminal, or start a workflow command in a CI log.

use pedigree::report::escape::terminal;
use std::io::{self, Write};
use tracing_subscriber::fmt::MakeWriter;

/// Makes [`OneLine`] writers over stderr.
pub(crate) struct Stderr;

/// Writes each event (tracing-subscriber writes one formatted event per call) as one escaped line.
pub(crate) struct OneLine;

impl Write for OneLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let body = text.strip_suffix('\n').unwrap_or(&text);
        let mut line = terminal::line(body).into_owned();
        line.push('\n');
        io::stderr().lock().write_all(line.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = OneLine;

    fn make_writer(&'a self) -> OneLine {
        OneLine
    }
}
