//! A fuzz harness on the stable toolchain for every parser that takes outside input:
//! catalogue documents, plan files, tenant files (CSV and JSON), the binary export page
//! codec and the Stamp API's request bodies. Valid samples are mutated (bytes flipped,
//! inserted, deleted, duplicated, cut, spliced, with the characters these formats care
//! about) by a seeded generator; every input must be answered with a value or an error
//! that says something, never a panic. A panicking input is saved under
//! target/fuzz-failures/ and named in the failure.
//! Cases per target: `STAMPFLEET_FUZZ_CASES` (default 1,500 here; `.ci/fuzz` runs more).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use fleet_core::{builtin_regions, demo::demo_fleet, Region};

/// xorshift64*: deterministic, so a failure replays from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[u8] = b"\"\\,;\n\r{}[]:0-9 e.x\x00\xff\xc3";

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            2 => {
                let end = (at + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(64)).min(data.len());
                let piece = data[at..end].to_vec();
                let to = rng.below(data.len() + 1);
                data.splice(to..to, piece);
            }
            4 => data.truncate(at),
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let piece = other[from..(from + rng.below(64)).min(other.len())].to_vec();
                data.splice(at..at, piece);
            }
            _ => {
                let n = rng.next();
                data.splice(at..at, n.to_string().into_bytes());
            }
        }
    }
    data
}

fn cases() -> usize {
    std::env::var("STAMPFLEET_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_500)
}

/// Runs `parse` on mutated inputs; `check` looks at an error's text.
fn fuzz(target: &str, seeds: Vec<Vec<u8>>, parse: impl Fn(&[u8]) -> Result<(), String>) {
    let mut rng = Rng(0x5eed
        ^ target
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31) + u64::from(b)));
    let (mut ok, mut refused) = (0u32, 0u32);
    for case in 0..cases() {
        let input = mutate(&mut rng, &seeds);
        match catch_unwind(AssertUnwindSafe(|| parse(&input))) {
            Ok(Ok(())) => ok += 1,
            Ok(Err(message)) => {
                assert!(
                    !message.trim().is_empty(),
                    "{target} case {case}: an empty error"
                );
                refused += 1;
            }
            Err(_) => {
                let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../target/fuzz-failures");
                std::fs::create_dir_all(&dir).unwrap();
                let file = dir.join(format!("{target}-{case}.bin"));
                std::fs::write(&file, &input).unwrap();
                panic!(
                    "{target}: case {case} panicked; input saved as {}",
                    file.display()
                );
            }
        }
    }
    println!("{target}: {ok} accepted, {refused} refused, 0 panics");
}

fn text(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))
}

fn regions() -> Vec<Region> {
    builtin_regions().unwrap()
}

#[test]
fn catalogue_documents() {
    let regions = regions();
    let doc = demo_fleet(&regions).unwrap();
    let seeds = vec![
        serde_json::to_vec_pretty(&doc).unwrap(),
        serde_json::to_vec(&doc).unwrap(),
        br#"{"schemaVersion":1,"stamps":[],"tenants":[]}"#.to_vec(),
    ];
    fuzz("document", seeds, |bytes| {
        let doc = fleet_core::parse_document(text(bytes)?, &regions).map_err(|e| e.to_string())?;
        // What parses is valid: it serializes and parses again to the same document.
        let again = serde_json::to_string(&doc).unwrap();
        let back = fleet_core::parse_document(&again, &regions).map_err(|e| e.to_string())?;
        assert_eq!(back, doc);
        Ok(())
    });
}

#[test]
fn plan_files() {
    use fleet_core::plan::{parse_plan_file, plan_to_file, Plan, PlanAction};
    let plan = Plan {
        name: "q3".to_owned(),
        base_version: 7,
        actions: vec![
            PlanAction::DrainStamp {
                stamp: fleet_core::StampId::new("weu-01").unwrap(),
            },
            PlanAction::ChangeCapacity {
                stamp: fleet_core::StampId::new("fra-01").unwrap(),
                capacity_units: 1200,
            },
        ],
    };
    let seeds = vec![plan_to_file(&plan).into_bytes()];
    fuzz("plan-file", seeds, |bytes| {
        parse_plan_file(text(bytes)?)
            .map(drop)
            .map_err(|e| e.to_string())
    });
}

#[test]
fn tenant_files() {
    let regions = regions();
    let csv = "id,name,tier,size,countries,geographies,regions,isolation,preferred,group\n\
               acme,\"Acme, Inc.\",enterprise,40,DE;NL,,,dedicated,azure-westeurope,g1\n\
               beta,Beta,standard,5,,Europe,,shared,,\n";
    let json = r#"[{"id":"acme","displayName":"Acme","tier":"premium","sizeUnits":40,
        "residency":{"countries":["DE"]},"isolation":"shared","preferredRegions":["azure-westeurope"]}]"#;
    for (name, seed) in [("tenants.csv", csv), ("tenants.json", json)] {
        fuzz(name, vec![seed.as_bytes().to_vec()], |bytes| {
            match fleet_core::tenant_file::parse_tenant_file(name, text(bytes)?, &regions) {
                Ok(_) => Ok(()),
                Err(errors) => {
                    assert!(!errors.is_empty());
                    assert!(errors.len() <= fleet_core::tenant_file::MAX_ERRORS + 20);
                    Err(errors[0].to_string())
                }
            }
        });
    }
}

#[test]
fn binary_export_pages() {
    use stamp_protocol::{decode_export_page, encode_export_page};
    use stamp_protocol::{ExportPage, KvEntry};
    let page = ExportPage {
        seq: 42,
        entries: (0..5)
            .map(|i| KvEntry {
                key: format!("k{i}"),
                value: "v".repeat(i * 7),
                seq: i as u64,
            })
            .collect(),
        next_after: Some("k4".to_owned()),
        after: Some("k".to_owned()),
    };
    let seeds = vec![encode_export_page(&page)];
    fuzz("export-page", seeds, |bytes| {
        let page = decode_export_page(bytes)?;
        // What decodes encodes to the same bytes.
        assert_eq!(
            decode_export_page(&encode_export_page(&page)).unwrap(),
            page
        );
        Ok(())
    });
}

#[test]
fn stamp_api_request_bodies() {
    fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<(), String> {
        serde_json::from_slice::<T>(bytes)
            .map(drop)
            .map_err(|e| e.to_string())
    }
    let seeds = vec![
        br#"{"displayName":"Acme","sizeUnits":40}"#.to_vec(),
        br#"{"value":"blue"}"#.to_vec(),
        br#"{"movedTo":"http://127.0.0.1:4000"}"#.to_vec(),
        br#"{"source":"http://127.0.0.1:4000","transferToken":"x.acme.1.abc"}"#.to_vec(),
    ];
    fuzz("request-bodies", seeds, |bytes| {
        let results = [
            body::<stamp_protocol::ProvisionTenant>(bytes),
            body::<stamp_protocol::KvPut>(bytes),
            body::<stamp_protocol::Fence>(bytes),
            body::<stamp_protocol::ImportSync>(bytes),
        ];
        results
            .into_iter()
            .find(Result::is_ok)
            .unwrap_or_else(|| Err("refused by every body".to_owned()))
    });
}
