//! Unified diffs in the shape `diff -u` prints them (what `terraform fmt -diff` shows):
//! `---`/`+++` headers, `@@ -a,b +c,d @@` hunks with three lines of context, and
//! `\ No newline at end of file` after a last line without one.

/// Line-oriented unified diff of `old` and `new`; empty when they are equal.
pub fn unified_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    if old == new {
        return String::new();
    }
    let a = split_lines(old);
    let b = split_lines(new);
    let ops = diff_ops(&a, &b);
    // group into hunks with 3 lines of context
    const CTX: usize = 3;
    let mut out = format!("--- {old_label}\n+++ {new_label}\n");
    let n = ops.len();
    let mut idx = 0;
    while idx < n {
        // find next change
        let Some(first_change) = (idx..n).find(|&k| ops[k].0 != Op::Eq) else { break };
        let start = first_change.saturating_sub(CTX).max(idx);
        // extend the hunk while changes are within 2*CTX of each other
        let mut end = first_change;
        let mut k = first_change;
        while k < n {
            if ops[k].0 != Op::Eq {
                end = k;
                k += 1;
                continue;
            }
            // run of equals
            let run_start = k;
            while k < n && ops[k].0 == Op::Eq {
                k += 1;
            }
            if k >= n || k - run_start > 2 * CTX {
                break;
            }
        }
        let stop = (end + 1 + CTX).min(n);
        let hunk = &ops[start..stop];
        let (a0, b0) = (hunk[0].1, hunk[0].2);
        let a_len = hunk.iter().filter(|o| o.0 != Op::Ins).count();
        let b_len = hunk.iter().filter(|o| o.0 != Op::Del).count();
        out.push_str(&format!("@@ -{} +{} @@\n", range(a0, a_len), range(b0, b_len)));
        for &(op, ai, bi) in hunk {
            let (prefix, line) = match op {
                Op::Eq => (' ', a[ai]),
                Op::Del => ('-', a[ai]),
                Op::Ins => ('+', b[bi]),
            };
            out.push(prefix);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        idx = stop;
    }
    out
}

fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{}", start + 1, len),
    }
}

fn split_lines(s: &str) -> Vec<&str> {
    s.split_inclusive('\n').collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Del,
    Ins,
}

/// (op, index in a, index in b): a shortest edit script (Myers' algorithm, linear space
/// is not needed for configuration files).
fn diff_ops(a: &[&str], b: &[&str]) -> Vec<(Op, usize, usize)> {
    let n = a.len() as isize;
    let m = b.len() as isize;
    let max = (n + m) as usize;
    let off = max as isize;
    let mut v = vec![0isize; 2 * max + 2];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'outer: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && v[(off + k - 1) as usize] < v[(off + k + 1) as usize]) {
                v[(off + k + 1) as usize]
            } else {
                v[(off + k - 1) as usize] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n && y >= m {
                break 'outer;
            }
            k += 2;
        }
    }
    // backtrack
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..trace.len() as isize).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && v[(off + k - 1) as usize] < v[(off + k + 1) as usize]) { k + 1 } else { k - 1 };
        let prev_x = if d == 0 { 0 } else { v[(off + prev_k) as usize] };
        let prev_y = prev_x - prev_k;
        while x > prev_x.max(0) && y > prev_y.max(0) && x > 0 && y > 0 && (d == 0 || (x > prev_x && y > prev_y)) {
            x -= 1;
            y -= 1;
            ops.push((Op::Eq, x as usize, y as usize));
        }
        if d == 0 {
            break;
        }
        if x == prev_x {
            y -= 1;
            ops.push((Op::Ins, x as usize, y as usize));
        } else {
            x -= 1;
            ops.push((Op::Del, x as usize, y as usize));
        }
    }
    ops.reverse();
    ops
}
