import { defineConfig } from "vitest/config";

// Unit tests only: src/**/*.test.ts. The browser tests in tests/*.test.mjs
// run under node:test (`node --test tests/`), never under vitest.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
