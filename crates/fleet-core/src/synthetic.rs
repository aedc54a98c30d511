//! Synthetic fleets of any size, for benchmarks and scale tests: `stamps` stamps spread
//! over every given region, `tenants` tenants bound to them, deterministic per seed.

use crate::demo::SplitMix64;
use crate::document::{CatalogueDocument, DOCUMENT_SCHEMA_VERSION};
use crate::ids::{StampId, TemplateName, TenantId};
use crate::region::Region;
use crate::stamp::{Stamp, StampStatus};
use crate::template::{Isolation, StampTemplate, TemplateVersion};
use crate::tenant::{Binding, Residency, Tenant, Tier};

/// Builds a fleet of `stamps` stamps and `tenants` tenants over `regions`. About a third
/// of the tenants are held to their stamp's country; sizes average ~60% of capacity.
pub fn synthetic_fleet(
    regions: &[Region],
    stamps: u32,
    tenants: u32,
    seed: u64,
) -> Result<CatalogueDocument, String> {
    if regions.is_empty() {
        return Err("a synthetic fleet needs at least one region".to_owned());
    }
    if stamps == 0 && tenants > 0 {
        return Err("tenants need at least one stamp".to_owned());
    }
    let err = |e: crate::ids::IdError| e.to_string();
    let name = TemplateName::new("standard").map_err(err)?;
    let versions = [
        TemplateVersion::new("1.3.0")?,
        TemplateVersion::new("1.4.0")?,
    ];
    let templates = versions
        .iter()
        .map(|v| StampTemplate {
            name: name.clone(),
            version: v.clone(),
            capacity_units: 1000,
            isolation: Isolation::Shared,
            description: format!("Shared stamp {v}"),
            tiers: Vec::new(),
            release_notes: String::new(),
        })
        .collect();

    let mut rng = SplitMix64::new(seed);
    // Capacity per stamp such that the tenants fill ~60% of it on average.
    let per_stamp = if stamps == 0 {
        0
    } else {
        u64::from(tenants).div_ceil(u64::from(stamps))
    };
    let capacity = u32::try_from((per_stamp * 10 * 100 / 60).max(100)).unwrap_or(u32::MAX);
    let mut stamp_list = Vec::with_capacity(stamps as usize);
    for i in 0..stamps {
        let region = &regions[i as usize % regions.len()];
        stamp_list.push(Stamp {
            id: StampId::new(format!("s{i:06}")).map_err(err)?,
            region: region.id.clone(),
            template: name.clone(),
            template_version: versions[usize::from(rng.range(0, 3) == 0)].clone(),
            capacity_units: capacity,
            status: StampStatus::Active,
            endpoint: None,
        });
    }

    let mut tenant_list = Vec::with_capacity(tenants as usize);
    let mut bindings = Vec::with_capacity(tenants as usize);
    for i in 0..tenants {
        let home = &stamp_list[i as usize % stamp_list.len().max(1)];
        let region = &regions[(i % stamps) as usize % regions.len()];
        let id = TenantId::new(format!("t{i:08}")).map_err(err)?;
        let residency = if rng.range(0, 2) == 0 {
            Residency {
                countries: vec![region.country.clone()],
                ..Residency::default()
            }
        } else {
            Residency::default()
        };
        tenant_list.push(Tenant {
            id: id.clone(),
            display_name: format!("Tenant {i}"),
            tier: Tier::ALL[rng.range(0, 3) as usize],
            size_units: rng.range(1, 19),
            residency,
            isolation: Isolation::Shared,
            pinned: false,
            group: None,
        });
        bindings.push(Binding {
            tenant: id,
            stamp: home.id.clone(),
            version: 1,
        });
    }
    let mut doc = CatalogueDocument {
        schema_version: DOCUMENT_SCHEMA_VERSION,
        regions: Vec::new(),
        templates,
        stamps: stamp_list,
        tenants: tenant_list,
        bindings,
    };
    doc.canonicalize();
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::builtin_regions;

    #[test]
    fn synthetic_fleets_are_valid_deterministic_and_sized() {
        let regions = builtin_regions().unwrap();
        let doc = synthetic_fleet(&regions, 170, 5000, 7).unwrap();
        assert_eq!(
            (doc.stamps.len(), doc.tenants.len(), doc.bindings.len()),
            (170, 5000, 5000)
        );
        crate::document::validate(&doc, &regions).unwrap();
        assert_eq!(doc, synthetic_fleet(&regions, 170, 5000, 7).unwrap());
        let used: u64 = doc.tenants.iter().map(|t| u64::from(t.size_units)).sum();
        let total: u64 = doc.stamps.iter().map(|s| u64::from(s.capacity_units)).sum();
        assert!(used < total, "{used} of {total}");
        for b in &doc.bindings {
            let t = doc.tenants.iter().find(|t| t.id == b.tenant).unwrap();
            let s = doc.stamps.iter().find(|s| s.id == b.stamp).unwrap();
            let r = regions.iter().find(|r| r.id == s.region).unwrap();
            assert!(t.residency.allows(r), "{} on {}", t.id, s.id);
        }
    }

    #[test]
    fn impossible_sizes_are_refused() {
        assert!(synthetic_fleet(&[], 1, 1, 0).is_err());
        let regions = builtin_regions().unwrap();
        assert!(synthetic_fleet(&regions, 0, 10, 0).is_err());
    }
}
