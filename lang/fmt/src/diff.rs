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

/// Beyond this many differing lines the diff stops searching for a shortest edit script
/// and reports the differing middle as deleted then inserted (bounded memory).
const MAX_EDIT_DISTANCE: usize = 2000;

/// (op, index in a, index in b): a shortest edit script (Myers' algorithm) between the
/// common prefix and suffix.
fn diff_ops(a: &[&str], b: &[&str]) -> Vec<(Op, usize, usize)> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<(Op, usize, usize)> = (0..prefix).map(|i| (Op::Eq, i, i)).collect();
    let middle = myers(am, bm).unwrap_or_else(|| {
        let mut v: Vec<(Op, usize, usize)> = (0..am.len()).map(|i| (Op::Del, i, 0)).collect();
        v.extend((0..bm.len()).map(|j| (Op::Ins, am.len(), j)));
        v
    });
    ops.extend(middle.into_iter().map(|(op, i, j)| (op, i + prefix, j + prefix)));
    let (a_end, b_end) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| (Op::Eq, a_end + k, b_end + k)));
    ops
}

/// Myers' O(ND) diff; None when the edit distance exceeds [`MAX_EDIT_DISTANCE`].
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<(Op, usize, usize)>> {
    let n = a.len() as isize;
    let m = b.len() as isize;
    let max = (n + m) as usize;
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    // trace[d] holds v[k] for k in -d..=d after step d
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut found = false;
    for d in 0..=max as isize {
        if d as usize > MAX_EDIT_DISTANCE {
            return None;
        }
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
                found = true;
            }
            k += 2;
        }
        trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
        if found {
            break;
        }
    }
    // backtrack from (n, m)
    let get = |d: isize, k: isize| trace[d as usize][(k + d) as usize];
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..trace.len() as isize).rev() {
        let k = x - y;
        let prev_k = if k == -d || (k != d && get(d - 1, k - 1) < get(d - 1, k + 1)) { k + 1 } else { k - 1 };
        let prev_x = get(d - 1, prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push((Op::Eq, x as usize, y as usize));
        }
        if x == prev_x {
            y -= 1;
            ops.push((Op::Ins, x as usize, y as usize));
        } else {
            x -= 1;
            ops.push((Op::Del, x as usize, y as usize));
        }
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        ops.push((Op::Eq, x as usize, y as usize));
    }
    ops.reverse();
    Some(ops)
}
