//! The calls of a tenant move (docs/ARCHITECTURE.md, "Moving a tenant (lossless, resumable)"): the source's
//! transfer grant, snapshot pages, change log, checksum, freeze and fence; the
//! target's import and activation.

use reqwest::Method;
use stamp_protocol::{
    decode_export_page_shared, is_binary_export_page_in, paths, ActivateProof, ChangePage,
    ExportPage, Fence, FreezeLease, ImportProgress, ImportSync, SharedPage, TenantChecksum,
    TenantOnStamp, TransferGrant, EXPORT_PAGE_BINARY,
};

use crate::{percent_encode, ClientError, StampClient};

/// The budget of key and value bytes an export page is asked to fill (`pageBytes`, the
/// largest the rules allow): a gigabyte moves in about 40 pages, not 140.
const PAGE_BYTES_ASKED: u32 = stamp_protocol::rules::MAX_PAGE_BYTES;

impl StampClient {
    /// Move, source side: a transfer token another stamp pulls this tenant with.
    pub async fn transfer_grant(&self, tenant: &str) -> Result<TransferGrant, ClientError> {
        let path = paths::tenant_step(tenant, "transfer");
        self.call(Method::GET, &path, None::<&()>, None).await
    }

    /// Move, source side: a snapshot page after `after` (by key).
    pub async fn export_page(&self, tenant: &str, after: &str) -> Result<ExportPage, ClientError> {
        self.export_page_ahead(tenant, after, 0).await
    }

    /// Move, source side: the snapshot page `skip` pages past the one after `after`
    /// (it names the key it follows in `after` when `skip` > 0).
    pub async fn export_page_ahead(
        &self,
        tenant: &str,
        after: &str,
        skip: u32,
    ) -> Result<ExportPage, ClientError> {
        Ok(self
            .export_page_shared(tenant, after, skip)
            .await?
            .into_export_page())
    }

    /// As [`Self::export_page_ahead`], each value left in the chunks the page arrived
    /// in (a move's target writes its large values to their file from there).
    pub async fn export_page_shared(
        &self,
        tenant: &str,
        after: &str,
        skip: u32,
    ) -> Result<SharedPage, ClientError> {
        let skip = if skip > 0 {
            format!("&skip={skip}")
        } else {
            String::new()
        };
        let path = format!(
            "{}?after={}{skip}&pageBytes={PAGE_BYTES_ASKED}",
            paths::tenant_step(tenant, "export"),
            percent_encode(after)
        );
        // The binary form (no escaping of megabyte values); an agent that only speaks
        // JSON answers in JSON, which is read as before. One that does not know
        // `pageBytes` answers pages of its own size.
        let body = self
            .send(
                Method::GET,
                &path,
                None::<&()>,
                None,
                Some(EXPORT_PAGE_BINARY),
            )
            .await?;
        if is_binary_export_page_in(body.chunks()) {
            decode_export_page_shared(body.chunks())
                .map_err(|e| self.protocol(format!("{path}: {e}")))
        } else {
            serde_json::from_slice::<ExportPage>(&body.joined())
                .map(SharedPage::from)
                .map_err(|e| self.protocol(format!("{path}: malformed answer: {e}")))
        }
    }

    /// Move, source side: logged changes after sequence `after`.
    pub async fn changes(&self, tenant: &str, after: u64) -> Result<ChangePage, ClientError> {
        let path = format!("{}?after={after}", paths::tenant_step(tenant, "changes"));
        self.call(Method::GET, &path, None::<&()>, None).await
    }

    pub async fn checksum(&self, tenant: &str) -> Result<TenantChecksum, ClientError> {
        let path = paths::tenant_step(tenant, "checksum");
        self.call(Method::GET, &path, None::<&()>, None).await
    }

    /// Move, target side: pull from the source for a bounded time; safe to repeat.
    pub async fn import_sync(
        &self,
        tenant: &str,
        request: &ImportSync,
        key: &str,
    ) -> Result<ImportProgress, ClientError> {
        let path = paths::tenant_step(tenant, "import/sync");
        self.call(Method::POST, &path, Some(request), Some(key))
            .await
    }

    /// Move steps without a body: `freeze`, `unfreeze` (source), `activate` (target).
    pub async fn tenant_step(
        &self,
        tenant: &str,
        step: &str,
        key: &str,
    ) -> Result<TenantOnStamp, ClientError> {
        let path = paths::tenant_step(tenant, step);
        self.call(Method::POST, &path, None::<&()>, Some(key)).await
    }

    /// Move, source side: stop the tenant's writes for `lease_secs`; calling it again
    /// (another key) renews the lease.
    pub async fn freeze(
        &self,
        tenant: &str,
        lease_secs: u32,
        key: &str,
    ) -> Result<TenantOnStamp, ClientError> {
        let body = FreezeLease { lease_secs };
        let path = paths::tenant_step(tenant, "freeze");
        self.call(Method::POST, &path, Some(&body), Some(key)).await
    }

    /// Move, target side: take writes, once the source shows it fenced the tenant.
    pub async fn activate(
        &self,
        tenant: &str,
        proof: &ActivateProof,
        key: &str,
    ) -> Result<TenantOnStamp, ClientError> {
        let path = paths::tenant_step(tenant, "activate");
        self.call(Method::POST, &path, Some(proof), Some(key)).await
    }

    /// Move, source side: redirect the tenant to its new home from now on.
    pub async fn fence(
        &self,
        tenant: &str,
        moved_to: &str,
        key: &str,
    ) -> Result<TenantOnStamp, ClientError> {
        let body = Fence {
            moved_to: moved_to.to_owned(),
        };
        let path = paths::tenant_step(tenant, "fence");
        self.call(Method::POST, &path, Some(&body), Some(key)).await
    }
}
