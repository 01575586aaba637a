//! The geometry of the HTML report's network map (README.md, "Report files"):
//! the hub in the middle, hq, ministries and missions on circles around it, and
//! what each node and link is to colour. Only coordinates and classes are
//! computed here; the SVG markup lives in `templates/report.html.j2`.

use std::collections::{BTreeMap, BTreeSet};
use std::f64::consts::PI;

use serde::Serialize;

use super::map_space::{ASCENT, BOLD_CHAR_WIDTH, CHAR_WIDTH, DESCENT, GAP, TextBox};
use super::{Placement, RunReport};
use crate::model::Role;

/// The smallest font a name is shrunk to, to find room for it.
const SMALLEST_FONT: f64 = 9.0;
/// Half the diagonal of a tap mark, the diamond drawn on a tapped link.
const TAP_MARK: f64 = 10.0;

/// Radius of the outermost ring, in SVG user units; inner rings share the
/// distance to the hub evenly.
const OUTER_RING: f64 = 330.0;
/// The roles on rings, from the hub outwards. Missions sit outside the
/// ministries because in every built-in incident there are more of them.
const RING_ROLES: [Role; 3] = [Role::Hq, Role::Ministry, Role::Mission];
/// Room around the outer ring for names written outside it.
const LABEL_MARGIN: f64 = 150.0;
/// Blank space around everything drawn.
const PADDING: f64 = 12.0;
/// Font size of node names where there is room for it.
const LABEL_FONT: f64 = 19.0;
/// Up to this many nodes on a ring, labels are written horizontally: the
/// easiest to read, and there is room.
const FLAT_LABELS_UP_TO: usize = 12;
/// Up to this many, labels point away from the hub so that neighbours do
/// not overlap; beyond, they would be too small to read, and each node's
/// name is in its tooltip instead.
const RADIAL_LABELS_UP_TO: usize = 64;

/// What a leak path exposed, worst last: the order colours are chosen in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Exposure {
    /// Nothing of this node's cables or link was obtained.
    None,
    /// Encrypted records on its link were seen: sizes and times only.
    Traffic,
    /// Headers (from, to, classification) of its cables were decoded.
    Routing,
    /// Its cables were read: canaries recovered.
    Content,
}

/// The map: every node and every link, with what to colour.
#[derive(Debug, Serialize)]
pub(super) struct MapView {
    /// The SVG `viewBox`: everything drawn, with a small margin.
    view_box: String,
    centre: f64,
    rings: Vec<f64>,
    nodes: Vec<NodeView>,
    links: Vec<LinkView>,
    /// Whether some ring was too crowded for labels: links are drawn
    /// thinner too, or they would merge into one disc.
    hidden_labels: bool,
    /// Whether some node has no name written by it (its ring is crowded,
    /// or there was no room free of other nodes, links and names): the
    /// page says to hover a node for its name.
    unnamed: bool,
}

#[derive(Debug, Serialize)]
struct NodeView {
    name: String,
    role: &'static str,
    x: f64,
    y: f64,
    r: f64,
    /// Adversaries inside the node (or the hub), for its tooltip.
    inside: Vec<String>,
    exposure: Exposure,
    label: Option<Label>,
    /// The node's angle about the hub and the number of nodes on its
    /// ring: where its name may go.
    #[serde(skip)]
    ring: Option<(f64, usize, f64)>,
}

#[derive(Debug, Serialize)]
struct Label {
    x: f64,
    y: f64,
    anchor: &'static str,
    /// Whether the text runs along the node's ray, turned by `rotate`.
    radial: bool,
    /// Degrees to turn the text about its anchor point; 0 for flat text.
    rotate: f64,
    /// Font size: smaller on a crowded ring, so that names do not overlap.
    size: f64,
}

#[derive(Debug, Serialize)]
struct LinkView {
    node: String,
    x1: f64,
    y1: f64,
    x2: f64,
    y2: f64,
    mx: f64,
    my: f64,
    exposure: Exposure,
    /// Adversaries on the link (taps, men in the middle), for its tooltip.
    on_link: Vec<String>,
}

