//! The local routes endpoint on a real catalogue file: the table as JSON with its
//! version as ETag, 304 while nothing changed, a new version after a binding changes,
//! nothing else served, loopback only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_ops::{serve_routes, Fleet, FleetSlot};

#[tokio::test]
async fn routers_poll_the_table_and_get_304_until_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let fleet = Fleet::open(&path).await.unwrap();
    fleet.create_demo(false).await.unwrap();
    let slot = FleetSlot::new(Ok(path.clone()));
    let addr = serve_routes(slot, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = format!("http://{addr}/v1/routes");
    let http = reqwest::Client::new();

    let first = http.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let table: serde_json::Value = serde_json::from_str(&first.text().await.unwrap()).unwrap();
    assert_eq!(table["routes"].as_array().unwrap().len(), 60);
    assert_eq!(etag, format!("\"{}\"", table["version"]));
    let contoso = table["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tenant"] == "contoso-prod")
        .unwrap();
    assert!(contoso["stamp"].is_string());

    let unchanged = http
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);

    // Any binding change bumps the version: here a whole-document replace.
    let doc = fleet.export().await.unwrap();
    let mut smaller = doc.clone();
    smaller
        .bindings
        .retain(|b| b.tenant.as_str() != "contoso-prod");
    fleet
        .import_json("doc.json", &serde_json::to_string(&smaller).unwrap(), true)
        .await
        .unwrap();
    let changed = http
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);

    assert_eq!(
        http.get(format!("http://{addr}/v1/other"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let refused = serve_routes(FleetSlot::new(Ok(path)), "0.0.0.0:0".parse().unwrap()).await;
    assert!(refused.unwrap_err().message.contains("loopback only"));
}
