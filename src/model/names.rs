//! Generated node names: ministries by ISO country code, missions by city.
//!
//! The first 28 ministries are the EU member states of 2018 in alphabetical
//! order of their codes, so `ministries = 28` reproduces COREU's membership
//! (with `cy-mfa`, the ministry phished in 2018, among them).

/// EU-28 (2018) first, then other European foreign ministries.
const COUNTRY_CODES: &[&str] = &[
    "at", "be", "bg", "cy", "cz", "de", "dk", "ee", "es", "fi", "fr", "gr", "hr", "hu", "ie", "it", "lt", "lu", "lv",
    "mt", "nl", "pl", "pt", "ro", "se", "si", "sk", "uk", "no", "ch", "is", "li", "al", "ba", "me", "mk", "rs", "md",
    "ua", "ge", "am", "az", "tr", "ad", "mc", "sm",
];

/// Cities hosting delegations and embassies, roughly by diplomatic weight.
const CITIES: &[&str] = &[
    "washington",
    "moscow",
    "beijing",
    "new-york",
    "geneva",
    "ankara",
    "kyiv",
    "tokyo",
    "new-delhi",
    "brasilia",
    "pretoria",
    "cairo",
    "tel-aviv",
    "riyadh",
    "tehran",
    "islamabad",
    "kabul",
    "baghdad",
    "damascus",
    "beirut",
    "amman",
    "tunis",
    "rabat",
    "algiers",
    "tripoli",
    "abuja",
    "nairobi",
    "addis-ababa",
    "kinshasa",
    "dakar",
    "accra",
    "luanda",
    "maputo",
    "harare",
    "ottawa",
    "mexico-city",
    "havana",
    "bogota",
    "caracas",
    "lima",
    "santiago",
    "buenos-aires",
    "canberra",
    "wellington",
    "jakarta",
    "manila",
    "hanoi",
    "bangkok",
    "kuala-lumpur",
    "singapore",
    "seoul",
    "dhaka",
    "colombo",
    "kathmandu",
    "tashkent",
    "astana",
    "bishkek",
    "baku",
    "tbilisi",
    "yerevan",
    "minsk",
    "chisinau",
    "belgrade",
    "sarajevo",
    "podgorica",
    "skopje",
    "tirana",
    "pristina",
    "doha",
    "abu-dhabi",
    "kuwait",
    "muscat",
    "sanaa",
    "khartoum",
    "juba",
    "mogadishu",
    "kampala",
    "kigali",
    "dar-es-salaam",
    "lusaka",
    "windhoek",
    "gaborone",
    "antananarivo",
    "port-louis",
    "bamako",
    "niamey",
    "ouagadougou",
    "nouakchott",
    "ndjamena",
    "yaounde",
    "libreville",
    "brazzaville",
    "bangui",
    "conakry",
    "freetown",
    "monrovia",
    "abidjan",
    "lome",
    "cotonou",
    "quito",
    "la-paz",
    "asuncion",
    "montevideo",
    "panama",
    "san-jose",
    "managua",
    "tegucigalpa",
    "guatemala",
    "san-salvador",
    "santo-domingo",
    "port-au-prince",
    "kingston",
    "port-of-spain",
    "georgetown",
    "paramaribo",
    "ulaanbaatar",
    "vientiane",
    "phnom-penh",
    "yangon",
    "suva",
    "port-moresby",
    "dushanbe",
    "ashgabat",
    "nicosia",
    "vatican",
    "strasbourg",
    "vienna-osce",
    "brussels-nato",
    "hong-kong",
    "taipei",
    "jerusalem",
    "ramallah",
    "erbil",
    "benghazi",
];

/// `n` ministry names: `at-mfa`, `be-mfa`, ..., then `m47-mfa`, ... once the
/// country codes run out.
pub(crate) fn ministry_names(n: usize) -> impl Iterator<Item = String> {
    (0..n).map(|i| match COUNTRY_CODES.get(i) {
        Some(code) => format!("{code}-mfa"),
        None => format!("m{}-mfa", i + 1),
    })
}

/// `n` mission names: `del-washington`, `del-moscow`, ..., then
/// `post-131`, ... once the cities run out.
pub(crate) fn mission_names(n: usize) -> impl Iterator<Item = String> {
    (0..n).map(|i| match CITIES.get(i) {
        Some(city) => format!("del-{city}"),
        None => format!("post-{}", i + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_valid_at_cablegate_scale() {
        let names: Vec<String> = ministry_names(60).chain(mission_names(274)).collect();
        let unique: BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), 334);
        assert!(names.iter().all(|n| super::super::node::valid_node_name(n)));
    }

    #[test]
    fn eu28_comes_first() {
        let eu: Vec<String> = ministry_names(28).collect();
        assert_eq!(eu.first().map(String::as_str), Some("at-mfa"));
        assert_eq!(eu.last().map(String::as_str), Some("uk-mfa"));
        assert!(eu.iter().any(|n| n == "cy-mfa"));
    }
}
