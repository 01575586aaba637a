//! The geometry of the HTML report's network map (DESIGN §10): the hub in
//! the middle, hq, ministries and missions on circles around it, and what
//! each node and link is to colour. Only coordinates and classes are
//! computed here; the SVG markup lives in `templates/report.html.j2`.

use std::collections::{BTreeMap, BTreeSet};
use std::f64::consts::PI;

use serde::Serialize;

use super::{Placement, RunReport};
use crate::model::Role;

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
/// The width of an average character of the label font, per unit of font
/// size: enough to keep a name inside the drawing without measuring it.
const CHAR_WIDTH: f64 = 0.6;
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
}

#[derive(Debug, Serialize)]
struct Label {
    x: f64,
    y: f64,
    anchor: &'static str,
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
                label: label(count, centre, radius + node_radius + 6.0, angle, round(font)),
            });
        }
    }
    // A network has one hub and nodes of these three roles only, so every
    // node of the report is drawn exactly once.
    MapView {
        view_box: view_box(&nodes, &radii, centre),
        centre,
        rings: radii,
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

/// Where a node's name goes, if its ring has room for names.
fn label(count: usize, centre: f64, distance: f64, angle: f64, size: f64) -> Option<Label> {
    let (cos, sin) = (angle.cos(), angle.sin());
    if count <= FLAT_LABELS_UP_TO {
        let anchor = if cos > 0.3 {
            "start"
        } else if cos < -0.3 {
            "end"
        } else {
            "middle"
        };
        // Text sits on its baseline: below a node it needs a line's height.
        let drop = if sin > 0.3 { size * 0.8 } else { size * 0.3 };
        return Some(Label {
            x: round(centre + distance * cos),
            y: round(centre + distance * sin + drop),
            anchor,
            rotate: 0.0,
            size,
        });
    }
    if count <= RADIAL_LABELS_UP_TO {
        // On the left half, text turned by the angle would read upside
        // down: turn it half a circle more and anchor it at its end.
        let degrees = angle.to_degrees();
        let left = cos < 0.0;
        return Some(Label {
            x: round(centre + distance * cos),
            y: round(centre + distance * sin),
            anchor: if left { "end" } else { "start" },
            rotate: round(if left { degrees + 180.0 } else { degrees }),
            size,
        });
    }
    None
}

/// The smallest box holding every node and every name, estimated from
/// the names' lengths, so that the map fills its frame whatever the rings
/// hold.
fn view_box(nodes: &[NodeView], rings: &[f64], centre: f64) -> String {
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
        let Some(label) = &node.label else { continue };
        let width = CHAR_WIDTH * label.size * node.name.chars().count() as f64;
        if label.rotate == 0.0 {
            let x0 = match label.anchor {
                "start" => label.x,
                "end" => label.x - width,
                _ => label.x - width / 2.0,
            };
            include(x0, label.y - label.size);
            include(x0 + width, label.y + 0.3 * label.size);
        } else {
            // Radial text runs away from the hub along the node's ray.
            let (dx, dy) = (label.x - centre, label.y - centre);
            let length = dx.hypot(dy).max(1.0);
            include(label.x + width * dx / length, label.y + width * dy / length);
        }
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
