//! The demo fleet: 8 stamps over 5 regions and 3 providers, 60 tenants of mixed size,
//! tier, residency and isolation. Deterministic: the same input gives the same fleet.

use crate::capacity::Capacity;
use crate::document::{CatalogueDocument, DOCUMENT_SCHEMA_VERSION};
use crate::ids::{IdError, RegionId, StampId, TemplateName, TenantId};
use crate::region::{CountryCode, Region};
use crate::stamp::{Stamp, StampStatus};
use crate::template::{Isolation, StampTemplate, TemplateVersion};
use crate::tenant::{Binding, Residency, Tenant, Tier};

/// A small deterministic generator (SplitMix64), so the demo needs no `rand`.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % u64::from(hi - lo + 1)) as u32
    }
}

const COMPANIES: [&str; 30] = [
    "Contoso",
    "Fabrikam",
    "Northwind Traders",
    "Tailspin Toys",
    "Wingtip Toys",
    "Adventure Works",
    "Litware",
    "Proseware",
    "Woodgrove Bank",
    "Fourth Coffee",
    "Alpine Ski House",
    "Blue Yonder Airlines",
    "Coho Winery",
    "Lamna Healthcare",
    "Margie's Travel",
    "Trey Research",
    "Wide World Importers",
    "VanArsdel",
    "Humongous Insurance",
    "Lucerne Publishing",
    "Graphic Design Institute",
    "Relecloud",
    "Southridge Video",
    "Consolidated Messenger",
    "A. Datum",
    "Bellows College",
    "Munson's Pickles",
    "Nod Publishers",
    "First Up Consultants",
    "Best For You Organics",
];

const STAMPS: [(&str, &str, &str, &str, u32, StampStatus); 8] = [
    (
        "weu-01",
        "azure-westeurope",
        "standard",
        "1.4.0",
        1000,
        StampStatus::Active,
    ),
    (
        "weu-02",
        "azure-westeurope",
        "standard",
        "1.3.0",
        1000,
        StampStatus::Active,
    ),
    (
        "fra-01",
        "aws-eu-central-1",
        "standard",
        "1.4.0",
        600,
        StampStatus::Active,
    ),
    (
        "fra-ded-01",
        "aws-eu-central-1",
        "dedicated",
        "2.1.0",
        400,
        StampStatus::Active,
    ),
    (
        "use-01",
        "aws-us-east-1",
        "standard",
        "1.4.0",
        1200,
        StampStatus::Active,
    ),
    (
        "use-02",
        "aws-us-east-1",
        "standard",
        "1.3.0",
        800,
        StampStatus::Draining,
    ),
    (
        "tyo-01",
        "gcp-asia-northeast1",
        "standard",
        "1.4.0",
        700,
        StampStatus::Active,
    ),
    (
        "syd-01",
        "azure-australiaeast",
        "standard",
        "1.4.0",
        400,
        StampStatus::Active,
    ),
];

/// Residency profiles the demo tenants draw from: (countries, geographies).
const RESIDENCY: [(&[&str], &[&str]); 6] = [
    (&["DE", "NL", "FR", "IE", "AT", "BE"], &[]),
    (&["US"], &[]),
    (&["DE"], &[]),
    (&["JP"], &[]),
    (&["AU"], &[]),
    (&[], &[]),
];

fn demo_error(e: IdError) -> String {
    format!("demo fleet data is invalid: {e}")
}

