//! The local routes endpoint on a real catalogue file: the table as JSON with its
//! version as ETag, 304 while nothing changed, a new version after a binding changes,
//! nothing else served, loopback only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fleet_ops::{serve_routes, Fleet, FleetSlot};

/// GET `url` as a router polls it: with the ETag it last saw.
async fn get_if_none_match(http: &reqwest::Client, url: &str, etag: &str) -> reqwest::Response {
    let request = http.get(url).header("if-none-match", etag);
    request.send().await.unwrap()
}

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

    let unchanged = get_if_none_match(&http, &url, &etag).await;
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
    let changed = get_if_none_match(&http, &url, &etag).await;
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

/// A raw HTTP/1.1 request with exactly these headers (reqwest sets Host itself).
async fn raw_get(addr: std::net::SocketAddr, headers: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET /v1/routes HTTP/1.1\r\n{headers}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn only_loopback_hosts_are_answered_and_a_router_token_is_asked_when_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite");
    let fleet = Fleet::open(&path).await.unwrap();
    fleet.create_demo(false).await.unwrap();
    let addr = serve_routes(
        FleetSlot::new(Ok(path.clone())),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own Host.
    let rebound = raw_get(addr, "Host: evil.example:7878\r\n").await;
    assert!(rebound.starts_with("HTTP/1.1 403"), "{rebound}");
    assert!(!rebound.contains("contoso"), "{rebound}");
    assert!(
        raw_get(addr, "").await.starts_with("HTTP/1.1 4"),
        "no Host at all"
    );
    for host in ["127.0.0.1:7878", "localhost", "[::1]:7878", "127.0.0.2"] {
        let ok = raw_get(addr, &format!("Host: {host}\r\n")).await;
        assert!(ok.starts_with("HTTP/1.1 200"), "{host}: {ok}");
    }

    let with_token = fleet_ops::serve_routes_with_token(
        FleetSlot::new(Ok(path)),
        "127.0.0.1:0".parse().unwrap(),
        Some("router-secret".to_owned()),
    )
    .await
    .unwrap();
    let none = raw_get(with_token, "Host: 127.0.0.1\r\n").await;
    assert!(none.starts_with("HTTP/1.1 401"), "{none}");
    let wrong = raw_get(
        with_token,
        "Host: 127.0.0.1\r\nAuthorization: Bearer nope\r\n",
    )
    .await;
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    let right = raw_get(
        with_token,
        "Host: 127.0.0.1\r\nAuthorization: Bearer router-secret\r\n",
    )
    .await;
    assert!(right.starts_with("HTTP/1.1 200"), "{right}");
}

#[tokio::test]
async fn an_unavailable_catalogue_is_answered_without_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret-place-broken.sqlite");
    std::fs::write(&path, "not a database, long enough to have a header").unwrap();
    let addr = serve_routes(FleetSlot::new(Ok(path)), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let answer = raw_get(addr, "Host: 127.0.0.1\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(!answer.contains("secret-place"), "{answer}");
    assert!(
        !answer.contains(&*dir.path().display().to_string()),
        "{answer}"
    );
}
