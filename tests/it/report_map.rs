//! The HTML report's map, read back from the page as a browser gets it:
//! no node's name sits on another node, on a link, on a tap mark or on
//! another name, in any built-in incident.
//!
//! The SVG is parsed here, and each name's box worked out from the text's
//! attributes with an estimate of its glyphs, independently of the code
//! that placed it: a polygon per name, tested against circles, segments
//! and the other polygons.

use cablesim::model::DayWindow;
use cablesim::report::render_html;
use cablesim::scenario::{BUILTIN, Runner, resolve};

/// Glyph extents, per unit of font size: a little over those of common
/// sans-serif fonts (bold is wider), above and below the baseline.
const CHAR_WIDTH: f64 = 0.6;
const BOLD_CHAR_WIDTH: f64 = 0.66;
const ASCENT: f64 = 0.8;
const DESCENT: f64 = 0.25;

type Point = (f64, f64);

/// The value of `name="..."` in a tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(tag[start..end].to_owned())
}

fn num(tag: &str, name: &str) -> f64 {
    attr(tag, name)
        .unwrap_or_else(|| panic!("{name} in {tag}"))
        .parse()
        .unwrap()
}

/// What the map draws: circles (nodes, and tap marks as the circle round
/// their diamond), links, and each name's corners with its text.
#[derive(Default)]
struct Map {
    circles: Vec<(Point, f64)>,
    tap_marks: usize,
    links: Vec<(Point, Point)>,
    names: Vec<(String, [Point; 4])>,
}

fn parse_map(html: &str) -> Map {
    let start = html.find("<section class=\"map\"").expect("a map section");
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    let mut map = Map::default();
    let mut bold = false;
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..=end];
        let after = &rest[end + 1..];
        if tag.starts_with("<g ") && attr(tag, "class").is_some_and(|c| c.starts_with("node ")) {
            bold = attr(tag, "class").unwrap().split(' ').any(|c| c == "inside");
        } else if tag.starts_with("<circle ") && attr(tag, "class").as_deref() != Some("ring") {
            map.circles.push(((num(tag, "cx"), num(tag, "cy")), num(tag, "r")));
        } else if tag.starts_with("<line ") {
            map.links
                .push(((num(tag, "x1"), num(tag, "y1")), (num(tag, "x2"), num(tag, "y2"))));
        } else if tag.starts_with("<rect ") && attr(tag, "class").as_deref() == Some("tap-mark") {
            let (w, h) = (num(tag, "width"), num(tag, "height"));
            let centre = (num(tag, "x") + w / 2.0, num(tag, "y") + h / 2.0);
            map.circles.push((centre, w.hypot(h) / 2.0));
            map.tap_marks += 1;
        } else if tag.starts_with("<text ") && attr(tag, "font-size").is_some() {
            let text = &after[..after.find("</text>").unwrap()];
            map.names.push((text.to_owned(), name_box(tag, text, bold)));
        }
        rest = after;
    }
    map
}

/// The corners of the box a name's glyphs fill.
fn name_box(tag: &str, text: &str, bold: bool) -> [Point; 4] {
    let (x, y, size) = (num(tag, "x"), num(tag, "y"), num(tag, "font-size"));
    let width = text.chars().count() as f64 * size * if bold { BOLD_CHAR_WIDTH } else { CHAR_WIDTH };
    let left = match attr(tag, "text-anchor").as_deref() {
        Some("end") => x - width,
        Some("middle") => x - width / 2.0,
        _ => x,
    };
    let (top, bottom) = if attr(tag, "dominant-baseline").as_deref() == Some("central") {
        let half = (ASCENT + DESCENT) * size / 2.0;
        (y - half, y + half)
    } else {
        (y - ASCENT * size, y + DESCENT * size)
    };
    let corners = [(left, top), (left + width, top), (left + width, bottom), (left, bottom)];
    let Some(transform) = attr(tag, "transform") else {
        return corners;
    };
    // rotate(DEGREES X Y)
    let args: Vec<f64> = transform
        .trim_start_matches("rotate(")
        .trim_end_matches(')')
        .split(' ')
        .map(|a| a.parse().unwrap())
        .collect();
    let (sin, cos) = args[0].to_radians().sin_cos();
    corners.map(|(px, py)| {
        let (dx, dy) = (px - args[1], py - args[2]);
        (args[1] + dx * cos - dy * sin, args[2] + dx * sin + dy * cos)
    })
}