/// Builds the demo catalogue against the given built-in regions.
pub fn demo_fleet(regions: &[Region]) -> Result<CatalogueDocument, String> {
    let version = |v: &str| TemplateVersion::new(v);
    let templates = vec![
        template(
            "standard",
            "1.3.0",
            1000,
            Isolation::Shared,
            "Shared stamp, previous release",
        )?,
        template(
            "standard",
            "1.4.0",
            1000,
            Isolation::Shared,
            "Shared stamp, current release",
        )?,
        template(
            "dedicated",
            "2.1.0",
            400,
            Isolation::Dedicated,
            "Single-tenant stamp for regulated customers",
        )?,
    ];
    let mut stamps = Vec::new();
    for (id, region, tpl, ver, capacity, status) in STAMPS {
        let region = RegionId::new(region).map_err(demo_error)?;
        if !regions.iter().any(|r| r.id == region) {
            return Err(format!("demo fleet needs built-in region {region}"));
        }
        stamps.push(Stamp {
            id: StampId::new(id).map_err(demo_error)?,
            region,
            template: TemplateName::new(tpl).map_err(demo_error)?,
            template_version: version(ver)?,
            capacity_units: capacity,
            status,
            endpoint: None,
        });
    }

    let mut rng = SplitMix64::new(0x5747_4D50_F1EE_7001);
    let mut tenants = Vec::new();
    for (i, company) in COMPANIES.iter().enumerate() {
        for env in ["prod", "staging"] {
            let slug: String = company
                .to_lowercase()
                .chars()
                .filter_map(|c| {
                    if c.is_ascii_alphanumeric() {
                        Some(c)
                    } else if c == ' ' {
                        Some('-')
                    } else {
                        None
                    }
                })
                .collect();
            let tier = if env == "staging" {
                if rng.range(0, 2) == 0 {
                    Tier::Free
                } else {
                    Tier::Standard
                }
            } else {
                Tier::ALL[rng.range(1, 3) as usize]
            };
            let size = match tier {
                Tier::Free => rng.range(4, 12),
                Tier::Standard => rng.range(15, 50),
                Tier::Premium => rng.range(40, 90),
                Tier::Enterprise => rng.range(80, 160),
            };
            let (countries, geographies) = RESIDENCY[i % RESIDENCY.len()];
            let dedicated = env == "prod" && i == 8;
            tenants.push(Tenant {
                id: TenantId::new(format!("{slug}-{env}")).map_err(demo_error)?,
                display_name: format!("{company} ({env})"),
                tier,
                size_units: size,
                residency: Residency {
                    countries: countries
                        .iter()
                        .map(|c| CountryCode::new(*c))
                        .collect::<Result<_, _>>()?,
                    geographies: geographies.iter().map(|g| (*g).to_owned()).collect(),
                    regions: Vec::new(),
                },
                isolation: if dedicated {
                    Isolation::Dedicated
                } else {
                    Isolation::Shared
                },
                pinned: tier == Tier::Enterprise && i % 4 == 0,
                group: None,
            });
        }
    }

    let bindings = bind_greedily(&templates, &stamps, &tenants, regions);
    let mut doc = CatalogueDocument {
        schema_version: DOCUMENT_SCHEMA_VERSION,
        regions: Vec::new(),
        templates,
        stamps,
        tenants,
        bindings,
    };
    doc.canonicalize();
    Ok(doc)
}

fn template(
    name: &str,
    ver: &str,
    units: u32,
    isolation: Isolation,
    description: &str,
) -> Result<StampTemplate, String> {
    Ok(StampTemplate {
        name: TemplateName::new(name).map_err(demo_error)?,
        version: TemplateVersion::new(ver)?,
        capacity_units: units,
        isolation,
        description: description.to_owned(),
        tiers: Vec::new(),
        release_notes: String::new(),
    })
}

/// Puts each tenant on the least-utilized stamp that allows it (residency, isolation,
/// capacity); a stand-in until the placement engine exists.
fn bind_greedily(
    templates: &[StampTemplate],
    stamps: &[Stamp],
    tenants: &[Tenant],
    regions: &[Region],
) -> Vec<Binding> {
    let isolation_of = |s: &Stamp| {
        templates
            .iter()
            .find(|t| t.name == s.template && t.version == s.template_version)
            .map_or(Isolation::Shared, |t| t.isolation)
    };
    let mut used: Vec<(Capacity, u32)> = stamps
        .iter()
        .map(|s| (Capacity::new(s.capacity_units, 0), 0))
        .collect();
    let mut bindings = Vec::new();
    for tenant in tenants {
        let best = stamps
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                let region = regions.iter().find(|r| r.id == s.region);
                let (cap, count) = used[*i];
                region.is_some_and(|r| tenant.residency.allows(r))
                    && isolation_of(s) == tenant.isolation
                    && (tenant.isolation == Isolation::Shared || count == 0)
                    && cap.fits(tenant.size_units, 0.0)
            })
            .min_by(|(a, _), (b, _)| {
                used[*a]
                    .0
                    .utilization()
                    .total_cmp(&used[*b].0.utilization())
            });
        if let Some((i, stamp)) = best {
            used[i].0.used_units += tenant.size_units;
            used[i].1 += 1;
            bindings.push(Binding {
                tenant: tenant.id.clone(),
                stamp: stamp.id.clone(),
                version: 1,
            });
        }
    }
    bindings
}
