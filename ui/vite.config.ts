import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The app runs inside Tauri under a strict CSP
// (default-src 'self'; script-src 'self'; style-src 'self'; ...):
// everything is bundled, nothing is fetched from elsewhere.
export default defineConfig({
  base: "./",
  plugins: [svelte()],
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Never inline assets as data: URIs beyond what img-src allows.
    assetsInlineLimit: 0,
  },
  server: {
    port: 1420,
    strictPort: true,
    host: "127.0.0.1",
  },
});
