//! The text of a generated cable: which paragraphs it has, and how they
//! are laid out around the marking, the signature and the canary.

use std::fmt::Write as _;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::model::canary::TOKEN_LEN;
use crate::model::templates::{INSTRUCTIONS, Scene, Story, Topic, pick};
use crate::model::{Classification, Role};

/// The paragraphs of one cable, in order: a summary, one to three details,
/// then optionally a comment and a closing request or instruction; three
/// to six in all.
pub(super) struct Outline {
    paragraphs: [&'static str; 6],
    len: usize,
}

impl Outline {
    pub(super) fn draw(rng: &mut ChaCha8Rng, topic: &'static Topic, story: &'static Story, sender: Role) -> Outline {
        // Capitals send instructions; missions ask them for guidance.
        let (closing_chance, closings) = match sender {
            Role::Hq => (1.0, INSTRUCTIONS),
            Role::Ministry => (0.6, INSTRUCTIONS),
            _ => (0.45, topic.requests),
        };
        let closing = rng.random_bool(closing_chance);
        let comment = rng.random_bool(0.7);
        // Enough details to reach three paragraphs without the optional ones.
        let details = rng
            .random_range(1..=3usize)
            .max(2 - usize::from(comment) - usize::from(closing));

        let mut outline = Outline {
            paragraphs: [""; 6],
            len: 0,
        };
        outline.push(story.summary);
        let mut chosen = [usize::MAX; 3];
        for k in 0..details {
            chosen[k] = loop {
                let i = rng.random_range(0..topic.details.len());
                if !chosen[..k].contains(&i) {
                    break i;
                }
            };
            outline.push(topic.details[chosen[k]]);
        }
        if comment {
            outline.push(pick(topic.comments, rng));
        }
        if closing {
            outline.push(pick(closings, rng));
        }
        outline
    }

    fn push(&mut self, paragraph: &'static str) {
        self.paragraphs[self.len] = paragraph;
        self.len += 1;
    }
}

/// The body: marking, subject, numbered paragraphs, signature and canary.
pub(super) fn write_body(
    rng: &mut ChaCha8Rng,
    mut scene: Scene,
    outline: &Outline,
    classification: Classification,
    from: &str,
    subject: &str,
    canary: &str,
) -> String {
    let mark = portion_mark(classification);
    let mut body = String::with_capacity(2600);
    body.push_str(classification.marking());
    body.push_str("\n\nSUBJECT: ");
    body.push_str(subject);
    body.push_str("\n\n");
    for (number, paragraph) in outline.paragraphs[..outline.len].iter().enumerate() {
        // The summary repeats the subject's figures; later paragraphs
        // report other events and get their own.
        if number > 0 {
            scene.vary(rng);
        }
        // Writing to a String cannot fail.
        let _ = write!(body, "{}. ({mark}) ", number + 1);
        scene.render(paragraph, &mut body);
        body.push_str("\n\n");
    }
    let signature_start = body.len();
    body.push_str(from);
    body[signature_start..].make_ascii_uppercase();
    body.push_str("\n\nRegistry reference: ");
    debug_assert_eq!(canary.len(), TOKEN_LEN);
    body.push_str(canary);
    body.push('\n');
    body
}

/// The mark opening each paragraph, as registries portion-mark them.
pub(super) fn portion_mark(level: Classification) -> &'static str {
    match level {
        Classification::Unclassified => "U",
        Classification::Limite => "LIM",
        Classification::Restricted => "R",
        Classification::Confidential => "C",
        Classification::Secret => "S",
    }
}
