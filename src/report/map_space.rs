//! The room a node's name takes on the report's map, and what it must not
//! touch: other nodes, links, tap marks and other names. Names are placed
//! by [`super::map`]; this module only answers "does this box hit that".
//!
//! Text is not measured (the page is rendered by whatever browser opens
//! it): a name's box is estimated from its length and font size, on the
//! generous side, so that a real font fits inside it.

/// The width of an average character of the label font, per unit of font
/// size: a little over the average of common sans-serif fonts, so that a
/// name fits inside the box estimated for it.
pub(super) const CHAR_WIDTH: f64 = 0.6;
/// The same for bold text (the names of nodes with an adversary inside).
pub(super) const BOLD_CHAR_WIDTH: f64 = 0.66;
/// Height of flat text above its baseline, per unit of font size.
pub(super) const ASCENT: f64 = 0.8;
/// Depth of flat text below its baseline, per unit of font size.
pub(super) const DESCENT: f64 = 0.25;
/// Clear space kept between a name and anything else.
pub(super) const GAP: f64 = 2.0;

/// A rectangle, possibly turned: the space a name takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TextBox {
    /// Centre.
    cx: f64,
    cy: f64,
    /// Unit vector along the text.
    ux: f64,
    uy: f64,
    /// Half the length along the text, half the height across it.
    half_w: f64,
    half_h: f64,
}

impl TextBox {
    /// A box of `width` × `height` centred on (`cx`, `cy`), its length
    /// turned `angle` radians from the x axis.
    pub(super) fn new(cx: f64, cy: f64, width: f64, height: f64, angle: f64) -> TextBox {
        TextBox {
            cx,
            cy,
            ux: angle.cos(),
            uy: angle.sin(),
            half_w: width / 2.0,
            half_h: height / 2.0,
        }
    }

    /// (`x`, `y`) in the box's own frame: along the text, then across it.
    fn local(&self, x: f64, y: f64) -> (f64, f64) {
        let (dx, dy) = (x - self.cx, y - self.cy);
        (dx * self.ux + dy * self.uy, -dx * self.uy + dy * self.ux)
    }

    /// The four corners, in order around the box.
    pub(super) fn corners(&self) -> [(f64, f64); 4] {
        let (ax, ay) = (self.ux * self.half_w, self.uy * self.half_w);
        let (bx, by) = (-self.uy * self.half_h, self.ux * self.half_h);
        [
            (self.cx - ax - bx, self.cy - ay - by),
            (self.cx + ax - bx, self.cy + ay - by),
            (self.cx + ax + bx, self.cy + ay + by),
            (self.cx - ax + bx, self.cy - ay + by),
        ]
    }

    /// Whether the box comes within `gap` of a circle.
    pub(super) fn hits_circle(&self, x: f64, y: f64, r: f64, gap: f64) -> bool {
        let (lx, ly) = self.local(x, y);
        let nearest_x = lx.clamp(-self.half_w, self.half_w);
        let nearest_y = ly.clamp(-self.half_h, self.half_h);
        (lx - nearest_x).hypot(ly - nearest_y) < r + gap
    }

    /// Whether the box, grown by `gap` on every side, meets the segment
    /// from (`x1`, `y1`) to (`x2`, `y2`) (Liang–Barsky clipping in the
    /// box's frame).
    pub(super) fn hits_segment(&self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), gap: f64) -> bool {
        let (ax, ay) = self.local(x1, y1);
        let (bx, by) = self.local(x2, y2);
        let (w, h) = (self.half_w + gap, self.half_h + gap);
        let (dx, dy) = (bx - ax, by - ay);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (p, q) in [(-dx, ax + w), (dx, w - ax), (-dy, ay + h), (dy, h - ay)] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
                continue;
            }
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
        true
    }

    /// Whether two boxes come within `gap` of each other (separating axes:
    /// the sides of both).
    pub(super) fn hits_box(&self, other: &TextBox, gap: f64) -> bool {
        let axes = [
            (self.ux, self.uy),
            (-self.uy, self.ux),
            (other.ux, other.uy),
            (-other.uy, other.ux),
        ];
        let (a, b) = (self.corners(), other.corners());
        let project = |corners: &[(f64, f64); 4], (ax, ay): (f64, f64)| {
            corners
                .iter()
                .map(|(x, y)| x * ax + y * ay)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p), hi.max(p)))
        };
        axes.into_iter().all(|axis| {
            let (alo, ahi) = project(&a, axis);
            let (blo, bhi) = project(&b, axis);
            alo < bhi + gap && blo < ahi + gap
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::FRAC_PI_4;

    #[test]
    fn a_flat_box_meets_what_crosses_it_and_not_what_passes_by() {
        // 20 × 10, from (0, 0) to (20, 10).
        let b = TextBox::new(10.0, 5.0, 20.0, 10.0, 0.0);
        assert_eq!(b.corners(), [(0.0, 0.0), (20.0, 0.0), (20.0, 10.0), (0.0, 10.0)]);
        assert!(b.hits_circle(25.0, 5.0, 6.0, 0.0), "a circle reaching 1 unit into it");
        assert!(!b.hits_circle(25.0, 5.0, 4.0, 0.0), "a circle 1 unit short of it");
        assert!(b.hits_circle(25.0, 5.0, 4.0, 2.0), "but within a gap of 2");
        assert!(b.hits_segment((-5.0, 5.0), (30.0, 5.0), 0.0), "a line straight through");
        assert!(b.hits_segment((5.0, 2.0), (6.0, 3.0), 0.0), "a line wholly inside");
        assert!(!b.hits_segment((-5.0, 12.0), (30.0, 12.0), 0.0), "a line 2 units below");
        assert!(
            b.hits_segment((-5.0, 12.0), (30.0, 12.0), 2.5),
            "but within a gap of 2.5"
        );
        assert!(
            !b.hits_segment((21.0, -5.0), (30.0, 20.0), 0.0),
            "a diagonal past its corner"
        );
        assert!(
            b.hits_box(&TextBox::new(25.0, 5.0, 12.0, 4.0, 0.0), 0.0),
            "overlapping by 1"
        );
        assert!(!b.hits_box(&TextBox::new(27.0, 5.0, 12.0, 4.0, 0.0), 0.0), "1 apart");
    }

    #[test]
    fn a_turned_box_is_tested_in_its_own_frame() {
        // A 2√2-wide square turned 45°: a diamond reaching 2 from its centre.
        let side = 2.0 * 2.0_f64.sqrt();
        let diamond = TextBox::new(0.0, 0.0, side, side, FRAC_PI_4);
        assert!(diamond.hits_circle(2.5, 0.0, 0.6, 0.0), "near its right tip");
        assert!(
            !diamond.hits_circle(1.6, 1.6, 0.5, 0.0),
            "the corner a flat box would have"
        );
        assert!(
            diamond.hits_segment((1.9, -3.0), (1.9, 3.0), 0.0),
            "a vertical line by the tip"
        );
        assert!(
            !diamond.hits_segment((2.1, -3.0), (2.1, 3.0), 0.0),
            "a vertical line past the tip"
        );
        let flat = TextBox::new(3.0, 1.6, 2.0, 2.0, 0.0);
        assert!(
            !diamond.hits_box(&flat, 0.0),
            "a flat box by its side, where only a flat box would meet"
        );
        assert!(
            diamond.hits_box(&TextBox::new(2.5, 0.0, 2.0, 0.5, 0.0), 0.0),
            "a box over its tip"
        );
    }
}
