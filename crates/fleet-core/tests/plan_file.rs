//! Plan files: a round trip keeps every action; a malformed, unknown-field, wrong-version
//! or edited file is refused with the field (and line) and the reason.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_core::plan::{parse_plan_file, plan_to_file, Plan, PlanAction};
use fleet_core::{
    Isolation, RegionId, Residency, StampId, TemplateName, TemplateVersion, Tenant, TenantId, Tier,
};

fn plan() -> Plan {
    Plan {
        name: "Q3 capacity".to_owned(),
        base_version: 412,
        actions: vec![
            PlanAction::AddStamp {
                stamp: StampId::new("fra-02").unwrap(),
                region: RegionId::new("aws-eu-central-1").unwrap(),
                template: TemplateName::new("standard").unwrap(),
                version: TemplateVersion::new("1.4.0").unwrap(),
                capacity_units: Some(800),
                provider: None,
            },
            PlanAction::OnboardTenant {
                tenant: Tenant {
                    id: TenantId::new("acme").unwrap(),
                    display_name: "Acme".to_owned(),
                    tier: Tier::Premium,
                    size_units: 40,
                    residency: Residency::default(),
                    isolation: Isolation::Shared,
                    pinned: false,
                    group: None,
                },
                stamp: None,
            },
            PlanAction::MoveTenant {
                tenant: TenantId::new("contoso-prod").unwrap(),
                to: StampId::new("fra-02").unwrap(),
            },
            PlanAction::DrainStamp {
                stamp: StampId::new("use-02").unwrap(),
            },
            PlanAction::RetireStamp {
                stamp: StampId::new("use-02").unwrap(),
            },
            PlanAction::ChangeCapacity {
                stamp: StampId::new("syd-01").unwrap(),
                capacity_units: 600,
            },
        ],
    }
}

#[test]
fn a_plan_survives_the_round_trip_through_a_file() {
    let text = plan_to_file(&plan());
    assert!(text.contains("\"schemaVersion\": 1"));
    assert!(text.contains("\"action\": \"moveTenant\""));
    assert_eq!(parse_plan_file(&text).unwrap(), plan());
}

#[test]
fn bad_files_are_refused_with_the_field_and_the_reason() {
    let good = plan_to_file(&plan());
    let cases: Vec<(String, &str, &str)> = vec![
        ("{ not json".to_owned(), ".", "key must be a string"),
        (
            good.replace("\"schemaVersion\": 1", "\"schemaVersion\": 9"),
            "schemaVersion",
            "not supported",
        ),
        (
            "{\"plan\": {}}".to_owned(),
            "schemaVersion",
            "not a Stampfleet plan file",
        ),
        (
            good.replace("\"action\": \"drainStamp\"", "\"action\": \"explodeStamp\""),
            "plan.actions[3].action",
            "unknown variant",
        ),
        (
            good.replace(
                "\"to\": \"fra-02\"",
                "\"to\": \"fra-02\", \"when\": \"now\"",
            ),
            "plan.actions[2]",
            "unknown field",
        ),
        (
            good.replace("\"to\": \"fra-02\"", "\"to\": \"Fra 02\""),
            "plan.actions[2]",
            "stamp id \"Fra 02\" is invalid",
        ),
        (
            good.replace("\"capacityUnits\": 600", "\"capacityUnits\": 0"),
            "plan.actions[5].capacityUnits",
            "greater than 0",
        ),
        // An edit after export: the digest no longer matches.
        (
            good.replace("\"capacityUnits\": 600", "\"capacityUnits\": 900"),
            "digest",
            "changed after it was exported",
        ),
    ];
    for (text, path, says) in cases {
        let e = parse_plan_file(&text).unwrap_err();
        assert_eq!(e.path, path, "{e}");
        assert!(e.reason.contains(says), "{path}: {e}");
    }
}
