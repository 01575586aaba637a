//! The topics of generated cables: for each, the stories a cable can
//! tell, the paragraphs that fill it out and the way it closes. The
//! slots are those listed in the parent module.

use super::{Story, Topic};

/// Closing paragraphs for cables that go out from a capital: instructions
/// rather than requests for guidance.
pub(crate) const INSTRUCTIONS: &[&str] = &[
    "Action request: Posts are instructed to deliver the points above on {issue} at the appropriate level by {date} and to report reactions by cable.",
    "Action request: Addressees are requested to consult host authorities on {issue} and to report by {date}, indicating in particular any readiness to co-sponsor.",
    "Action request: Addressees should draw on this cable in contacts on {issue} but should not hand over a non-paper. Reporting is requested before the working party of {date}.",
    "Action request: Addressees are invited to submit comments on {issue} through the usual channels by {date}. Absent comments, the text will be taken as agreed.",
    "Action request: Posts should not raise {issue} on their own initiative. If approached, they may draw on the points above and should report any substantive reaction.",
];

/// Twelve subjects of reporting, from bilateral consultations to human
/// rights.
pub(crate) const TOPICS: &[Topic] = &[
    // Bilateral meetings and political consultations.
    Topic {
        issue: "the next round of political consultations",
        titles: &[
            "Deputy Foreign Minister",
            "Political Director",
            "State Secretary for Foreign Affairs",
            "Director-General for Europe",
        ],
        stories: &[
            Story {
                subject: "{country}: Political consultations with {official} on {date}",
                summary: "Summary: In political consultations in {capital} on {date}, {official} reviewed the full bilateral agenda and pressed for a firm date for the Foreign Minister's visit. {surname} was cordial but guarded on {third}, repeating public lines almost verbatim. End summary.",
            },
            Story {
                subject: "{country}: {adj} side seeks upgrade of bilateral dialogue",
                summary: "Summary: {official} used the Ambassador's introductory call to signal that {capital} wants a structured annual dialogue with us, including a working group on regional security. The request reflects {adj} unease about growing dependence on {third}. End summary.",
            },
            Story {
                subject: "{country}: Consultations in {capital} produce no deliverables",
                summary: "Summary: The {adj} side arrived at the consultations of {date} with a long list of requests and little to offer in return. Apart from agreement to resume the stalled readmission talks, the session produced no deliverables. End summary.",
            },
            Story {
                subject: "{country}: Readout of Ambassador's introductory call on {official}",
                summary: "Summary: The Ambassador paid an introductory call on {official} on {date}. {surname} was welcoming, recalled {n} years of service in our capital and signalled interest in closer cooperation on connectivity, but steered away from any discussion of {third}. End summary.",
            },
            Story {
                subject: "{country}: Preparations for the Foreign Minister's visit in {month}",
                summary: "Summary: {official} confirmed on {date} that {capital} would welcome the Foreign Minister in {month} and proposed a programme including the President, the Prime Minister and a business forum in {city}. The {adj} side hopes to sign {n} agreements; only two are ready. End summary.",
            },
        ],
        details: &[
            "{official}, accompanied by {aide}, opened by stressing that relations were at their best level in {n} years. {surname} listed three priorities: an early ministerial visit, easier visa procedures for {adj} business travellers, and support for the {adj} candidacy for a non-permanent seat.",
            "On {third}, {surname} said {capital} would 'neither join nor obstruct' further measures and argued that dialogue offered the only way to influence events. Pressed on reports of {adj} firms supplying dual-use goods, {surname} claimed to have no information and promised to follow up.",
            "{aide} told PolOff on the margins that the presidency, not the Foreign Ministry, now sets the line on {third}, and that {surname} has limited room for manoeuvre before the cabinet reshuffle expected in {month}.",
            "The Ambassador raised the delayed accreditation of {n} Delegation staff and the pending request to open a consular office in {city}. {surname} undertook to resolve both before the visit, a commitment we have heard twice before.",
            "Both sides agreed to hold the next round in our capital in {month}, preceded by expert talks on connectivity and energy. The {adj} side will table a draft roadmap; we should expect it to be long on aspirations and short on commitments.",
        ],
        comments: &[
            "Comment: {surname} is an experienced interlocutor and stayed carefully within instructions. The warmth of the tone should not obscure the absence of movement on any of our core concerns. End comment.",
            "Comment: The push for a structured dialogue is genuine, but {capital} will use it mainly to show that it has options beyond {third}. We should agree in principle while setting clear benchmarks. End comment.",
            "Comment: We assess that the {adj} leadership has not yet decided how far to distance itself from {third}. Until it does, consultations at this level will produce atmospherics rather than results. End comment.",
        ],
        requests: &[
            "Action request: Delegation requests guidance on whether HQ can offer a date for the ministerial visit in {month}, and on the line to take on the proposed working group.",
            "Action request: None. Delegation will report further after the expert talks in {city}.",
        ],
    },
    // Sanctions and their circumvention.
    Topic {
        issue: "the implementation of restrictive measures",
        titles: &[
            "Deputy Minister of Finance",
            "Head of the Sanctions Coordination Unit",
            "Director of the Export Control Agency",
            "Deputy Governor of the Central Bank",
        ],
        stories: &[
            Story {
                subject: "{country}: Sanctions circumvention through the {city} free zone",
                summary: "Summary: Trade data obtained by the Delegation show {adj} exports of listed dual-use items to {third} rising by {pct} in the last quarter, most of them routed through the {city} free zone. {official} acknowledged the figures but attributed them to 'statistical artefacts'. End summary.",
            },
            Story {
                subject: "{country}: {adj} reaction to the latest package of restrictive measures",
                summary: "Summary: {official} told the Ambassador on {date} that {country} will not align with the latest package but will 'not allow its territory to be used for circumvention'. Officials privately concede that enforcement capacity is thin. End summary.",
            },
            Story {
                subject: "{country}: Demarche on re-export of dual-use items delivered",
                summary: "Summary: Delegation delivered the demarche on re-export of controlled items on {date}. {official} undertook to examine the {n2} companies named in our non-paper and to report back within {n} weeks. End summary.",
            },
            Story {
                subject: "{country}: Central Bank tightens oversight of correspondent accounts",
                summary: "Summary: {official} told the Delegation on {date} that the Central Bank has ordered enhanced due diligence on all payments involving {third} and will audit {n} banks by {month}. Bankers confirm the instruction but expect enforcement to be selective. End summary.",
            },
            Story {
                subject: "{country}: Business community lobbies for sanctions exemptions",
                summary: "Summary: Representatives of the {adj} chamber of commerce, joined by {official}, asked the Ambassador on {date} for help in obtaining exemptions for {n2} firms exposed to secondary sanctions, which they say have cost members {amount}. The request will reach HQ through several channels. End summary.",
            },
        ],
        details: &[
            "According to {official}, {n} of the companies on our list have already been deregistered, while the remainder 'are being examined by the competent authorities'. {surname} declined to say which authority, and {aide} later admitted that no investigation had been opened.",
            "Customs statistics show imports of machine tools from our member states up {pct} year on year, while re-exports to {third} rose almost in step. Freight forwarders in {city} openly advertise 'compliant routing' for a fee of a few percent of cargo value.",
            "The Central Bank has instructed commercial banks to apply enhanced due diligence to payments involving {third}, and at least {n} banks have closed correspondent accounts. Bankers told us the measures are real but enforced selectively against smaller institutions.",
            "{surname} complained that the listing of a {adj} logistics firm in the last package was based on 'outdated information' and asked for the evidence to be shared. The Ambassador explained the procedure for requesting a review and offered a technical meeting with the sanctions unit.",
            "Representatives of the {adj} chamber of commerce estimate losses from secondary sanctions risk at {amount} and are lobbying for a licensing regime modelled on ours. They see the Delegation as an ally and will seek a meeting before {date}.",
        ],
        comments: &[
            "Comment: The {adj} government wants to keep access to our market without paying the political price of alignment. Targeted listings of the main intermediaries in {city} would change that calculation faster than further demarches. End comment.",
            "Comment: Enforcement will stay patchy while the customs service is understaffed and the free zone is run by interests close to the presidency. Capacity-building offers may be welcome but should be conditioned on data sharing. End comment.",
            "Comment: {surname}'s response was more forthcoming than on previous occasions, which we attribute to the recent listing of a {adj} bank. The pressure appears to be working. End comment.",
        ],
        requests: &[
            "Action request: Delegation recommends that the {n} entities identified above be considered for listing in the next package, and requests authorisation to share the underlying trade data with the {adj} authorities.",
            "Action request: Delegation requests guidance on whether to offer the technical meeting proposed by {surname} before the review deadline of {date}.",
        ],
    },
    // Trade negotiations.
    Topic {
        issue: "the free trade negotiations",
        titles: &[
            "Chief Trade Negotiator",
            "Deputy Minister of Economy",
            "Director-General for External Trade",
            "Minister of Agriculture",
        ],
        stories: &[
            Story {
                subject: "{country}: Trade negotiating round ends without agreement on agriculture",
                summary: "Summary: The negotiating round held in {capital} from {date} closed {n} chapters but stalled on agricultural market access and geographical indications. {official} warned that without movement on beef quotas the {adj} side could not sign this year. End summary.",
            },
            Story {
                subject: "{country}: Steel safeguard measures threaten {amount} in exports",
                summary: "Summary: {country} has notified safeguard duties of {pct} on flat steel, affecting exports worth an estimated {amount} a year. {official} described the measure as temporary and WTO-consistent; our industry disagrees. End summary.",
            },
            Story {
                subject: "{country}: {adj} negotiators harden position on procurement chapter",
                summary: "Summary: {official} told the Ambassador on {date} that the government is ready to conclude the agreement before the summit in {month}, provided the procurement chapter allows a local-content preference for state enterprises. End summary.",
            },
            Story {
                subject: "{country}: Readout of Trade Commissioner's call with {official}",
                summary: "Summary: In a call with the Trade Commissioner on {date}, {official} proposed to conclude the negotiations at the summit in {month} on the basis of a 'balanced package': our offer on beef quotas in exchange for {adj} movement on car tariffs. The Commissioner took note without commitment. End summary.",
            },
            Story {
                subject: "{country}: Farm lobby mobilises against tariff rate quotas",
                summary: "Summary: Some {big} farmers demonstrated in {capital} on {date} against the tariff rate quotas under negotiation. {official} told the Ambassador that the government would 'not sacrifice the dairy sector', narrowing the negotiators' margin before the next round. End summary.",
            },
        ],
        details: &[
            "On agriculture, the {adj} side offered a tariff rate quota of {big} tonnes for poultry, well below our request, and linked any improvement to our acceptance of its sanitary certification system. Negotiators noted that the offer had been cleared personally by the Minister of Agriculture.",
            "Progress was made on rules of origin, customs facilitation and technical barriers to trade. The procurement chapter remains bracketed throughout; the {adj} team insists on a price preference of {pct} for domestic suppliers in large public tenders.",
            "{official} argued that the safeguard was needed to protect {big} jobs in the steel town of {city}, where the ruling party faces a difficult by-election in {month}. {surname} hinted that the measure could be lifted once the election had passed.",
            "Business representatives in {capital} told us that non-tariff barriers, notably slow customs clearance in {city} and arbitrary labelling rules, cost them more than the tariffs under negotiation. They asked that these be raised at the next round.",
            "Farm unions brought some {big} people to a demonstration outside the Ministry of Agriculture on {date}, demanding that the government not trade away the dairy sector. {aide} described the protest as manageable but acknowledged that it narrows the negotiators' margin.",
        ],
        comments: &[
            "Comment: The {adj} side wants the political win of concluding the negotiations but has not prepared its domestic constituencies for the concessions required. An offer on geographical indications could unlock agriculture. End comment.",
            "Comment: The steel safeguard is primarily an electoral device. A measured response, such as requesting WTO consultations without immediate rebalancing, would leave room for a quiet withdrawal after {month}. End comment.",
            "Comment: We judge that a deal remains possible this year, but only if the procurement issue is raised to ministerial level before the next round. End comment.",
        ],
        requests: &[
            "Action request: Delegation requests instructions on whether the negotiators may table a revised offer on geographical indications at the next round.",
            "Action request: Delegation recommends raising the safeguard duties at the next WTO Safeguards Committee and requests HQ views by {date}.",
        ],
    },
    // Nuclear talks.
    Topic {
        issue: "the nuclear talks",
        titles: &[
            "Chief Nuclear Negotiator",
            "Head of the Atomic Energy Organisation",
            "Deputy Foreign Minister for Legal Affairs",
            "Permanent Representative to the international organisations",
        ],
        stories: &[
            Story {
                subject: "{country}: {official} on prospects for the next round of nuclear talks",
                summary: "Summary: {official} told the Ambassador on {date} that {country} is prepared to cap enrichment at current levels in exchange for the release of frozen assets worth {amount}. The offer is an incremental step, not the comprehensive package the talks envisage. End summary.",
            },
            Story {
                subject: "{country}: Enrichment at {city} facility exceeds declared limits",
                summary: "Summary: The latest inspection report records that {country} has accumulated {big} kilograms of enriched uranium, {pct} above the agreed ceiling, and that monitoring cameras at the {city} site have been offline for {n} weeks. End summary.",
            },
            Story {
                subject: "{country}: Nuclear negotiators agree on verification sequencing",
                summary: "Summary: Technical talks in {capital} from {date} produced agreement on the sequencing of verification steps but not on sanctions relief. {official} insisted that relief must precede, not follow, the restoration of monitoring. End summary.",
            },
            Story {
                subject: "{country}: Inspectors denied access to {city} site",
                summary: "Summary: Inspectors were refused entry to the {city} site on {date}, the latest of {n} denials this year. {official} told the Ambassador that the visit had not been 'properly notified'; the inspectorate says notice was given {n2} days in advance. End summary.",
            },
            Story {
                subject: "{country}: Parliament bill to curtail cooperation with inspectors",
                summary: "Summary: A bill tabled in parliament on {date} would suspend cooperation with inspectors unless sanctions are lifted within {n} months. {official} described it as posturing, but it has majority support in committee and could pass before {month}. End summary.",
            },
        ],
        details: &[
            "{surname} said the {adj} side would restore inspector access to {city} 'within days' of agreement on a first phase, but refused to commit to the additional protocol, calling it 'a matter for a later stage and a different government'.",
            "According to diplomatic sources in {capital}, the National Security Council approved the negotiating mandate on {date} over the objections of the defence establishment, which argues that any cap on enrichment concedes a sovereign right.",
            "The inspectorate reports that {n2} cascades of advanced centrifuges are now installed at {city}, of which {n} are operating. The {adj} authorities informed the inspectors only days before installation, rather than at the design stage as required.",
            "{aide} told PolOff that the negotiators fear being 'outflanked at home' if they return without a tangible economic benefit, and that a humanitarian channel for medicine imports would give them the cover they need.",
            "Hardliners in parliament have tabled {n} motions this year to curtail cooperation with inspectors. None has passed, but each has narrowed the negotiators' room for manoeuvre.",
        ],
        comments: &[
            "Comment: The offer is designed to test our unity rather than to resolve the file. We should avoid being drawn into bilateral bargaining on asset releases outside the agreed format. End comment.",
            "Comment: The combination of expanded enrichment and reduced monitoring is the most serious since the talks began. Absent a response at the next Board meeting, {country} is likely to conclude that further steps carry no cost. End comment.",
            "Comment: {surname} appeared genuinely interested in a first-phase deal. Whether the wider leadership shares that interest remains unclear. End comment.",
        ],
        requests: &[
            "Action request: Delegation requests guidance ahead of the Board meeting of {date} on whether to support a resolution censuring the suspension of monitoring.",
            "Action request: Delegation recommends a joint demarche with like-minded partners before {date} and requests authorisation to share the inspectorate's findings with {third}.",
        ],
    },
    // Migration.
    Topic {
        issue: "migration cooperation",
        titles: &[
            "Deputy Minister of the Interior",
            "Director of the Border Police",
            "State Secretary for Migration",
            "Head of the Coast Guard",
        ],
        stories: &[
            Story {
                subject: "{country}: Irregular departures from {city} up {pct} in {month}",
                summary: "Summary: Departures by sea from the {city} area rose by {pct} in {month}, with some {big} people reaching our shores. {official} attributed the increase to smuggling networks displaced from {third} and asked for additional patrol vessels. End summary.",
            },
            Story {
                subject: "{country}: Government links migration cooperation to visa facilitation",
                summary: "Summary: {official} told the Ambassador on {date} that {country} is ready to sign the readmission agreement if it comes with visa facilitation for students and business travellers. The linkage is now explicit government policy. End summary.",
            },
            Story {
                subject: "{country}: Conditions in {city} reception centre deteriorate",
                summary: "Summary: A Delegation visit to the {city} reception centre on {date} found some {big} people in a facility built for a fraction of that number, with insufficient water and no access to asylum procedures. End summary.",
            },
            Story {
                subject: "{country}: Readmission talks resume after {n}-month pause",
                summary: "Summary: Readmission talks resumed in {capital} on {date} after a pause of {n} months. {official} agreed to organise identification missions for {n2} pending cases but rejected any commitment on charter flights. End summary.",
            },
            Story {
                subject: "{country}: Coast guard capacity-building project stalls",
                summary: "Summary: The coast guard project funded at {amount} has delivered only {n} of the planned vessels and is {n2} months behind schedule. {official} blamed a dispute between the Interior and Defence ministries over who will operate them. End summary.",
            },
        ],
        details: &[
            "{surname} said {n} smuggling networks had been dismantled this year but that corruption in the local police and the port authority made sustained enforcement difficult, and asked for {n2} additional patrol boats and training for border guards.",
            "The {adj} side returned only {n2} of the {big} persons whose return was requested in the past year, citing identification difficulties. {aide} acknowledged that identification missions had been 'deprioritised' pending progress on visas.",
            "UN agencies in {capital} estimate that {big} migrants, mostly from {third}, are now in the country, many working informally in agriculture. Public hostility is rising, and the opposition has made migration central to its campaign.",
            "Smugglers in {city} now charge about {n},000 euros per crossing, {pct} more than a year ago, and increasingly use large fishing vessels that the coast guard cannot intercept at sea.",
            "Conditions in the centre have deteriorated since the budget cuts of {month}. Staff told us that medical care is provided by a single NGO doctor and that unaccompanied minors are held with adults.",
        ],
        comments: &[
            "Comment: {country} has learned that migration cooperation is its strongest lever with us and will keep using it. A package combining visa facilitation for limited categories with firm return commitments is the most realistic way forward. End comment.",
            "Comment: The deterioration in reception conditions creates reputational risk for our funding. We should condition the next tranche on independent monitoring. End comment.",
        ],
        requests: &[
            "Action request: Delegation requests HQ views on the linkage between readmission and visa facilitation before the senior officials' meeting of {date}.",
            "Action request: Delegation recommends that the next funding tranche of {amount} be released only after an independent assessment of the {city} centre.",
        ],
    },
    // Energy security.
    Topic {
        issue: "energy supply diversification",
        titles: &[
            "Minister of Energy",
            "Chief Executive of the state gas company",
            "Deputy Minister for Energy Security",
            "Director of the Grid Operator",
        ],
        stories: &[
            Story {
                subject: "{country}: Gas transit contract with {third} expires in {month}",
                summary: "Summary: With the transit contract with {third} expiring in {month}, {official} told the Ambassador that {country} has secured only {pct} of its winter gas needs from alternative sources. Storage stands at {n2} percent of capacity. End summary.",
            },
            Story {
                subject: "{country}: Interconnector to {city} terminal delayed",
                summary: "Summary: The {city} LNG interconnector, presented as the centrepiece of diversification, is at least {n} months behind schedule and {pct} over budget. {official} blamed a contractor dispute; others point to interests tied to {third}. End summary.",
            },
            Story {
                subject: "{country}: Government seeks financing for nuclear plant life extension",
                summary: "Summary: {official} asked on {date} for support from our development bank for a loan of {amount} to extend the life of the {city} nuclear plant. The request signals a shift away from the earlier coal-to-gas strategy. End summary.",
            },
            Story {
                subject: "{country}: Winter supply outlook and storage levels",
                summary: "Summary: Gas storage stood at {n2} percent of capacity on {date}, against a target of ninety. {official} said supply was secure for a normal winter, but the grid operator has prepared rotating outages of up to {n} hours a day for a cold one. End summary.",
            },
            Story {
                subject: "{country}: Grid synchronisation timetable slips",
                summary: "Summary: {official} told the Ambassador on {date} that synchronisation of the {adj} grid with ours will slip by at least {n} months, because {n2} kilometres of interconnection lines are not yet built. {third} has offered emergency supply in the meantime. End summary.",
            },
        ],
        details: &[
            "{surname} said the state gas company had contracted {n2} LNG cargoes through the {city} terminal and was negotiating pipeline volumes with {third}. Prices, {surname} admitted, would be {pct} above last winter's, with the difference met from the budget.",
            "The grid operator has prepared a rotating load-shedding plan of up to {n} hours a day in a cold snap. Officials asked that the plan not be made public; its existence is nonetheless widely rumoured in {capital}.",
            "Industry sources told us that intermediaries linked to {third} still control access to the main storage facility near {city}, and that the third-party access rules adopted last year have not been implemented.",
            "Financing of {amount} for the interconnector is in place, but a court in {city} annulled its environmental permit on {date}. A new assessment will take at least {n} months.",
            "{aide} confirmed that the government would seek a licence extension of {n2} years for the plant and that the regulator's safety review was 'a formality'. Independent experts we consulted are less sanguine.",
        ],
        comments: &[
            "Comment: {country} remains one cold winter away from a supply crisis that {third} would be well placed to exploit. Accelerating the interconnector should take priority over new studies. End comment.",
            "Comment: The financing request deserves consideration, but support should depend on an independent safety review and on implementation of third-party access rules. End comment.",
        ],
        requests: &[
            "Action request: Delegation requests guidance on the reply to the request for development bank financing, which {surname} intends to raise with the Commissioner on {date}.",
            "Action request: Delegation recommends that emergency gas supply be placed on the agenda of the next energy security working party.",
        ],
    },
    // Elections.
    Topic {
        issue: "the electoral process",
        titles: &[
            "Chair of the Central Election Commission",
            "Opposition Leader",
            "Head of the Presidential Administration",
            "Secretary-General of the ruling party",
        ],
        stories: &[
            Story {
                subject: "{country}: Pre-election assessment {n} weeks before the vote",
                summary: "Summary: With {n} weeks to go before the elections in {month}, the campaign is taking place in a restrictive environment. The Central Election Commission has rejected {n2} opposition candidates on technical grounds, and state media coverage overwhelmingly favours the incumbent. End summary.",
            },
            Story {
                subject: "{country}: Preliminary results and post-election outlook",
                summary: "Summary: Preliminary results give the ruling party a large majority, well above independent exit polls. Observers documented ballot stuffing in the {city} region and the opposition has called supporters to protest in {capital} on {date}. End summary.",
            },
            Story {
                subject: "{country}: Arrests of opposition campaign staff in {city}",
                summary: "Summary: {official} assured the Ambassador on {date} that the elections would meet international standards and that observers would have full access. The assurance came a day after the arrest of {n} opposition campaign staff in {city}. End summary.",
            },
            Story {
                subject: "{country}: Opposition candidate barred from presidential race",
                summary: "Summary: The Central Election Commission on {date} refused to register the main opposition candidate, citing irregularities in {big} signatures. {official} called the decision 'a legal matter'; the opposition calls it the end of a competitive election. End summary.",
            },
            Story {
                subject: "{country}: Media environment ahead of elections in {month}",
                summary: "Summary: Monitoring by the Delegation shows that state television gave opposition candidates less than {pct} of prime-time coverage in the first weeks of the campaign for the elections in {month}. {official} dismissed the figures, saying private channels were 'free to cover whomever they like'. End summary.",
            },
        ],
        details: &[
            "The Commission disqualified the main opposition candidate over alleged irregularities in {big} of the signatures submitted. Our legal analysis suggests that the same standard, applied consistently, would have disqualified the incumbent as well.",
            "Observers deployed by the Delegation visited {n2} polling stations in the {city} region. In {n} of them they witnessed group voting or ballot stuffing, and in several they were asked to leave before the count.",
            "{official} told us that the opposition would accept the result only if the margin in {capital} was credible, and that protests would be 'peaceful but sustained'. {surname} asked that the Delegation attend the opposition press conference on {date}.",
            "Independent media report that public sector employees in {city} have been instructed to photograph their ballots. The practice was confirmed to PolOff by {n} separate sources.",
            "The security services have deployed additional units to {capital}, and internet disruptions were reported on election night. {aide} described the measures as 'routine precautions'.",
        ],
        comments: &[
            "Comment: The outcome is not in doubt; the question is the margin. An inflated result would show that the authorities have chosen intimidation over co-option, with implications for post-election stability. End comment.",
            "Comment: Our statement on the conduct of the elections will be read closely in {capital}. It should acknowledge orderly voting in many areas while clearly naming the exclusion of candidates and the pressure on public employees. End comment.",
            "Comment: {third} has already congratulated the incumbent. A delayed and conditional response from us will be noticed, which is the point. End comment.",
        ],
        requests: &[
            "Action request: Delegation requests HQ clearance of the draft statement, transmitted separately, by {date}.",
            "Action request: Delegation recommends that we not be represented at ambassadorial level at the inauguration, and requests guidance.",
        ],
    },
    // Cyber incidents.
    Topic {
        issue: "the recent cyber incidents",
        titles: &[
            "Director of the National Cyber Security Centre",
            "Deputy Minister for Digital Affairs",
            "Head of the national CERT",
            "Ambassador for Cyber Affairs",
        ],
        stories: &[
            Story {
                subject: "{country}: Ransomware attack disrupts {city} hospitals",
                summary: "Summary: A ransomware attack on {date} took {n} hospitals in {city} offline for {n2} hours and forced the diversion of emergency patients. {official} told us the intrusion began with a compromised supplier account and that the attackers demanded {amount}. End summary.",
            },
            Story {
                subject: "{country}: Foreign Ministry network breached for {n} months",
                summary: "Summary: {official} briefed like-minded missions on {date} on an intrusion into the Foreign Ministry network that went undetected for {n} months. The attackers exfiltrated diplomatic correspondence, including reporting from {adj} embassies. End summary.",
            },
            Story {
                subject: "{country}: Phishing campaign targets diplomatic networks in {capital}",
                summary: "Summary: A spear-phishing campaign impersonating the protocol department has targeted at least {n2} embassies in {capital} since {month}. Two missions, one of them a close partner, report compromised accounts. End summary.",
            },
            Story {
                subject: "{country}: Draft cyber security law raises privacy concerns",
                summary: "Summary: A draft cyber security law approved by the cabinet on {date} would require providers to keep connection data for {n2} months and give the security service access without a court order. {official} said the text would be 'clarified' in parliament. End summary.",
            },
            Story {
                subject: "{country}: Request for incident response assistance",
                summary: "Summary: {official} asked on {date} for our assistance in responding to a series of intrusions into government networks, including forensic support and training for {n2} analysts, at an estimated cost of {amount}. End summary.",
            },
        ],
        details: &[
            "{surname} said the attackers used a stolen password for the remote maintenance portal, which had no second factor, and moved laterally for weeks before deploying the ransomware. The national CERT has shared indicators of compromise, which we have passed to our security team.",
            "The stolen material reportedly includes {big} documents, among them cables and meeting notes. {surname} conceded that the ministry's mail relay stored messages unencrypted and that backups were kept indefinitely.",
            "The phishing messages invite recipients to register for a reception on {date} through a convincing copy of the ministry's web portal. Attachments carry a macro that installs a remote access tool.",
            "The {adj} authorities have publicly attributed the intrusion to a group they say operates from {third}. Private sector analysts consider the technical evidence consistent with that attribution but not conclusive.",
            "{surname} said the national CERT has {n2} staff and cannot monitor more than {n} ministries around the clock. {aide} added that a formal request for assistance is being prepared.",
        ],
        comments: &[
            "Comment: The intrusion shows that our reporting is only as safe as the least protected system it passes through. We should assume that anything shared with the {adj} ministry since {month} may have been read by third parties. End comment.",
            "Comment: The request for assistance is an opportunity to deepen cooperation, but it should not extend to sharing our own detection capabilities until the {adj} side has addressed basic hygiene. End comment.",
        ],
        requests: &[
            "Action request: Delegation recommends that HQ security review whether any of our traffic with the {adj} ministry was stored on the compromised relay, and that staff be reminded of phishing procedures.",
            "Action request: Delegation requests authorisation to offer the incident response assistance requested by {surname}, estimated at {amount}.",
        ],
    },
    // Consular cases.
    Topic {
        issue: "the pending consular cases",
        titles: &[
            "Director for Consular Affairs",
            "Deputy Prosecutor-General",
            "Head of the Migration Service",
            "Regional Chief of Police",
        ],
        stories: &[
            Story {
                subject: "{country}: Detained national denied consular access",
                summary: "Summary: A dual national detained in {city} on {date} has been held for {n2} days without consular access, on espionage charges the family describes as fabricated. {official} told the Consul that access would be granted 'once the investigation permits'. End summary.",
            },
            Story {
                subject: "{country}: Update on the {n} detained aid workers",
                summary: "Summary: The Consul visited the {n} detained aid workers in {city} prison on {date}. They are in reasonable health but have been questioned without lawyers, and the prosecution has requested a further {n2}-day extension of pre-trial detention. End summary.",
            },
            Story {
                subject: "{country}: Evacuation planning for nationals in {city}",
                summary: "Summary: Around {big} of our nationals are registered in {country}, many in the {city} region where fighting has intensified. The Delegation has updated its evacuation plan and recommends a change of travel advice. End summary.",
            },
            Story {
                subject: "{country}: Road accident near {city} involving tour group",
                summary: "Summary: {n2} of our nationals were injured, {n} of them seriously, when their coach left the road near {city} on {date}. A consular team is at the regional hospital; {official} has promised help with medical evacuation. End summary.",
            },
            Story {
                subject: "{country}: Child abduction case and Hague Convention proceedings",
                summary: "Summary: A court in {city} on {date} again postponed the return hearing in the case of a child taken to {country} by one parent, {n} months after the application under the Hague Convention. {official} told the Consul that the central authority 'cannot interfere with the courts'. End summary.",
            },
        ],
        details: &[
            "The Delegation has sent {n} notes verbales requesting access under the Vienna Convention on Consular Relations, none of them answered. {surname} argued that the detainee's {adj} nationality takes precedence, a position we do not accept.",
            "The detainees told the Consul that they had been made to sign statements in a language they do not read. Their lawyers have been allowed one visit each. The next hearing is set for {date}.",
            "The honorary consul in {city} reports that local police now routinely hold foreign nationals for up to {n} days before notifying consulates, well beyond what the Vienna Convention allows.",
            "Commercial flights from {capital} remain available but are fully booked until {date}. The land route to {third} is open, with waiting times of up to {n2} hours at the main crossing.",
            "The family has asked the Delegation to raise the case publicly. We have so far advised against, judging that publicity could harden the prosecution's position before the hearing.",
        ],
        comments: &[
            "Comment: The case appears to be driven by the security services rather than the judiciary, and may be linked to our position on {third}. Quiet engagement at senior level is more likely to succeed than public pressure at this stage. End comment.",
            "Comment: Consular access is a treaty obligation, not a favour. If the note of {date} remains unanswered, the matter should be raised at ministerial level. End comment.",
        ],
        requests: &[
            "Action request: Delegation requests that HQ raise the case with the {adj} Ambassador and agree a common line with partners whose nationals are detained.",
            "Action request: Delegation recommends raising the travel advice for the {city} region to 'avoid all travel' and requests clearance by {date}.",
        ],
    },
    // Climate negotiations.
    Topic {
        issue: "the climate negotiations",
        titles: &[
            "Chief Climate Negotiator",
            "Minister of Environment",
            "Special Envoy for Climate",
            "Deputy Minister of Finance",
        ],
        stories: &[
            Story {
                subject: "{country}: Position ahead of the climate conference in {month}",
                summary: "Summary: {official} outlined the {adj} position for the conference in {month}: support for a new finance goal of at least {amount} a year for its region, resistance to any language on phasing out fossil fuels, and openness to a methane pledge. End summary.",
            },
            Story {
                subject: "{country}: Updated emissions target falls short of expectations",
                summary: "Summary: The updated nationally determined contribution, published on {date}, commits {country} to a {pct} cut in emissions by the end of the next decade, barely above the previous target. {official} blamed the lack of international finance. End summary.",
            },
            Story {
                subject: "{country}: Coal phase-out plan meets regional resistance in {city}",
                summary: "Summary: The government's coal phase-out plan faces resistance in the {city} region, where {big} jobs depend on mining. {official} told the Ambassador that the plan would not survive without {amount} in transition support. End summary.",
            },
            Story {
                subject: "{country}: Climate finance demands and the loss and damage fund",
                summary: "Summary: {official} told the Ambassador on {date} that {country} expects a contribution of at least {amount} to the loss and damage fund from our side, and that its support for a new finance goal depends on it. The demand is coordinated with {third}. End summary.",
            },
            Story {
                subject: "{country}: Readout of Special Envoy's visit to {capital}",
                summary: "Summary: Our Special Envoy for Climate met {official} and {n} other ministers in {capital} on {date}. The {adj} side welcomed support for the just transition partnership but pushed for faster and less conditional disbursement. End summary.",
            },
        ],
        details: &[
            "{surname} said {country} could align with us on transparency rules in return for a clear commitment on adaptation finance. {aide} indicated that the {adj} delegation has a mandate to be 'constructive but not isolated' from {third}.",
            "The target is conditional on external finance of {amount}; without it, the unconditional commitment is a cut of only {n} percent. Independent analysts consider even that achievable without new policies.",
            "Local authorities in {city} have organised {n} demonstrations against mine closures since {month}. The junior coalition partner has threatened to leave the government if the {n2}-year timeline is not extended.",
            "The Environment Ministry has {n2} staff working on the negotiations, against several hundred in the Energy Ministry, which effectively controls the file and is closer to the coal lobby.",
            "{surname} said {country} would host a regional ministerial meeting on adaptation in {month} and asked that we send a senior representative. {third} has already confirmed at deputy minister level.",
        ],
        comments: &[
            "Comment: {country} is a swing vote in its regional group. Early engagement on adaptation finance could keep it out of the blocking coalition at the conference. End comment.",
            "Comment: The gap between the Environment and Energy ministries is the main obstacle. Our messages should go to the Prime Minister's office rather than to the negotiators. End comment.",
        ],
        requests: &[
            "Action request: Delegation recommends an early invitation to {surname} to the ministerial preparatory meeting and requests guidance on the finance figures we may discuss.",
            "Action request: None. Delegation will report on the outcome of the cabinet discussion scheduled for {date}.",
        ],
    },
    // Defence cooperation.
    Topic {
        issue: "defence cooperation",
        titles: &[
            "Deputy Minister of Defence",
            "Chief of the General Staff",
            "Director for Defence Policy",
            "Chair of the parliamentary defence committee",
        ],
        stories: &[
            Story {
                subject: "{country}: Defence ministry seeks training mission extension",
                summary: "Summary: {official} asked on {date} for a {n}-year extension of our training mission and for its mandate to include advice at brigade level. The request reflects concern over the military build-up by {third} along the border. End summary.",
            },
            Story {
                subject: "{country}: Procurement of air defence systems from {third}",
                summary: "Summary: {country} is close to signing a contract worth {amount} for air defence systems from {third}. {official} said the decision was 'purely technical' and would not affect cooperation with us; interoperability experts disagree. End summary.",
            },
            Story {
                subject: "{country}: Defence budget rises {pct} amid border tensions",
                summary: "Summary: The draft budget raises defence spending by {pct}, to {amount}, the largest increase in a decade. Most of it goes to salaries and ammunition stocks rather than to modernisation. End summary.",
            },
            Story {
                subject: "{country}: Large-scale exercise planned near {city} in {month}",
                summary: "Summary: The {adj} armed forces will hold their largest exercise in a decade near {city} in {month}, with some {big} troops and reservists called up for the first time in years. {official} briefed attaches on the plans on {date}. End summary.",
            },
            Story {
                subject: "{country}: Readout of defence policy talks with {official}",
                summary: "Summary: Defence policy talks with {official} in {capital} on {date} covered the training mission, cyber defence and air defence procurement. {surname} sought our support for {n} new cooperation projects; we undertook to examine two. End summary.",
            },
        ],
        details: &[
            "{surname} said the armed forces had taken in {big} recruits this year but lacked instructors, and that the first brigade trained by our mission had performed well in the exercise near {city} in {month}.",
            "The offer from {third} reportedly includes financing at {n} percent interest, local assembly of components and training for {n2} operators. Our industry's bid was judged {pct} more expensive over the life of the system.",
            "The exercise scenario, shared with attaches on {date}, assumes an incursion from {third} and includes the mobilisation of reservists. The {adj} side has invited our attaches to observe, which we recommend accepting.",
            "{aide} told the Defence Attache that the General Staff supports closer cooperation with us but that the presidency is 'balancing' to avoid provoking {third}.",
            "The defence committee has asked for a briefing on the mission's rules of engagement before voting on the extension. Opposition deputies have questioned whether foreign trainers should have access to operational planning.",
        ],
        comments: &[
            "Comment: A purchase from {third} would tie the {adj} air force to that supplier for decades and complicate interoperability. Our response should combine a competitive financing offer with a frank message about the consequences. End comment.",
            "Comment: The training mission is among our most visible contributions to {adj} security and enjoys broad support. An extension with a modestly wider mandate is justified. End comment.",
        ],
        requests: &[
            "Action request: Delegation requests guidance on the extension request before the planning conference of {date}.",
            "Action request: Delegation recommends that the Defence Attache be authorised to observe the exercise near {city}.",
        ],
    },
    // Human rights.
    Topic {
        issue: "the human rights dialogue",
        titles: &[
            "Ombudsperson",
            "Deputy Minister of Justice",
            "Prosecutor-General",
            "Presidential Adviser on Human Rights",
        ],
        stories: &[
            Story {
                subject: "{country}: Human rights dialogue held in {capital} on {date}",
                summary: "Summary: The annual human rights dialogue, held in {capital} on {date}, covered freedom of expression, the treatment of detainees and the draft law on foreign funding. {official} engaged on procedure but offered nothing on individual cases. End summary.",
            },
            Story {
                subject: "{country}: Investigative journalist sentenced to {n} years",
                summary: "Summary: A court in {city} sentenced an investigative journalist known for reporting on procurement fraud to {n} years in prison on {date}, on extortion charges. The trial lasted {n2} minutes. End summary.",
            },
            Story {
                subject: "{country}: Draft law on foreign-funded organisations",
                summary: "Summary: A draft law tabled on {date} would require organisations receiving more than {pct} of their funding from abroad to register as 'foreign agents'. Civil society representatives told us it would force {big} groups to close or give up foreign funding. End summary.",
            },
            Story {
                subject: "{country}: Prison conditions and torture allegations in {city}",
                summary: "Summary: Former detainees of the {city} prison told the Delegation on {date} of beatings, prolonged solitary confinement and denial of medical care. The Ombudsperson's office has received {big} complaints of ill-treatment this year; {official} promised an inquiry. End summary.",
            },
            Story {
                subject: "{country}: Civil society briefing ahead of the dialogue",
                summary: "Summary: Representatives of {n2} civil society organisations briefed the Delegation on {date} ahead of the human rights dialogue. They described growing self-censorship and asked that the dialogue be preceded by a public statement. End summary.",
            },
        ],
        details: &[
            "We raised {n} individual cases, including that of the journalist sentenced in {city}. {surname} said they were a matter for the independent judiciary and accused us of 'selective concern', citing the silence of {third} on similar issues.",
            "The Ombudsperson's office received {big} complaints of ill-treatment in detention last year, {pct} more than the year before. Only {n} led to prosecutions.",
            "Funding for legal aid has been cut by {pct} in the draft budget, and {n} of the remaining independent outlets have closed since {month}. Journalists told us they now send sensitive stories to editors abroad.",
            "{aide} hinted that the draft law could be amended to exempt humanitarian and educational organisations if the dialogue 'took a constructive tone'. We made clear that the dialogue is not a bargaining forum.",
            "The Delegation attended the hearing in {city} with {n} other missions. Observers were admitted only after a delay of {n2} minutes, and the defence request to call witnesses was rejected.",
        ],
        comments: &[
            "Comment: The dialogue has become a ritual in which both sides restate positions. Unless it is tied to concrete benchmarks, for instance in the cooperation programme, it will continue to produce little. End comment.",
            "Comment: The sentence is meant as a warning to the remaining independent media. A prompt response coordinated with partners would show that such cases carry a cost. End comment.",
        ],
        requests: &[
            "Action request: Delegation recommends a public statement on the sentence, coordinated with partners, and requests clearance of the draft by {date}.",
            "Action request: Delegation requests that the draft law be raised at the next cooperation council and that HQ consider support for the affected organisations.",
        ],
    },
];
