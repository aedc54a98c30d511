//! The catalogue as one JSON document: what `stampctl export` writes and `import` reads.
//! Parsing and validation name the bad field by its path, e.g. `tenants[3].sizeUnits`.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};

use serde::{Deserialize, Serialize};

use crate::ids::{RegionId, StampId, TemplateName, TenantId};
use crate::region::Region;
use crate::stamp::Stamp;
use crate::template::{StampTemplate, TemplateVersion};
use crate::tenant::{Binding, Tenant};

/// The document format this build reads and writes.
pub const DOCUMENT_SCHEMA_VERSION: u32 = 1;

/// The whole catalogue. Built-in regions are not written: every Stampfleet ships them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogueDocument {
    pub schema_version: u32,
    /// Custom (operator-defined) regions only.
    #[serde(default)]
    pub regions: Vec<Region>,
    #[serde(default)]
    pub templates: Vec<StampTemplate>,
    #[serde(default)]
    pub stamps: Vec<Stamp>,
    #[serde(default)]
    pub tenants: Vec<Tenant>,
    #[serde(default)]
    pub bindings: Vec<Binding>,
}

impl CatalogueDocument {
    /// Sorts every list by its key, so equal catalogues give equal documents.
    pub fn canonicalize(&mut self) {
        self.regions.sort_by(|a, b| a.id.cmp(&b.id));
        self.templates
            .sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        self.stamps.sort_by(|a, b| a.id.cmp(&b.id));
        self.tenants.sort_by(|a, b| a.id.cmp(&b.id));
        self.bindings.sort_by(|a, b| a.tenant.cmp(&b.tenant));
    }
}

/// A document that cannot be imported, with the path of the bad field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{path}: {reason}", location.map(|(l, c)| format!("line {l}, column {c}: ")).unwrap_or_default())]
pub struct DocumentError {
    /// JSON path of the bad field, e.g. `tenants[3].sizeUnits`; `.` for the document.
    pub path: String,
    pub reason: String,
    /// Line and column in the text, when the error was found while parsing.
    pub location: Option<(usize, usize)>,
}

impl DocumentError {
    pub(crate) fn at(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
            location: None,
        }
    }
}

/// Parses and validates a document. `builtin` are the regions every catalogue has.
pub fn parse_document(text: &str, builtin: &[Region]) -> Result<CatalogueDocument, DocumentError> {
    let doc: CatalogueDocument = read_versioned(
        text,
        DOCUMENT_SCHEMA_VERSION,
        "a Stampfleet catalogue document",
        "schema version",
        |doc: &CatalogueDocument| doc.schema_version,
    )?;
    validate(&doc, builtin)?;
    Ok(doc)
}