/// Lays out the report's network and colours it with what was measured.
pub(super) fn layout(report: &RunReport) -> MapView {
    let exposure = exposures(report);
    let mut inside: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut on_link: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for adversary in &report.adversaries {
        let node = adversary.node.as_deref().unwrap_or(crate::model::HUB);
        match adversary.position {
            Placement::Link => on_link.entry(node).or_default().push(adversary.name.clone()),
            Placement::Hub | Placement::Node => inside.entry(node).or_default().push(adversary.name.clone()),
            // Not on the map: it is not in the network.
            Placement::Recordings => {}
        }
    }
    let rings: Vec<(Role, Vec<&str>)> = RING_ROLES
        .into_iter()
        .map(|role| {
            let members = report.network.iter().filter(|n| n.role == role);
            (role, members.map(|n| n.name.as_str()).collect::<Vec<_>>())
        })
        .filter(|(_, members)| !members.is_empty())
        .collect();
    // The drawing is centred on the hub at (centre, centre); its viewBox
    // is cut to what is drawn at the end.
    let centre = OUTER_RING + LABEL_MARGIN;
    let mut nodes = Vec::with_capacity(report.network.len());
    let mut links = Vec::new();
    let mut radii = Vec::new();
    for hub in report.network.iter().filter(|n| n.role == Role::Hub) {
        nodes.push(NodeView {
            name: hub.name.clone(),
            role: hub.role.as_str(),
            x: centre,
            y: centre,
            r: 28.0,
            inside: inside.get(hub.name.as_str()).cloned().unwrap_or_default(),
            exposure: Exposure::None,
            label: None,
            ring: None,
        });
    }
    // Angles of the nodes placed so far, on inner rings.
    let mut placed: Vec<f64> = Vec::new();
    for (ring_index, (role, members)) in rings.iter().enumerate() {
        let radius = OUTER_RING * (ring_index + 1) as f64 / rings.len() as f64;
        radii.push(round(radius));
        let count = members.len();
        let step = 2.0 * PI / count as f64;
        let start = ring_start(step, count, &placed);
        placed.extend((0..count).map(|i| start + step * i as f64));
        let spacing = radius * step;
        let node_radius = (0.38 * spacing).clamp(2.5, 12.0);
        let font = (0.62 * spacing).clamp(9.0, LABEL_FONT);
        for (i, name) in members.iter().enumerate() {
            let angle = start + step * i as f64;
            let (x, y) = (centre + radius * angle.cos(), centre + radius * angle.sin());
            let link_exposure = exposure.get(name).copied().unwrap_or(Exposure::None);
            links.push(LinkView {
                node: (*name).to_owned(),
                x1: round(centre),
                y1: round(centre),
                x2: round(x),
                y2: round(y),
                mx: round(centre + radius * 0.55 * angle.cos()),
                my: round(centre + radius * 0.55 * angle.sin()),
                exposure: link_exposure,
                on_link: on_link.get(name).cloned().unwrap_or_default(),
            });
            nodes.push(NodeView {
                name: (*name).to_owned(),
                role: role.as_str(),
                x: round(x),
                y: round(y),
                r: round(node_radius),
                inside: inside.get(name).cloned().unwrap_or_default(),
                exposure: link_exposure,
                label: None,
                ring: Some((angle, count, round(font))),
            });
        }
    }
    let boxes = place_labels(&mut nodes, &links);
    // A network has one hub and nodes of these three roles only, so every
    // node of the report is drawn exactly once.
    MapView {
        view_box: view_box(&nodes, &boxes, &radii, centre),
        centre,
        rings: radii,
        unnamed: nodes.iter().any(|n| n.ring.is_some() && n.label.is_none()),
        nodes,
        links,
        hidden_labels: rings.iter().any(|(_, m)| m.len() > RADIAL_LABELS_UP_TO),
    }
}

