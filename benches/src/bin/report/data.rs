//! What `benches/run.sh` collected, read back: the callgrind counts, divan's
//! medians, the packing figures and the run's description.

use std::collections::BTreeMap;
use std::path::Path;

use tinyalloc_bench::buffers;

/// One callgrind run: the driver's counts and callgrind's total.
#[derive(Debug, Clone, Copy)]
pub(super) struct Count {
    pub(super) units: f64,
    pub(super) ir: f64,
    pub(super) attempts: u64,
    pub(super) failed: u64,
    /// The critical sections the call entered, from `count-masked` only.
    pub(super) sections: Option<u64>,
    /// The instructions of the longest of them, from `count-masked` only.
    pub(super) longest: Option<u64>,
}

impl Count {
    pub(super) fn per_unit(self) -> f64 {
        self.ir / self.units
    }
}

/// `(critical section, group, entry, workload, capacity)`.
pub(super) type CountKey = (String, String, String, String, String);

/// entry → adversarial %, growth % per seed, as `count packing` prints them.
pub(super) type Packing = BTreeMap<String, (f64, Vec<f64>)>;

pub(super) struct Data {
    pub(super) counts: BTreeMap<CountKey, Count>,
    /// `(group, workload, entry, capacity)` → divan's median for one iteration, ns.
    pub(super) medians: BTreeMap<(String, String, String, String), f64>,
    /// entry → adversarial %, growth % per seed.
    pub(super) packing: Packing,
    /// The same, from the driver built for a 32-bit target.
    pub(super) packing32: Packing,
    pub(super) meta: Vec<(String, String)>,
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|error| panic!("{}: {error}", dir.join(name).display()))
}

pub(super) fn parse_counts(text: &str) -> BTreeMap<CountKey, Count> {
    let mut counts = BTreeMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let field = |key: &str| -> Option<&str> {
            fields
                .iter()
                .find_map(|field| field.strip_prefix(key)?.strip_prefix('='))
        };
        let value =
            |key: &str| -> &str { field(key).unwrap_or_else(|| panic!("no {key}= in {line:?}")) };
        let key = (
            fields[0].to_owned(),
            fields[1].to_owned(),
            fields[2].to_owned(),
            fields[3].to_owned(),
            fields[4].to_owned(),
        );
        let count = Count {
            units: value("units").parse().expect("units"),
            ir: value("ir").parse().expect("ir"),
            attempts: value("attempts").parse().expect("attempts"),
            failed: value("failed").parse().expect("failed"),
            sections: field("sections").map(|n| n.parse().expect("sections")),
            longest: field("longest").map(|n| n.parse().expect("longest")),
        };
        counts.insert(key, count);
    }
    counts
}

fn parse_duration(text: &str) -> Option<f64> {
    let mut parts = text.split_whitespace();
    let number: f64 = parts.next()?.parse().ok()?;
    let scale = match parts.next()? {
        "ps" => 1e-3,
        "ns" => 1.0,
        "µs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(number * scale)
}

/// Reads divan's tree: `group`, then `├─ function`, then `│  ├─ ENTRY[@CAPACITY]`
/// with the fastest, slowest, median and mean times in columns.
fn parse_divan(
    group: &str,
    text: &str,
    medians: &mut BTreeMap<(String, String, String, String), f64>,
) {
    let mut function = String::new();
    for line in text.lines() {
        let body = line.trim_start_matches(['│', '├', '╰', '─', ' ']);
        let depth = line.chars().count() - body.chars().count();
        let columns: Vec<&str> = body.split('│').collect();
        let Some(name) = columns[0].split_whitespace().next() else {
            continue;
        };
        match depth {
            3 => function = name.replace('_', "-"),
            6 if columns.len() >= 4 => {
                let Some(median) = parse_duration(columns[2]) else {
                    continue;
                };
                let (entry, capacity) = name.split_once('@').unwrap_or((name, "-"));
                medians.insert(
                    (
                        group.to_owned(),
                        function.clone(),
                        entry.to_owned(),
                        capacity.to_owned(),
                    ),
                    median,
                );
            }
            _ => {}
        }
    }
}

pub(super) fn parse_packing(text: &str) -> Packing {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let entry = fields.next()?.to_owned();
            let adversarial = fields.next()?.parse().ok()?;
            let growth = fields.filter_map(|field| field.parse().ok()).collect();
            Some((entry, (adversarial, growth)))
        })
        .collect()
}

impl Data {
    /// Everything `benches/run.sh` left in `dir`.
    pub(super) fn load(dir: &Path) -> Data {
        let mut medians = BTreeMap::new();
        for group in ["pools", "heaps", "buffers"] {
            parse_divan(
                group,
                &read(dir, &format!("divan-{group}.txt")),
                &mut medians,
            );
        }
        Data {
            counts: parse_counts(&read(dir, "counts.txt")),
            medians,
            packing: parse_packing(&read(dir, "packing.txt")),
            packing32: parse_packing(&read(dir, "packing-32.txt")),
            meta: read(dir, "meta.txt")
                .lines()
                .filter_map(|line| line.split_once(": "))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    pub(super) fn count(
        &self,
        cs: &str,
        group: &str,
        entry: &str,
        workload: &str,
        cap: &str,
    ) -> Option<Count> {
        let key = (
            cs.to_owned(),
            group.to_owned(),
            entry.to_owned(),
            workload.to_owned(),
            cap.to_owned(),
        );
        self.counts.get(&key).copied()
    }

    pub(super) fn instructions(
        &self,
        cs: &str,
        group: &str,
        entry: &str,
        workload: &str,
        cap: &str,
    ) -> Option<f64> {
        self.count(cs, group, entry, workload, cap)
            .map(Count::per_unit)
    }

    /// divan's median, per the unit the instruction counts use.
    pub(super) fn nanos(&self, group: &str, entry: &str, workload: &str, cap: &str) -> Option<f64> {
        let key = (
            group.to_owned(),
            workload.to_owned(),
            entry.to_owned(),
            cap.to_owned(),
        );
        let per_iteration = *self.medians.get(&key)?;
        let per = match (group, workload) {
            ("pools", "fill-lifo" | "fill-random") => cap.parse::<f64>().ok()?,
            ("buffers", _) => buffers::BYTES as f64,
            _ => 1.0,
        };
        Some(per_iteration / per)
    }
}
