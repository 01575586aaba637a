//! The material generated cables are made of: topics with subject and
//! paragraph templates in the register of real diplomatic reporting, and
//! the vocabulary that fills their slots.
//!
//! Everything here is invented. Countries, cities and officials are
//! fictional, as in the scenario material of staff exercises, so that
//! trainers can circulate leaked cables without attributing words or deeds
//! to real states or people.
//!
//! Placeholders, written `{name}` inside a template:
//!
//! | name        | becomes                                         |
//! |-------------|-------------------------------------------------|
//! | `country`   | the host or counterpart country                 |
//! | `adj`       | its adjective                                   |
//! | `capital`   | its capital                                     |
//! | `city`      | another of its cities                           |
//! | `third`     | a different country, the third party            |
//! | `official`  | the main interlocutor: title, initial, surname  |
//! | `surname`   | the interlocutor again, on second mention       |
//! | `aide`      | a second, junior interlocutor                   |
//! | `issue`     | the topic as a noun phrase                      |
//! | `date`      | a day and month, e.g. `14 March`                |
//! | `month`     | a month                                         |
//! | `n`, `n2`   | a small count (2-9) and a larger one (10-60)    |
//! | `pct`       | a percentage, e.g. `17 percent`                 |
//! | `amount`    | a sum, e.g. `EUR 340 million`                   |
//! | `big`       | a large count, e.g. `12,400`                    |

use std::fmt::Write as _;

use rand::seq::IndexedRandom;
use rand::{Rng, RngExt};

mod topics;

pub(crate) use topics::{INSTRUCTIONS, TOPICS};

/// A fictional country and the places its cables mention.
#[derive(Debug)]
pub(crate) struct Country {
    pub(crate) name: &'static str,
    pub(crate) adjective: &'static str,
    pub(crate) capital: &'static str,
    pub(crate) cities: &'static [&'static str],
}

/// A subject line and the summary paragraph that opens the same cable:
/// kept together so that the subject announces what the summary reports.
#[derive(Debug)]
pub(crate) struct Story {
    pub(crate) subject: &'static str,
    /// A self-contained "Summary: ... End summary." paragraph.
    pub(crate) summary: &'static str,
}

/// One subject of reporting, with the pieces a cable about it is built from.
#[derive(Debug)]
pub(crate) struct Topic {
    /// The topic as a noun phrase, for the generic instruction paragraphs.
    pub(crate) issue: &'static str,
    /// Titles of the officials a cable on this topic quotes.
    pub(crate) titles: &'static [&'static str],
    /// The stories a cable on this topic can tell.
    pub(crate) stories: &'static [Story],
    /// Middle paragraphs on other developments of the topic; a cable uses
    /// several, never one twice.
    pub(crate) details: &'static [&'static str],
    /// Closing assessments, "Comment: ... End comment."
    pub(crate) comments: &'static [&'static str],
    /// Closing requests from the field to the capital.
    pub(crate) requests: &'static [&'static str],
}

