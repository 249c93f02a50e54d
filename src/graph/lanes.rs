//! Draws a revision graph as text lanes, like `git log --graph`: pure, no
//! I/O, one pass, linear in the rows times the number of lanes.
//!
//! The rows come newest first; each has a marker character. Lanes are
//! columns two characters apart. A lane keeps its column from the row that
//! opens it to the row that ends it, so nothing shifts sideways:
//!
//! ```text
//! *    0003_merge        a merge: one new lane per extra parent, `\`
//! |\
//! | *  0002_orders
//! * |  0002_email
//! |/                     a branch point: the lanes waiting for it join, `/`
//! *    0001_users
//! ```
//!
//! When a merge or branch point spans several lanes, its row carries `-` out
//! to the farthest one (`*---`), crossing other lanes as `|`. A freed column
//! in the middle stays blank until a new lane takes it.

/// One line of a drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The graph characters, no trailing spaces.
    pub art: String,
    /// The row drawn on this line (an index into the rows given to
    /// [`draw`]), or `None` for a line that only connects lanes.
    pub row: Option<usize>,
    /// How wide the lanes are on this line, so text after it lines up.
    pub width: usize,
}

/// Draws rows given newest first: `parents[r]` are the rows that row `r`
/// builds on, each after `r` (older), the first parent first. Parents
/// outside the rows must be left out by the caller. `marker(r)` is the
/// character that stands for row `r`.
pub fn draw(parents: &[Vec<usize>], marker: impl Fn(usize) -> char) -> Vec<Line> {
    let mut lanes: Vec<Option<usize>> = Vec::new();
    let mut lines = Vec::with_capacity(parents.len() + parents.len() / 4);
    for (row, row_parents) in parents.iter().enumerate() {
        debug_assert!(row_parents.iter().all(|&p| p > row), "parents are older");
        let column = match lanes.iter().position(|&l| l == Some(row)) {
            Some(column) => column,
            None => {
                let column = free_lane(&mut lanes, 0);
                lanes[column] = Some(row);
                column
            }
        };

        // Lanes to the right that also wait for this row: its other children.
        let joining: Vec<usize> = (column + 1..lanes.len())
            .filter(|&j| lanes[j] == Some(row))
            .collect();
        if !joining.is_empty() {
            let mut art = lane_art(&lanes, &joining);
            for &j in &joining {
                art[2 * j - 1] = b'/';
            }
            lines.push(line(art));
            for &j in &joining {
                lanes[j] = None;
            }
        }

        // Extra parents get lanes of their own, right of this one.
        let mut opening = Vec::with_capacity(row_parents.len().saturating_sub(1));
        for &parent in row_parents.iter().skip(1) {
            let lane = free_lane(&mut lanes, column + 1);
            lanes[lane] = Some(parent);
            opening.push(lane);
        }

        let mut art = lane_art(&lanes, &opening);
        art[2 * column] = marker(row) as u8;
        let reach = joining.iter().chain(&opening).copied().max();
        if let Some(reach) = reach {
            for byte in &mut art[2 * column + 1..2 * reach - 1] {
                if *byte == b' ' {
                    *byte = b'-';
                }
            }
        }
        let mut commit = line(art);
        commit.row = Some(row);
        lines.push(commit);

        lanes[column] = row_parents.first().copied();
        if !opening.is_empty() {
            let mut art = lane_art(&lanes, &opening);
            for &t in &opening {
                art[2 * t - 1] = b'\\';
            }
            lines.push(line(art));
        }
        while lanes.last() == Some(&None) {
            lanes.pop();
        }
    }
    lines
}

/// The first free lane at or after `from`, added at the end when there is
/// none.
fn free_lane(lanes: &mut Vec<Option<usize>>, from: usize) -> usize {
    match (from..lanes.len()).find(|&i| lanes[i].is_none()) {
        Some(i) => i,
        None => {
            lanes.resize(from.max(lanes.len()) + 1, None);
            lanes.len() - 1
        }
    }
}

/// `|` for every lane in use except `skip`, spaces elsewhere. Markers are
/// ASCII, so the art is built as bytes.
fn lane_art(lanes: &[Option<usize>], skip: &[usize]) -> Vec<u8> {
    let mut art = vec![b' '; (2 * lanes.len()).saturating_sub(1)];
    for (i, lane) in lanes.iter().enumerate() {
        if lane.is_some() && !skip.contains(&i) {
            art[2 * i] = b'|';
        }
    }
    art
}

