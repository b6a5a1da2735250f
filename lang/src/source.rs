//! Source files and their line tables, for turning byte spans into file:line:column.

use plinth_sdk::{Pos, SourceRange};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as shown to the user (relative to the working directory where possible).
    pub path: Arc<PathBuf>,
    pub text: String,
    line_starts: Vec<usize>,
    /// Object keys repeated in the text, renamed for the parser (see `lenient`): the
    /// evaluator takes their names from `text`.
    pub(crate) renamed_keys: std::sync::OnceLock<Vec<std::ops::Range<usize>>>,
    /// For an expression taken from a JSON configuration file: the file and the byte offset
    /// of `text` in it (positions are positions in that file).
    parent: Option<(Arc<SourceFile>, usize)>,
    /// The line of the last position asked for: positions are mostly asked in order, so the
    /// next one is usually on the same or a following line (no binary search).
    last_line: std::sync::atomic::AtomicUsize,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        SourceFile { path: Arc::new(path), text, line_starts, renamed_keys: std::sync::OnceLock::new(), parent: None, last_line: std::sync::atomic::AtomicUsize::new(0) }
    }
    /// `text`, found at byte `offset` of `parent` (a JSON configuration file): positions in
    /// it are reported as positions in `parent`.
    pub(crate) fn within(parent: &Arc<SourceFile>, offset: usize, text: String) -> Self {
        let mut f = SourceFile::new(parent.path.as_ref().clone(), text);
        f.path = parent.path.clone();
        f.parent = Some((parent.clone(), offset));
        f
    }
    /// Whether this is an expression of a JSON configuration file.
    pub(crate) fn is_json(&self) -> bool {
        self.parent.is_some()
    }
    /// 1-based line and column (in characters) of a byte offset.
    pub fn pos(&self, byte: usize) -> Pos {
        let byte = byte.min(self.text.len());
        if let Some((p, off)) = &self.parent {
            return p.pos(off + byte);
        }
        let ls = &self.line_starts;
        let on = |l: usize| ls.get(l).is_some_and(|&s| s <= byte) && ls.get(l + 1).is_none_or(|&n| byte < n);
        let hint = self.last_line.load(std::sync::atomic::Ordering::Relaxed);
        let line = if on(hint) {
            hint
        } else if on(hint + 1) {
            hint + 1
        } else {
            match ls.binary_search(&byte) {
                Ok(i) => i,
                Err(i) => i - 1,
            }
        };
        self.last_line.store(line, std::sync::atomic::Ordering::Relaxed);
        let start = ls[line];
        let column = match self.text.get(start..byte) {
            Some(s) if s.is_ascii() => s.len(),
            Some(s) => s.chars().count(),
            None => byte - start,
        } + 1;
        Pos { line: line + 1, column, byte }
    }
    /// The name of an object key the parser saw renamed (written at `span`, quotes included
    /// for a quoted key), if it was.
    pub(crate) fn renamed_key(&self, span: &std::ops::Range<usize>) -> Option<&str> {
        let r = self.renamed_keys.get()?.iter().find(|r| r.start == span.start)?;
        let t = self.text.get(r.clone())?;
        Some(t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(t))
    }
    pub fn range(&self, span: std::ops::Range<usize>) -> SourceRange {
        SourceRange { file: self.path.clone(), start: self.pos(span.start), end: self.pos(span.end) }
    }
}

/// Every file loaded for a configuration, so diagnostics can be rendered with snippets.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Arc<Mutex<Vec<Arc<SourceFile>>>>,
}

impl SourceMap {
    pub fn add(&self, f: SourceFile) -> Arc<SourceFile> {
        let f = Arc::new(f);
        self.files.lock().expect("source map poisoned").push(f.clone());
        f
    }
    pub fn get(&self, path: &std::path::Path) -> Option<Arc<SourceFile>> {
        self.files.lock().expect("source map poisoned").iter().find(|f| f.path.as_path() == path).cloned()
    }
}