/// Invented states, in the tradition of exercise scenarios.
#[rustfmt::skip] // One country a line keeps the table scannable.
const COUNTRIES: &[Country] = &[
    Country { name: "Karvonia", adjective: "Karvonian", capital: "Velgrad", cities: &["Ostrov", "Brenica", "Dolna Rika"] },
    Country { name: "Ostrelia", adjective: "Ostrelian", capital: "Port Amsel", cities: &["Haldane", "Corrin Bay", "Westmere"] },
    Country { name: "Moravelle", adjective: "Moravellan", capital: "Saint-Arles", cities: &["Vauclaire", "Lisiere", "Port-Hollin"] },
    Country { name: "Tessaria", adjective: "Tessarian", capital: "Lunath", cities: &["Marrow Point", "Esk", "Caddon"] },
    Country { name: "Qadira", adjective: "Qadiri", capital: "Al-Sahra", cities: &["Bir Tamar", "Wadi Nur", "Ras Kahil"] },
    Country { name: "Zembala", adjective: "Zembalan", capital: "Kitoma", cities: &["Ruvuma Falls", "Ngoro", "Mbeto"] },
    Country { name: "Andevia", adjective: "Andevian", capital: "Puerto Cerro", cities: &["San Lucano", "Valdemora", "Tres Rios"] },
    Country { name: "Sorvania", adjective: "Sorvanian", capital: "Drevno", cities: &["Lipa", "Stara Reka", "Gorodets"] },
    Country { name: "Tarsistan", adjective: "Tarsi", capital: "Ashkent", cities: &["Koktal", "Urgand", "Sarybel"] },
    Country { name: "Lusovia", adjective: "Lusovian", capital: "Ribeira", cities: &["Porto Sal", "Alvedo", "Montemar"] },
    Country { name: "Dravonia", adjective: "Dravonian", capital: "Kostel", cities: &["Mirna", "Zelengrad", "Podvrh"] },
    Country { name: "Meridia", adjective: "Meridian", capital: "Solano", cities: &["Vista Alta", "Nueva Tierra", "Calvera"] },
    Country { name: "Varesh", adjective: "Vareshi", capital: "Darabad", cities: &["Sahrabad", "Tal-e Nur", "Kuhpayeh"] },
    Country { name: "Halvoria", adjective: "Halvorian", capital: "Nordvik", cities: &["Eskeby", "Tromsund", "Lindholm"] },
    Country { name: "Calderra", adjective: "Calderran", capital: "Monteverro", cities: &["Isola Bruna", "Ferrante", "Castelrocca"] },
    Country { name: "Yendara", adjective: "Yendaran", capital: "Amari", cities: &["Lake Ondu", "Tumbasi", "Kerewa"] },
];

const SURNAMES: &[&str] = &[
    "Petrova",
    "Varga",
    "Lindqvist",
    "Moreau",
    "Haddad",
    "Okafor",
    "Castellanos",
    "Novak",
    "Brandt",
    "Ivanescu",
    "Demir",
    "Kowalczyk",
    "Aranda",
    "Balogun",
    "Cerny",
    "Dahlberg",
    "Esposito",
    "Fontaine",
    "Grigoryan",
    "Halvorsen",
    "Ibrahimi",
    "Jansen",
    "Kovac",
    "Lazaridis",
    "Marchetti",
    "Nkemelu",
    "Oyelaran",
    "Pereira",
    "Quist",
    "Rahimov",
    "Sandoval",
    "Toivonen",
    "Umarov",
    "Valdivia",
    "Wierzba",
    "Yilmazer",
    "Zanetti",
    "Adeyemi",
    "Bakhtiari",
    "Sorensen",
];

const INITIALS: &[char] = &[
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'R', 'S', 'T', 'V', 'Y', 'Z',
];