fn line(art: Vec<u8>) -> Line {
    let width = art.len();
    let art = String::from_utf8(art).expect("ASCII art");
    Line {
        art: art.trim_end().to_string(),
        row: None,
        width,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph;

    /// The drawing of a graph written like `graph::tests::graph`, newest
    /// first, each row followed by its id.
    fn drawn(text: &str) -> Vec<String> {
        let g = graph(text);
        let n = g.len();
        // Newest first: row r is graph position n - 1 - r.
        let parents: Vec<Vec<usize>> = (0..n)
            .map(|r| {
                let revision = g.at(n - 1 - r);
                revision
                    .parents
                    .iter()
                    .map(|p| n - 1 - g.index_of(p).unwrap())
                    .collect()
            })
            .collect();
        draw(&parents, |_| '*')
            .into_iter()
            .map(|l| match l.row {
                Some(r) => format!("{:w$}  {}", l.art, g.at(n - 1 - r).id, w = l.width),
                None => l.art,
            })
            .collect()
    }

    #[test]
    fn draws_like_git_log_graph() {
        let cases: [(&str, &[&str]); 6] = [
            (
                "0001; 0002 <- 0001; 0003 <- 0002",
                &["*  0003", "*  0002", "*  0001"],
            ),
            (
                "0001; 0002a <- 0001; 0002b <- 0001; 0003m <- 0002a 0002b",
                &[
                    "*    0003m",
                    "|\\",
                    "| *  0002b",
                    "* |  0002a",
                    "|/",
                    "*    0001",
                ],
            ),
            (
                // Two heads, not merged.
                "0001; 0002a <- 0001; 0002b <- 0001",
                &["*  0002b", "| *  0002a", "|/", "*    0001"],
            ),
            (
                // Several roots, joined by a merge.
                "0001a; 0001b; 0002 <- 0001a 0001b",
                &["*    0002", "|\\", "| *  0001b", "*  0001a"],
            ),
            (
                // Two unrelated lines.
                "0001a; 0002a <- 0001a; 0001b; 0002b <- 0001b",
                &["*  0002b", "| *  0002a", "* |  0001b", "  *  0001a"],
            ),
            (
                // A branch crossing another lane to reach its branch point.
                "0001; 0002 <- 0001; 0003x <- 0002; 0003y <- 0002; 0004 <- 0001",
                &[
                    "*  0004",
                    "| *  0003y",
                    "| | *  0003x",
                    "| |/",
                    "| *    0002",
                    "|/",
                    "*    0001",
                ],
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(drawn(text), expected, "{text}");
        }
    }

    #[test]
    fn ten_parallel_branches_stay_readable() {
        let mut text = String::from("0001");
        let letters = "abcdefghij";
        for c in letters.chars() {
            text.push_str(&format!("; 0002{c} <- 0001; 0003{c} <- 0002{c}"));
        }
        let heads: Vec<String> = letters.chars().map(|c| format!("0003{c}")).collect();
        text.push_str(&format!("; 0004m <- {}", heads.join(" ")));
        let lines = drawn(&text);
        assert_eq!(lines[0], "*----------------    0004m");
        assert_eq!(lines[1], "|\\ \\ \\ \\ \\ \\ \\ \\ \\");
        assert_eq!(lines[2], "| | | | | | | | | *  0003j");
        assert!(lines.contains(&"| | | | | | | | | *  0002j".to_string()));
        assert!(lines.contains(&"* | | | | | | | | |  0002a".to_string()));
        assert_eq!(lines[lines.len() - 2], "|/ / / / / / / / /");
        assert_eq!(lines[lines.len() - 1], "*----------------    0001");
        // Every lane is one column; no line is wider than ten lanes.
        assert!(
            lines
                .iter()
                .all(|l| !l.starts_with("| | | | | | | | | | |"))
        );
    }

    #[test]
    fn ten_thousand_rows_draw_in_one_pass() {
        // A chain with a two-revision branch and merge every 10 rows, newest
        // first: row r builds on r + 1; every merge on a side row too.
        let n = 10_000;
        let parents: Vec<Vec<usize>> = (0..n)
            .map(|r| match r % 10 {
                _ if r + 3 >= n => vec![r + 1].into_iter().filter(|&p| p < n).collect(),
                0 => vec![r + 2, r + 1],
                1 => vec![r + 2],
                _ => vec![r + 1],
            })
            .collect();
        let started = std::time::Instant::now();
        let lines = draw(&parents, |_| '*');
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(lines.iter().filter(|l| l.row.is_some()).count(), n);
        assert!(lines.iter().all(|l| l.width <= 3), "two lanes at most");
    }
}