/// The angle of a ring's first node. The innermost ring starts at the
/// top; each further ring is turned, by one of sixteen fractions of its
/// step, to keep its nodes as far as possible from the angles of the inner
/// rings' nodes, so that a link to an outer node does not run through an
/// inner one.
fn ring_start(step: f64, count: usize, inner: &[f64]) -> f64 {
    let top = -PI / 2.0;
    if inner.is_empty() {
        return top;
    }
    let clearance = |start: f64| -> f64 {
        let mut nearest = f64::INFINITY;
        for i in 0..count {
            let angle = start + step * i as f64;
            for other in inner {
                let gap = (angle - other).rem_euclid(2.0 * PI);
                nearest = nearest.min(gap.min(2.0 * PI - gap));
            }
        }
        nearest
    };
    let mut best = (top, f64::NEG_INFINITY);
    for k in 0..16 {
        let start = top + step * f64::from(k) / 16.0;
        let gap = clearance(start);
        // Ties keep the earlier candidate: the layout is the same every run.
        if gap > best.1 + 1e-9 {
            best = (start, gap);
        }
    }
    best.0
}

/// Writes each node's name where it touches no other node, no link, no
/// tap mark and no name placed before it: inner rings first, each name in
/// the first free place of [`label_places`]. A name with no free place is
/// left out (it is in the node's tooltip). Returns the boxes of the names
/// written.
fn place_labels(nodes: &mut [NodeView], links: &[LinkView]) -> Vec<TextBox> {
    let circles: Vec<(f64, f64, f64)> = nodes
        .iter()
        .map(|n| (n.x, n.y, n.r))
        .chain(
            links
                .iter()
                .filter(|l| !l.on_link.is_empty())
                .map(|l| (l.mx, l.my, TAP_MARK)),
        )
        .collect();
    let segments: Vec<((f64, f64), (f64, f64))> = links.iter().map(|l| ((l.x1, l.y1), (l.x2, l.y2))).collect();
    let mut placed: Vec<TextBox> = Vec::new();
    for node in nodes.iter_mut() {
        let Some((angle, count, font)) = node.ring else {
            continue;
        };
        let free = |space: &TextBox| {
            circles.iter().all(|&(x, y, r)| !space.hits_circle(x, y, r, GAP))
                && segments.iter().all(|&(a, b)| !space.hits_segment(a, b, GAP))
                && placed.iter().all(|other| !space.hits_box(other, GAP))
        };
        let bold = !node.inside.is_empty();
        let found = label_places(node, angle, count, font, bold).find(|(_, space)| free(space));
        if let Some((label, space)) = found {
            node.label = Some(label);
            placed.push(space);
        }
    }
    placed
}

/// The places a node's name may go, best first, each with the box it
/// takes: at each font size, from the ring's own down to
/// [`SMALLEST_FONT`], first flat text beside the node (on a ring of up to
/// [`FLAT_LABELS_UP_TO`] nodes) — away from the hub, then turning round
/// the node, then a little further out — then text along the node's ray
/// (up to [`RADIAL_LABELS_UP_TO`]), then tilted up to 20 degrees either way:
/// between the links that fan out from the hub there is room along a ray
/// where there is none across it. Beyond, none.
fn label_places(
    node: &NodeView,
    angle: f64,
    count: usize,
    font: f64,
    bold: bool,
) -> impl Iterator<Item = (Label, TextBox)> + '_ {
    const FLAT_TURNS: [f64; 12] = [
        0.0, 30.0, -30.0, 60.0, -60.0, 90.0, -90.0, 120.0, -120.0, 150.0, -150.0, 180.0,
    ];
    const RADIAL_TURNS: [f64; 11] = [0.0, 4.0, -4.0, 8.0, -8.0, 12.0, -12.0, 16.0, -16.0, 20.0, -20.0];
    let char_width = if bold { BOLD_CHAR_WIDTH } else { CHAR_WIDTH };
    let chars = node.name.chars().count() as f64;
    let sizes: Vec<f64> = [1.0, 0.85, 0.7]
        .into_iter()
        .map(|k| round(font * k))
        .filter(|size| *size >= SMALLEST_FONT)
        .collect();
    let mut ways: Vec<(bool, f64, f64)> = Vec::new();
    if count <= FLAT_LABELS_UP_TO {
        for distance in [4.0, 12.0] {
            ways.extend(FLAT_TURNS.iter().map(|turn| (true, distance, *turn)));
        }
    }
    if count <= RADIAL_LABELS_UP_TO {
        ways.extend(RADIAL_TURNS.iter().map(|turn| (false, 4.0, *turn)));
    }
    let (x, y, r) = (node.x, node.y, node.r);
    sizes.into_iter().flat_map(move |size| {
        let width = char_width * size * chars;
        let height = (ASCENT + DESCENT) * size;
        ways.clone().into_iter().map(move |(flat, distance, turn)| {
            let theta = angle + f64::to_radians(turn);
            let (cos, sin) = (theta.cos(), theta.sin());
            if flat {
                // The box's nearest side sits `distance` beyond the
                // node's circle, in the direction `theta`.
                let reach = width / 2.0 * cos.abs() + height / 2.0 * sin.abs();
                let (cx, cy) = (x + (r + distance + reach) * cos, y + (r + distance + reach) * sin);
                let (anchor, ax) = if cos > 0.3 {
                    ("start", cx - width / 2.0)
                } else if cos < -0.3 {
                    ("end", cx + width / 2.0)
                } else {
                    ("middle", cx)
                };
                let label = Label {
                    x: round(ax),
                    y: round(cy + height / 2.0 - DESCENT * size),
                    anchor,
                    radial: false,
                    rotate: 0.0,
                    size,
                };
                (label, TextBox::new(cx, cy, width, height, 0.0))
            } else {
                // Text along `theta`, starting just outside the node,
                // centred on its line (dominant-baseline: central). On the
                // left half it would read upside down: it is turned half a
                // circle more and anchored at its end.
                let (sx, sy) = (x + (r + distance) * cos, y + (r + distance) * sin);
                let (cx, cy) = (sx + width / 2.0 * cos, sy + width / 2.0 * sin);
                let left = cos < 0.0;
                let degrees = theta.to_degrees();
                let label = Label {
                    x: round(sx),
                    y: round(sy),
                    anchor: if left { "end" } else { "start" },
                    radial: true,
                    rotate: round(if left { degrees + 180.0 } else { degrees }),
                    size,
                };
                (label, TextBox::new(cx, cy, width, height, theta))
            }
        })
    })
}

