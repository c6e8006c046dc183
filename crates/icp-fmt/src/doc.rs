//! A small Wadler-style pretty printer: text, optional line breaks and groups that break
//! all their lines or none.

/// A document to lay out.
#[derive(Debug, Clone)]
pub(crate) enum Doc {
    /// Text printed as is (a newline in it forces the enclosing groups to break).
    Text(String),
    /// A space, or a line break when its group breaks.
    Line,
    /// Nothing, or a line break when its group breaks.
    SoftLine,
    /// A line break always (after a `//` comment): the enclosing groups break.
    HardLine,
    /// Text printed only when its group breaks (a trailing comma).
    IfBreak(&'static str),
    /// Its content with the indentation increased for the lines it breaks.
    Nest(usize, Vec<Doc>),
    /// Its content flat if it fits on the line, else every line of it broken.
    Group(Vec<Doc>),
    /// Its content.
    Concat(Vec<Doc>),
}

impl Doc {
    pub(crate) fn text(s: impl Into<String>) -> Doc {
        Doc::Text(s.into())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// Print `doc` starting at column `col`, lines it breaks indented by `indent` (plus its
/// nests), aiming at `width` columns.
pub(crate) fn print(doc: &Doc, width: usize, col: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut col = col;
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(indent, Mode::Break, doc)];
    while let Some((ind, mode, d)) = stack.pop() {
        match d {
            Doc::Text(s) => {
                out.push_str(s);
                match s.rfind('\n') {
                    Some(i) => col = s.get(i + 1..).map_or(0, |t| t.chars().count()),
                    None => col += s.chars().count(),
                }
            }
            Doc::HardLine => {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', ind));
                col = ind;
            }
            Doc::Line | Doc::SoftLine => {
                if mode == Mode::Break {
                    out.push('\n');
                    out.extend(std::iter::repeat_n(' ', ind));
                    col = ind;
                } else if matches!(d, Doc::Line) {
                    out.push(' ');
                    col += 1;
                }
            }
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    out.push_str(s);
                    col += s.chars().count();
                }
            }
            Doc::Nest(n, docs) => {
                for c in docs.iter().rev() {
                    stack.push((ind + n, mode, c));
                }
            }
            Doc::Concat(docs) => {
                for c in docs.iter().rev() {
                    stack.push((ind, mode, c));
                }
            }
            Doc::Group(docs) => {
                let m = if mode == Mode::Flat
                    || fits(width.saturating_sub(col) as isize, docs, &stack)
                {
                    Mode::Flat
                } else {
                    Mode::Break
                };
                for c in docs.iter().rev() {
                    stack.push((ind, m, c));
                }
            }
        }
    }
    out
}

/// Whether `docs` printed flat, and what follows them up to the next line break, take at
/// most `rem` columns.
fn fits(mut rem: isize, docs: &[Doc], rest: &[(usize, Mode, &Doc)]) -> bool {
    let mut todo: Vec<(Mode, &Doc)> = docs.iter().rev().map(|d| (Mode::Flat, d)).collect();
    let mut rest = rest.iter().rev();
    loop {
        let Some((mode, d)) = todo.pop() else {
            match rest.next() {
                Some((_, m, d)) => {
                    todo.push((*m, d));
                    continue;
                }
                None => return true,
            }
        };
        match d {
            Doc::Text(s) => {
                if let Some(i) = s.find('\n') {
                    if mode == Mode::Flat {
                        return false;
                    }
                    return rem >= s.get(..i).map_or(0, |t| t.chars().count()) as isize;
                }
                rem -= s.chars().count() as isize;
            }
            Doc::HardLine => return mode == Mode::Break,
            Doc::Line | Doc::SoftLine => {
                if mode == Mode::Break {
                    return true;
                }
                if matches!(d, Doc::Line) {
                    rem -= 1;
                }
            }
            Doc::IfBreak(s) => {
                if mode == Mode::Break {
                    rem -= s.chars().count() as isize;
                }
            }
            Doc::Nest(_, docs) | Doc::Concat(docs) => {
                todo.extend(docs.iter().rev().map(|c| (mode, c)));
            }
            Doc::Group(docs) => {
                // A group in the rest keeps the mode it would get: flat if it fits, which
                // this very measure decides; measure it flat.
                let m = if mode == Mode::Break {
                    Mode::Flat
                } else {
                    mode
                };
                todo.extend(docs.iter().rev().map(|c| (m, c)));
            }
        }
        if rem < 0 {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_breaks_when_it_does_not_fit() {
        let d = Doc::Group(vec![Doc::text("aaaa"), Doc::Line, Doc::text("and bbbb")]);
        assert_eq!(print(&d, 20, 0, 0), "aaaa and bbbb");
        assert_eq!(print(&d, 10, 0, 2), "aaaa\n  and bbbb");
    }
}
