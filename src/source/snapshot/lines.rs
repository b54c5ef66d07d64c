//! Reading a snapshot's lines by byte range, with positional reads: every thread reads its own
//! part of one open file, without a lock or a shared offset.

use std::fs::File;
use std::io;
use std::ops::Range;

/// Bytes read at once.
const BLOCK: usize = 1 << 20;

/// A line as read: its bytes (line end included), or word that it is longer than the limit (it
/// is skipped, never held whole).
pub(super) enum Line<'a> {
    Text(&'a [u8]),
    TooLong,
}

/// Reads `buf.len()` bytes at `offset`, fewer only at the end of the file.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(file, &mut buf[done..], offset + done as u64);
        #[cfg(windows)]
        let n =
            std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], offset + done as u64);
        match n {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Reads `len` bytes at `offset` (a line the index points at).
pub(super) fn read_exact_at(file: &File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; len];
    if read_at(file, &mut bytes, offset)? < len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(bytes)
}

/// Calls `each` with the offset and bytes of every line that starts within `range` (a line
/// under way at its start belongs to the range before; the last line may run past its end),
/// in order. A line longer than `max` bytes, line end included, is handed as
/// [`Line::TooLong`]. Returns how many lines were handed.
pub(super) fn each_line(
    file: &File,
    range: Range<u64>,
    max: u64,
    each: &mut dyn FnMut(u64, Line<'_>),
) -> io::Result<usize> {
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK);
    // File offset of buf[0]; buf[start..] is unread by `each`.
    let mut base = range.start.saturating_sub(1);
    let mut start = 0;
    let mut eof = false;
    let fill = |buf: &mut Vec<u8>, base: u64, eof: &mut bool| -> io::Result<()> {
        let have = buf.len();
        let want = BLOCK.max(have);
        buf.resize(have + want, 0);
        let n = read_at(file, &mut buf[have..], base + have as u64)?;
        buf.truncate(have + n);
        *eof = n == 0;
        Ok(())
    };
    // The line under way at the range's start (from the byte before it) is not ours.
    if range.start > 0 {
        loop {
            if let Some(at) = memchr::memchr(b'\n', &buf[start..]) {
                start += at + 1;
                break;
            }
            start = buf.len();
            if eof {
                return Ok(0);
            }
            buf.drain(..start);
            base += start as u64;
            start = 0;
            fill(&mut buf, base, &mut eof)?;
        }
    }
    let mut count = 0;
    loop {
        let offset = base + start as u64;
        if offset >= range.end {
            return Ok(count);
        }
        match memchr::memchr(b'\n', &buf[start..]) {
            Some(at) if (at + 1) as u64 <= max => {
                each(offset, Line::Text(&buf[start..start + at + 1]));
                start += at + 1;
                count += 1;
            }
            found => {
                let held = found.map_or(buf.len() - start, |at| at + 1) as u64;
                if held > max {
                    // Too long: skipped to its end, a block at a time.
                    let mut len = held;
                    let mut end = found.map(|at| start + at + 1);
                    while end.is_none() {
                        buf.clear();
                        base = offset + len;
                        fill(&mut buf, base, &mut eof)?;
                        match memchr::memchr(b'\n', &buf) {
                            Some(at) => {
                                len += at as u64 + 1;
                                end = Some(at + 1);
                            }
                            None if eof => {
                                end = Some(0);
                            }
                            None => len += buf.len() as u64,
                        }
                    }
                    each(offset, Line::TooLong);
                    count += 1;
                    start = end.unwrap_or(0);
                    continue;
                }
                if eof {
                    // The last line, without a line end.
                    if start < buf.len() {
                        each(offset, Line::Text(&buf[start..]));
                        count += 1;
                    }
                    return Ok(count);
                }
                buf.drain(..start);
                base += start as u64;
                start = 0;
                fill(&mut buf, base, &mut eof)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines_of(text: &[u8], range: Range<u64>, max: u64) -> Vec<(u64, Option<Vec<u8>>)> {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text).unwrap();
        let mut out = Vec::new();
        let n = each_line(&file, range, max, &mut |at, line| {
            out.push((
                at,
                match line {
                    Line::Text(t) => Some(t.to_vec()),
                    Line::TooLong => None,
                },
            ))
        })
        .unwrap();
        assert_eq!(n, out.len());
        out
    }

    #[test]
    fn parts_split_at_line_starts_and_long_lines_are_measured_not_held() {
        let text = b"ab\ncdef\n\nlong line here\nend";
        let all = lines_of(text, 0..text.len() as u64, 8);
        assert_eq!(
            all,
            vec![
                (0, Some(b"ab\n".to_vec())),
                (3, Some(b"cdef\n".to_vec())),
                (8, Some(b"\n".to_vec())),
                (9, None),
                (24, Some(b"end".to_vec())),
            ]
        );
        // Every split point gives every line exactly once.
        for cut in 0..=text.len() as u64 {
            let mut both = lines_of(text, 0..cut, 8);
            both.extend(lines_of(text, cut..text.len() as u64, 8));
            assert_eq!(both, all, "cut at {cut}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_split_reads_each_line_once(
            text in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(b'\n'), proptest::strategy::Just(b'a'), proptest::strategy::Just(b'b')], 0..64),
            cuts in proptest::collection::vec(0u64..64, 0..4),
            max in 1u64..12,
        ) {
            let len = text.len() as u64;
            let whole = lines_of(&text, 0..len, max);
            let mut points: Vec<u64> = cuts.into_iter().map(|c| c.min(len)).collect();
            points.push(0);
            points.push(len);
            points.sort();
            let mut parts = Vec::new();
            for pair in points.windows(2) {
                parts.extend(lines_of(&text, pair[0]..pair[1], max));
            }
            proptest::prop_assert_eq!(parts, whole);
        }
    }
}