/// The smallest box holding every node and every name, so that the map
/// fills its frame whatever the rings hold.
fn view_box(nodes: &[NodeView], names: &[TextBox], rings: &[f64], centre: f64) -> String {
    // The outer ring is drawn whole: a ring cut by the frame looks broken.
    let outer = rings.iter().copied().fold(0.0, f64::max);
    let (mut left, mut top, mut right, mut bottom) = (centre - outer, centre - outer, centre + outer, centre + outer);
    let mut include = |x: f64, y: f64| {
        left = left.min(x);
        right = right.max(x);
        top = top.min(y);
        bottom = bottom.max(y);
    };
    for node in nodes {
        include(node.x - node.r, node.y - node.r);
        include(node.x + node.r, node.y + node.r);
    }
    for (x, y) in names.iter().flat_map(TextBox::corners) {
        include(x, y);
    }
    format!(
        "{} {} {} {}",
        round(left - PADDING),
        round(top - PADDING),
        round(right - left + 2.0 * PADDING),
        round(bottom - top + 2.0 * PADDING)
    )
}

/// The worst exposure of each node, over every actor: content or routing
/// when cables it sent leaked, traffic when an actor that saw encrypted
/// records had an adversary on its link.
fn exposures(report: &RunReport) -> BTreeMap<&str, Exposure> {
    let mut worst: BTreeMap<&str, Exposure> = BTreeMap::new();
    let mut raise = |node: &str, level: Exposure| {
        if let Some(name) = report.network.iter().find(|n| n.name == node).map(|n| n.name.as_str()) {
            let entry = worst.entry(name).or_insert(Exposure::None);
            *entry = (*entry).max(level);
        }
    };
    for actor in &report.actors {
        for (sender, counts) in &actor.by_sender {
            if counts.content > 0 {
                raise(sender, Exposure::Content);
            } else if counts.routing > 0 {
                raise(sender, Exposure::Routing);
            }
        }
        if actor.traffic_frames > 0 {
            let tapped: BTreeSet<&str> = report
                .adversaries
                .iter()
                .filter(|a| a.actor == actor.actor && a.position == Placement::Link)
                .filter_map(|a| a.node.as_deref())
                .collect();
            for node in tapped {
                raise(node, Exposure::Traffic);
            }
        }
    }
    worst
}

/// One decimal is plenty on a 1000-unit drawing, and keeps the file small
/// and identical from run to run.
pub(super) fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
