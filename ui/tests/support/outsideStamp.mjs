// A real stamp agent started by a test, not by Stampfleet (a stamp to adopt), with
// tenants provisioned on it through its own API.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { STAMPCTL } from "./harness.mjs";

const AGENT = join(dirname(STAMPCTL), "stamp-agent");

/**
 * Starts stamp `id` in `region` (template version 1.4.0, 500 units) under `dir` with the
 * admin token `token`, and provisions `tenants` ([id, size] pairs) on it. Returns its
 * `base` URL and `stop()`.
 */
export async function startOutsideStamp(dir, { id, region, token, tenants = [] }) {
  const data = join(dir, "outside", id);
  mkdirSync(data, { recursive: true });
  const tokenFile = join(data, "admin.token");
  writeFileSync(tokenFile, `${token}\n`);
  const child = spawn(AGENT, [
    "--stamp-id", id, "--region", region, "--template-version", "1.4.0", "--capacity", "500",
    "--listen", "127.0.0.1:0", "--data-dir", join(data, "data"), "--token-file", tokenFile,
  ], { stdio: ["ignore", "pipe", "ignore"] });
  const stop = () => child.kill("SIGTERM");
  const first = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`stamp-agent ${id} exited (${code}) before listening`)));
  });
  const base = first.trim().replace(/^listening on /, "");
  for (const [tenant, sizeUnits] of tenants) {
    const answer = await fetch(`${base}/v1/tenants/${tenant}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": `setup-${tenant}` },
      body: JSON.stringify({ displayName: tenant, sizeUnits }),
    });
    if (!answer.ok) {
      stop();
      throw new Error(`provisioning ${tenant} on ${id}: ${answer.status} ${await answer.text()}`);
    }
  }
  return { base, stop };
}