const AIDE_TITLES: &[&str] = &[
    "Head of Cabinet",
    "Senior Adviser",
    "Diplomatic Adviser",
    "Deputy Director for Multilateral Affairs",
    "Chief of Staff",
    "Desk Officer for European Affairs",
    "Deputy Spokesperson",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The particulars of one cable: who was met, where, when and how much.
/// Drawn once per cable so that every paragraph tells the same story.
#[derive(Debug)]
pub(crate) struct Scene {
    pub(crate) topic: &'static Topic,
    country: &'static Country,
    third: &'static Country,
    city: &'static str,
    title: &'static str,
    initial: char,
    surname: &'static str,
    aide_title: &'static str,
    aide_initial: char,
    aide_surname: &'static str,
    day_of_month: u32,
    month: &'static str,
    n: u32,
    n2: u32,
    pct: u32,
    amount: u32,
    big: u32,
}

/// `choose` on the non-empty constant tables above; the tests check that
/// none is empty.
pub(crate) fn pick_ref<T, R: Rng + ?Sized>(items: &'static [T], rng: &mut R) -> &'static T {
    items
        .choose(rng)
        .unwrap_or_else(|| unreachable!("template tables are non-empty"))
}

/// [`pick_ref`] for tables of strings and characters.
pub(crate) fn pick<T: Copy, R: Rng + ?Sized>(items: &'static [T], rng: &mut R) -> T {
    *pick_ref(items, rng)
}

/// Two different items of a table with at least two: the second is drawn
/// from one fewer and skips over the first, so no retry loop is needed.
fn pick_two<T, R: Rng + ?Sized>(items: &'static [T], rng: &mut R) -> (&'static T, &'static T) {
    let first = rng.random_range(0..items.len());
    let mut second = rng.random_range(0..items.len() - 1);
    if second >= first {
        second += 1;
    }
    (&items[first], &items[second])
}

impl Scene {
    /// A random topic with random particulars.
    pub(crate) fn draw<R: Rng + ?Sized>(rng: &mut R) -> Scene {
        let topic = pick_ref(TOPICS, rng);
        let (country, third) = pick_two(COUNTRIES, rng);
        let (&surname, &aide_surname) = pick_two(SURNAMES, rng);
        let mut scene = Scene {
            topic,
            country,
            third,
            city: pick(country.cities, rng),
            title: pick(topic.titles, rng),
            initial: pick(INITIALS, rng),
            surname,
            aide_title: pick(AIDE_TITLES, rng),
            aide_initial: pick(INITIALS, rng),
            aide_surname,
            month: pick(MONTHS, rng),
            day_of_month: 0,
            n: 0,
            n2: 0,
            pct: 0,
            amount: 0,
            big: 0,
        };
        scene.vary(rng);
        scene
    }

    /// Draws new figures and a new day of the same month, keeping the
    /// people and places: paragraphs on different events of one story
    /// should not all quote the same numbers.
    pub(crate) fn vary<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.day_of_month = rng.random_range(1..=28);
        self.n = rng.random_range(2..=9);
        self.n2 = rng.random_range(10..=60);
        self.pct = rng.random_range(3..=45);
        self.amount = rng.random_range(1..=95) * 10;
        self.big = rng.random_range(10..=999) * 100;
    }

    /// Appends `template` to `out` with every known slot filled in.
    /// An unknown slot is copied verbatim, so that a typo shows in
    /// the output instead of silently vanishing (the tests reject both).
    pub(crate) fn render(&self, template: &str, out: &mut String) {
        let mut rest = template;
        while let Some((text, after_open)) = rest.split_once('{') {
            out.push_str(text);
            let Some((name, after_close)) = after_open.split_once('}') else {
                out.push('{');
                rest = after_open;
                continue;
            };
            if !self.fill(name, out) {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
            rest = after_close;
        }
        out.push_str(rest);
    }

    /// Writes the value of slot `name`; false if there is none.
    fn fill(&self, name: &str, out: &mut String) -> bool {
        // Writing to a String cannot fail.
        let _ = match name {
            "country" => write!(out, "{}", self.country.name),
            "adj" => write!(out, "{}", self.country.adjective),
            "capital" => write!(out, "{}", self.country.capital),
            "city" => write!(out, "{}", self.city),
            "third" => write!(out, "{}", self.third.name),
            "official" => write!(out, "{} {}. {}", self.title, self.initial, self.surname),
            "surname" => write!(out, "{}", self.surname),
            "aide" => write!(out, "{} {}. {}", self.aide_title, self.aide_initial, self.aide_surname),
            "issue" => write!(out, "{}", self.topic.issue),
            "date" => write!(out, "{} {}", self.day_of_month, self.month),
            "month" => write!(out, "{}", self.month),
            "n" => write!(out, "{}", self.n),
            "n2" => write!(out, "{}", self.n2),
            "pct" => write!(out, "{} percent", self.pct),
            "amount" => write!(out, "EUR {} million", self.amount),
            "big" => write!(out, "{},{:03}", self.big / 1000, self.big % 1000),
            _ => return false,
        };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    const KNOWN: &[&str] = &[
        "country", "adj", "capital", "city", "third", "official", "surname", "aide", "issue", "date", "month", "n",
        "n2", "pct", "amount", "big",
    ];

    fn all_templates() -> impl Iterator<Item = &'static str> {
        TOPICS
            .iter()
            .flat_map(|t| {
                t.stories
                    .iter()
                    .flat_map(|story| [story.subject, story.summary])
                    .chain([t.details, t.comments, t.requests].into_iter().flatten().copied())
            })
            .chain(INSTRUCTIONS.iter().copied())
    }

    #[test]
    fn every_table_is_big_enough_to_vary() {
        assert_eq!(TOPICS.len(), 12);
        for topic in TOPICS {
            assert!(topic.titles.len() >= 4, "{}", topic.issue);
            assert!(topic.stories.len() >= 5, "{}", topic.issue);
            // A cable may use up to four distinct detail paragraphs.
            assert!(topic.details.len() >= 4, "{}", topic.issue);
            assert!(topic.comments.len() >= 2, "{}", topic.issue);
            assert!(topic.requests.len() >= 2, "{}", topic.issue);
        }
        assert!(COUNTRIES.len() >= 2 && COUNTRIES.iter().all(|c| !c.cities.is_empty()));
        assert!(SURNAMES.len() >= 2);
    }

    #[test]
    fn vocabulary_is_ascii() {
        // Subjects are upper-cased byte by byte, as registries print them.
        let words = COUNTRIES
            .iter()
            .flat_map(|c| {
                [c.name, c.adjective, c.capital]
                    .into_iter()
                    .chain(c.cities.iter().copied())
            })
            .chain(SURNAMES.iter().copied())
            .chain(AIDE_TITLES.iter().copied())
            .chain(TOPICS.iter().flat_map(|t| t.titles.iter().copied().chain([t.issue])));
        for word in words {
            assert!(word.is_ascii(), "{word}");
        }
    }

    #[test]
    fn templates_use_only_known_slots_and_ascii() {
        for template in all_templates() {
            assert!(template.is_ascii(), "{template}");
            let mut rest = template;
            while let Some((_, after)) = rest.split_once('{') {
                let (name, tail) = after.split_once('}').expect("unclosed brace");
                assert!(KNOWN.contains(&name), "unknown {{{name}}} in {template}");
                assert!(!name.contains('{'), "nested brace in {template}");
                rest = tail;
            }
            assert!(!rest.contains('}'), "stray brace in {template}");
        }
    }

    #[test]
    fn paragraphs_follow_the_cable_register() {
        for topic in TOPICS {
            for story in topic.stories {
                let s = story.summary;
                assert!(s.starts_with("Summary: ") && s.ends_with(" End summary."), "{s}");
                assert!(story.subject.starts_with("{country}: "), "{}", story.subject);
            }
            for c in topic.comments {
                assert!(c.starts_with("Comment: ") && c.ends_with(" End comment."), "{c}");
            }
            for r in topic.requests.iter().chain(INSTRUCTIONS) {
                assert!(r.starts_with("Action request: "), "{r}");
            }
        }
    }

    #[test]
    fn rendering_fills_every_slot() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..200 {
            let scene = Scene::draw(&mut rng);
            assert_ne!(scene.country.name, scene.third.name);
            assert_ne!(scene.surname, scene.aide_surname);
            for template in all_templates() {
                let mut out = String::new();
                scene.render(template, &mut out);
                assert!(!out.contains('{') && !out.contains('}'), "{out}");
            }
        }
    }

    #[test]
    fn rendering_known_values() {
        let scene = Scene {
            topic: &TOPICS[0],
            country: &COUNTRIES[0],
            third: &COUNTRIES[1],
            city: "Ostrov",
            title: "Deputy Foreign Minister",
            initial: 'A',
            surname: "Petrova",
            aide_title: "Chief of Staff",
            aide_initial: 'B',
            aide_surname: "Varga",
            day_of_month: 14,
            month: "March",
            n: 3,
            n2: 12,
            pct: 17,
            amount: 340,
            big: 12_400,
        };
        let mut out = String::new();
        scene.render(
            "{official} met {aide} in {capital} on {date}: {pct}, {amount}, {big}, {n}/{n2}, {third}, {x}, {open",
            &mut out,
        );
        assert_eq!(
            out,
            "Deputy Foreign Minister A. Petrova met Chief of Staff B. Varga in Velgrad on 14 March: \
             17 percent, EUR 340 million, 12,400, 3/12, Ostrelia, {x}, {open"
        );
    }
}