/// Reads a versioned JSON file strictly: the schema version first (so a newer file
/// gets that message, not a field error), then every field, errors by JSON path with
/// line and column. `what` names the kind of file, `reads` how this build reads it;
/// `version_of` reads the version from the parsed file.
///
/// A file that reads whole is read once: the version probe (a second pass over the
/// text) and the path-tracking pass (about twice as slow) run only to explain a file
/// that does not (at a million tenants these were 3 of the 5 seconds of a good file).
pub(crate) fn read_versioned<T: serde::de::DeserializeOwned>(
    text: &str,
    version: u32,
    what: &str,
    reads: &str,
    version_of: impl Fn(&T) -> u32,
) -> Result<T, DocumentError> {
    let unsupported = |v: &dyn std::fmt::Display| {
        DocumentError::at(
            "schemaVersion",
            format!("{v} is not supported: this Stampfleet reads {reads} {version}"),
        )
    };
    if let Ok(file) = serde_json::from_str::<T>(text) {
        let found = version_of(&file);
        return if found == version {
            Ok(file)
        } else {
            Err(unsupported(&found))
        };
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct VersionOnly {
        schema_version: Option<serde_json::Value>,
    }
    if let Ok(VersionOnly { schema_version }) = serde_json::from_str::<VersionOnly>(text) {
        match schema_version {
            None => {
                return Err(DocumentError::at(
                    "schemaVersion",
                    format!("missing: this is not {what}"),
                ))
            }
            Some(v) if v.as_u64() != Some(u64::from(version)) => return Err(unsupported(&v)),
            Some(_) => {}
        }
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner();
        let path = e.path().to_string();
        DocumentError {
            path: if path.is_empty() || path == "?" {
                ".".to_owned()
            } else {
                path
            },
            reason: strip_position(&inner.to_string()),
            location: Some((inner.line(), inner.column())),
        }
    })
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Checks what types cannot: uniqueness, references, value ranges.
pub fn validate(doc: &CatalogueDocument, builtin: &[Region]) -> Result<(), DocumentError> {
    let mut region_ids: FxHashSet<&RegionId> = builtin.iter().map(|r| &r.id).collect();
    for (i, region) in doc.regions.iter().enumerate() {
        let path = || format!("regions[{i}]");
        region
            .check()
            .map_err(|(f, reason)| DocumentError::at(format!("{}.{f}", path()), reason))?;
        if region.builtin {
            return Err(DocumentError::at(
                format!("{}.builtin", path()),
                "custom regions must have builtin: false",
            ));
        }
        if !region_ids.insert(&region.id) {
            return Err(DocumentError::at(
                format!("{}.id", path()),
                format!("region {} already exists", region.id),
            ));
        }
    }

    let mut templates: HashMap<(&TemplateName, &TemplateVersion), &StampTemplate> = HashMap::new();
    for (i, t) in doc.templates.iter().enumerate() {
        let path = || format!("templates[{i}]");
        if let Err(e) = crate::capacity::check_capacity_units(t.capacity_units) {
            return Err(DocumentError::at(format!("{}.capacityUnits", path()), e));
        }
        if templates.insert((&t.name, &t.version), t).is_some() {
            return Err(DocumentError::at(
                path(),
                format!("template {} {} appears twice", t.name, t.version),
            ));
        }
    }

    let mut stamps: FxHashSet<&StampId> = FxHashSet::default();
    for (i, s) in doc.stamps.iter().enumerate() {
        let path = || format!("stamps[{i}]");
        if !stamps.insert(&s.id) {
            return Err(DocumentError::at(
                format!("{}.id", path()),
                format!("stamp {} appears twice", s.id),
            ));
        }
        if !region_ids.contains(&s.region) {
            return Err(DocumentError::at(
                format!("{}.region", path()),
                format!("unknown region {}", s.region),
            ));
        }
        if !templates.contains_key(&(&s.template, &s.template_version)) {
            return Err(DocumentError::at(
                format!("{}.templateVersion", path()),
                format!(
                    "no template {} version {} in templates",
                    s.template, s.template_version
                ),
            ));
        }
        if let Err(e) = crate::capacity::check_capacity_units(s.capacity_units) {
            return Err(DocumentError::at(format!("{}.capacityUnits", path()), e));
        }
        if let Some(endpoint) = &s.endpoint {
            if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                return Err(DocumentError::at(
                    format!("{}.endpoint", path()),
                    "must be an http:// or https:// URL",
                ));
            }
        }
    }

    // Each tenant's id, and whether a binding named it yet: one lookup per binding.
    // Fx-hashed and sized once: at a million tenants the default hasher and the table's
    // growth made these checks 2 of the import's 10 seconds.
    let mut tenants: FxHashMap<&TenantId, bool> =
        FxHashMap::with_capacity_and_hasher(doc.tenants.len(), Default::default());
    for (i, t) in doc.tenants.iter().enumerate() {
        let path = || format!("tenants[{i}]");
        if tenants.insert(&t.id, false).is_some() {
            return Err(DocumentError::at(
                format!("{}.id", path()),
                format!("tenant {} appears twice", t.id),
            ));
        }
        if t.display_name.trim().is_empty() {
            return Err(DocumentError::at(
                format!("{}.displayName", path()),
                "must not be empty",
            ));
        }
        if t.group
            .as_ref()
            .is_some_and(|g| g.trim().is_empty() || g.len() > 100)
        {
            return Err(DocumentError::at(
                format!("{}.group", path()),
                "must be 1 to 100 characters",
            ));
        }
        if t.size_units == 0 {
            return Err(DocumentError::at(
                format!("{}.sizeUnits", path()),
                "must be greater than 0",
            ));
        }
        for (j, r) in t.residency.regions.iter().enumerate() {
            if !region_ids.contains(r) {
                return Err(DocumentError::at(
                    format!("{}.residency.regions[{j}]", path()),
                    format!("unknown region {r}"),
                ));
            }
        }
        for (j, g) in t.residency.geographies.iter().enumerate() {
            if g.trim().is_empty() {
                return Err(DocumentError::at(
                    format!("{}.residency.geographies[{j}]", path()),
                    "must not be empty",
                ));
            }
        }
    }

    for (i, b) in doc.bindings.iter().enumerate() {
        let path = || format!("bindings[{i}]");
        let Some(bound) = tenants.get_mut(&b.tenant) else {
            return Err(DocumentError::at(
                format!("{}.tenant", path()),
                format!("unknown tenant {}", b.tenant),
            ));
        };
        if !stamps.contains(&b.stamp) {
            return Err(DocumentError::at(
                format!("{}.stamp", path()),
                format!("unknown stamp {}", b.stamp),
            ));
        }
        if std::mem::replace(bound, true) {
            return Err(DocumentError::at(
                format!("{}.tenant", path()),
                format!("tenant {} is bound twice", b.tenant),
            ));
        }
        if b.version == 0 {
            return Err(DocumentError::at(
                format!("{}.version", path()),
                "must be 1 or more",
            ));
        }
    }
    Ok(())
}
