// src/lib/backend/tauri.ts is the only module in the UI that may touch Tauri.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { test } from "node:test";
import { UI_DIR } from "./support/harness.mjs";

const SRC = join(UI_DIR, "src");
const ALLOWED = ["src", "lib", "backend", "tauri.ts"].join(sep);

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|js|mjs|svelte)$/.test(e.name) ? [path] : [];
  });
}

test("only src/lib/backend/tauri.ts imports @tauri-apps", () => {
  const offenders = sources(SRC)
    .filter((file) => relative(UI_DIR, file) !== ALLOWED)
    .filter((file) => readFileSync(file, "utf8").includes("@tauri-apps"))
    .map((file) => relative(UI_DIR, file));
  assert.deepEqual(offenders, [], `files importing @tauri-apps: ${offenders.join(", ")}`);
});

test("tauri.ts does import @tauri-apps/api/core", () => {
  const text = readFileSync(join(UI_DIR, ALLOWED), "utf8");
  assert.match(text, /from "@tauri-apps\/api\/core"/);
});

test("the UI references no external resources", () => {
  const files = [...sources(SRC), join(UI_DIR, "index.html")];
  const external = files.filter((file) => /(?:https?:)?\/\/(?!127\.0\.0\.1|localhost)[a-z0-9-]+\.[a-z]/i.test(
    readFileSync(file, "utf8").replace(/http:\/\/www\.w3\.org\/2000\/svg/g, ""),
  ));
  assert.deepEqual(external.map((f) => relative(UI_DIR, f)), []);
});
