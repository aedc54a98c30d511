//! A TCP proxy on loopback in front of a stamp agent that misbehaves on purpose, per
//! connection: refuses it (closed at once), answers 503 without asking the agent,
//! delays it, or cuts it after a random number of answer bytes. Seeded, so a failing
//! run can be replayed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Percent chances per connection, and the longest delay.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    pub refuse: u32,
    pub error_503: u32,
    pub cut: u32,
    pub max_delay_ms: u64,
}

#[derive(Debug, Default)]
pub struct Counts {
    pub connections: AtomicU32,
    pub refused: AtomicU32,
    pub errors: AtomicU32,
    pub cut: AtomicU32,
}

pub struct FaultProxy {
    pub url: String,
    pub counts: Arc<Counts>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn next(rng: &Mutex<u64>, n: u64) -> u64 {
    let mut x = rng.lock().unwrap();
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x % n.max(1)
}

pub async fn start(upstream: SocketAddr, seed: u64, faults: Faults) -> FaultProxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counts = Arc::new(Counts::default());
    let rng = Arc::new(Mutex::new(seed | 1));
    let c = counts.clone();
    let task = tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            c.connections.fetch_add(1, Ordering::Relaxed);
            let roll = next(&rng, 100) as u32;
            let delay = Duration::from_millis(next(&rng, faults.max_delay_ms + 1));
            let cut_after = next(&rng, 4096) as usize;
            let c = c.clone();
            tokio::spawn(async move {
                if roll < faults.refuse {
                    c.refused.fetch_add(1, Ordering::Relaxed);
                    drop(client);
                } else if roll < faults.refuse + faults.error_503 {
                    c.errors.fetch_add(1, Ordering::Relaxed);
                    answer_503(client).await;
                } else {
                    tokio::time::sleep(delay).await;
                    let cut = roll < faults.refuse + faults.error_503 + faults.cut;
                    if cut {
                        c.cut.fetch_add(1, Ordering::Relaxed);
                    }
                    forward(client, upstream, cut.then_some(cut_after)).await;
                }
            });
        }
    });
    FaultProxy { url, counts, task }
}

async fn answer_503(mut client: TcpStream) {
    let mut buf = [0u8; 8192];
    let _ = client.read(&mut buf).await;
    let body = r#"{"code":"internal","message":"injected by the fault proxy"}"#;
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = client.write_all(head.as_bytes()).await;
    let _ = client.write_all(body.as_bytes()).await;
}

/// Copies both ways; with `cut`, closes both after that many answer bytes.
async fn forward(client: TcpStream, upstream: SocketAddr, cut: Option<usize>) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut cr, &mut sw).await;
        let _ = sw.shutdown().await;
    });
    match cut {
        None => {
            let _ = tokio::io::copy(&mut sr, &mut cw).await;
        }
        Some(limit) => {
            let mut limited = (&mut sr).take(limit as u64);
            let _ = tokio::io::copy(&mut limited, &mut cw).await;
        }
    }
    let _ = cw.shutdown().await;
    up.abort();
}
