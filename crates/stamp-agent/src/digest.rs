//! A tenant's data in one figure, kept current on every write so a move can compare
//! source and target in O(1) while writes are frozen: the XOR of a 128-bit hash of
//! every (key, value) row, and the key count. XOR makes it order-free and updatable:
//! a write XORs out the old row and XORs in the new one. (It detects accidental
//! divergence, which is what a move must rule out; it is not a defence against a
//! forger, who would need the admin token anyway.)

use sqlx::SqliteConnection;
use xxhash_rust::xxh3::Xxh3;

pub type Digest = [u8; 16];

/// A row's hash: XXH3-128 over the key and the value, each after its length. (It was
/// SHA-256, a tenth as fast, until migration 0004, which makes stored digests be
/// computed again.)
pub fn row(key: &str, value: &str) -> Digest {
    row_parts(key, value.len(), [value.as_bytes()])
}

/// [`row`] of a value of `len` bytes held in `parts`, one after another.
pub fn row_parts<'a>(key: &str, len: usize, parts: impl IntoIterator<Item = &'a [u8]>) -> Digest {
    let mut h = Xxh3::new();
    h.update(&(key.len() as u64).to_le_bytes());
    h.update(key.as_bytes());
    h.update(&(len as u64).to_le_bytes());
    for part in parts {
        h.update(part);
    }
    h.digest128().to_le_bytes()
}

pub fn xor(into: &mut Digest, other: &Digest) {
    for (a, b) in into.iter_mut().zip(other) {
        *a ^= b;
    }
}

/// The XOR of the rows' digests.
pub fn of_entries(entries: &[stamp_protocol::KvEntry]) -> Digest {
    let mut d = Digest::default();
    for e in entries {
        xor(&mut d, &row(&e.key, &e.value));
    }
    d
}

pub fn to_hex(d: &Digest) -> String {
    hex::encode(d)
}

fn parse(text: &str) -> Option<Digest> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

/// The stored digest and key count, when known.
pub async fn stored(
    conn: &mut SqliteConnection,
    tenant: &str,
) -> Result<Option<(Digest, i64)>, sqlx::Error> {
    let row: Option<(Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT digest, key_count FROM tenants WHERE id = ?")
            .bind(tenant)
            .fetch_all(conn)
            .await?
            .into_iter()
            .next();
    Ok(match row {
        Some((Some(d), Some(n))) => parse(&d).map(|d| (d, n)),
        _ => None,
    })
}

pub async fn store(
    conn: &mut SqliteConnection,
    tenant: &str,
    digest: &Digest,
    keys: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tenants SET digest = ?, key_count = ? WHERE id = ?")
        .bind(to_hex(digest))
        .bind(keys)
        .bind(tenant)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies one row change (old value -> new value, either absent) to a known digest;
/// an unknown one stays unknown until the next checksum computes it.
pub async fn update(
    conn: &mut SqliteConnection,
    tenant: &str,
    key: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), sqlx::Error> {
    let Some((mut d, mut n)) = stored(&mut *conn, tenant).await? else {
        return Ok(());
    };
    if let Some(old) = old {
        xor(&mut d, &row(key, old));
        n -= 1;
    }
    if let Some(new) = new {
        xor(&mut d, &row(key, new));
        n += 1;
    }
    store(conn, tenant, &d, n).await
}

/// Computes the digest from every row (tenants from before digests were kept).
/// The caller holds `files.reading()` (or the writer lock).
pub async fn compute(
    conn: &mut SqliteConnection,
    files: &crate::value_files::ValueFiles,
    tenant: &str,
) -> Result<(Digest, i64), sqlx::Error> {
    let (d, n) = recount(&mut *conn, files, tenant).await?;
    store(conn, tenant, &d, n).await?;
    Ok((d, n))
}

/// The digest and key count from every row, without keeping them.
pub async fn recount(
    conn: &mut SqliteConnection,
    files: &crate::value_files::ValueFiles,
    tenant: &str,
) -> Result<(Digest, i64), sqlx::Error> {
    use futures_util::TryStreamExt;
    let mut d = [0u8; 16];
    let mut n = 0i64;
    {
        let mut rows = sqlx::query_as::<_, (String, String, Option<String>)>(
            "SELECT key, value, value_file FROM kv WHERE tenant = ?",
        )
        .bind(tenant)
        .fetch(&mut *conn);
        while let Some((key, value, file)) = rows.try_next().await? {
            let value = files.value(value, file).await?;
            xor(&mut d, &row(&key, &value));
            n += 1;
        }
    }
    Ok((d, n))
}
