//! Invented company names and sectors. Any resemblance to real companies is a coincidence of
//! common words.
use std::collections::HashSet;

use rand::RngExt;
use rand_pcg::Pcg64Mcg;

/// Sectors with the words their companies like to end their names with.
pub(crate) const SECTORS: [(&str, [&str; 5]); 15] = [
    ("Fintech", ["Pay", "Ledger", "Capital", "Money", "Finance"]),
    ("Healthcare", ["Health", "Care", "Clinic", "Med", "Vitals"]),
    ("Developer tools", ["Dev", "Stack", "Code", "Build", "Ops"]),
    ("Climate", ["Energy", "Carbon", "Grid", "Solar", "Climate"]),
    ("Logistics", ["Freight", "Logistics", "Fleet", "Route", "Cargo"]),
    ("Cybersecurity", ["Security", "Shield", "Guard", "Sentry", "Cyber"]),
    ("Consumer", ["Home", "Kitchen", "Style", "Living", "Goods"]),
    ("AI infrastructure", ["AI", "Labs", "Compute", "Neural", "Vector"]),
    ("Marketplaces", ["Market", "Exchange", "Hub", "Bazaar", "Direct"]),
    ("Edtech", ["Learn", "Academy", "Tutor", "School", "Campus"]),
    ("Insurtech", ["Insure", "Cover", "Assure", "Risk", "Mutual"]),
    ("Robotics", ["Robotics", "Motion", "Machines", "Automation", "Dynamics"]),
    ("Biotech", ["Bio", "Therapeutics", "Genomics", "Pharma", "Cell"]),
    ("Proptech", ["Homes", "Property", "Estates", "Spaces", "Rent"]),
    ("HR tech", ["People", "Talent", "Hire", "Teams", "Payroll"]),
];

const ROOTS: [&str; 48] = [
    "Aster", "Beacon", "Cobalt", "Datum", "Ember", "Fathom", "Granite", "Halcyon", "Indigo", "Juniper", "Kestrel",
    "Lumen", "Meridian", "Nimbus", "Orbit", "Pylon", "Quill", "Radiant", "Sable", "Tandem", "Umber", "Vantage",
    "Willow", "Xylo", "Yonder", "Zephyr", "Arbor", "Brisk", "Cinder", "Drift", "Elm", "Flint", "Glade", "Harbor",
    "Iris", "Jolt", "Keel", "Lark", "Mosaic", "Nova", "Onyx", "Prism", "Quartz", "Ripple", "Slate", "Tidal", "Vela",
    "Wren",
];

pub(crate) fn pick_sector(rng: &mut Pcg64Mcg) -> usize {
    rng.random_range(0..SECTORS.len())
}

pub(crate) fn sector_name(sector: usize) -> &'static str {
    SECTORS[sector % SECTORS.len()].0
}

/// A name not yet in `taken` (which it joins). After many collisions (thousands of companies in one
/// sector) a number keeps names unique.
pub(crate) fn unique_name(rng: &mut Pcg64Mcg, sector: usize, taken: &mut HashSet<String>) -> String {
    let suffixes = &SECTORS[sector % SECTORS.len()].1;
    let mut attempt = 0u32;
    loop {
        let root = ROOTS[rng.random_range(0..ROOTS.len())];
        let suffix = suffixes[rng.random_range(0..suffixes.len())];
        let name = if attempt < 64 { format!("{root} {suffix}") } else { format!("{root} {suffix} {}", attempt - 62) };
        if taken.insert(name.clone()) {
            return name;
        }
        attempt += 1;
    }
}