fn cross(o: Point, a: Point, b: Point) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

fn segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool {
    let (d1, d2) = (cross(c, d, a), cross(c, d, b));
    let (d3, d4) = (cross(a, b, c), cross(a, b, d));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

fn inside(p: Point, poly: &[Point; 4]) -> bool {
    let signs: Vec<bool> = (0..4).map(|i| cross(poly[i], poly[(i + 1) % 4], p) > 0.0).collect();
    signs.iter().all(|s| *s) || signs.iter().all(|s| !*s)
}

fn distance_to_segment(p: Point, a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

fn edges(poly: &[Point; 4]) -> impl Iterator<Item = (Point, Point)> + '_ {
    (0..4).map(|i| (poly[i], poly[(i + 1) % 4]))
}

fn hits_circle(poly: &[Point; 4], centre: Point, r: f64) -> bool {
    inside(centre, poly) || edges(poly).any(|(a, b)| distance_to_segment(centre, a, b) < r)
}

fn hits_segment(poly: &[Point; 4], a: Point, b: Point) -> bool {
    inside(a, poly) || inside(b, poly) || edges(poly).any(|(c, d)| segments_cross(a, b, c, d))
}

fn hits_polygon(p: &[Point; 4], q: &[Point; 4]) -> bool {
    p.iter().any(|c| inside(*c, q))
        || q.iter().any(|c| inside(*c, p))
        || edges(p).any(|(a, b)| edges(q).any(|(c, d)| segments_cross(a, b, c, d)))
}

#[test]
fn no_name_on_the_map_touches_a_node_a_link_or_another_name() {
    for builtin in BUILTIN {
        // The map is drawn from the network and where the adversaries sit,
        // not from when: a two-day run with every window opening on day 0
        // draws the same map as the incident.
        let mut scenario = resolve(builtin.name).unwrap();
        scenario.days = 2;
        scenario.generated_cables = 4;
        scenario.cables.clear();
        for adversary in &mut scenario.adversaries {
            adversary.window = DayWindow::new(0, Some(1));
        }
        let report = Runner::new(scenario).run_blocking().unwrap().report;
        let map = parse_map(&render_html(&report).unwrap());
        assert_eq!(
            map.circles.len(),
            report.network.len() + map.tap_marks,
            "{}",
            builtin.name
        );
        assert!(map.links.len() >= report.network.len() - 1, "{}", builtin.name);
        let names: Vec<&str> = map.names.iter().map(|(name, _)| name.as_str()).collect();
        // Not vacuous: the names the report shows are checked (Cablegate's
        // rings are too crowded for any).
        match builtin.name {
            "darroch-2019" => assert!(names.contains(&"whitehall-dept"), "{names:?}"),
            "coreu-2018" => assert!(names.contains(&"cy-mfa") && names.len() > 30, "{names:?}"),
            _ => {}
        }
        for (i, (name, corners)) in map.names.iter().enumerate() {
            let here = format!("{}: {name}", builtin.name);
            for (centre, r) in &map.circles {
                assert!(
                    !hits_circle(corners, *centre, *r),
                    "{here} touches the circle at {centre:?}"
                );
            }
            for (a, b) in &map.links {
                assert!(!hits_segment(corners, *a, *b), "{here} touches the link {a:?}-{b:?}");
            }
            for (other, theirs) in map.names.iter().skip(i + 1) {
                assert!(!hits_polygon(corners, theirs), "{here} touches the name {other}");
            }
        }
    }
}
