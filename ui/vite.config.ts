/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The bundle goes into the Python package, which serves it at / (src/slipstream/server/console.py).
// SLIPSTREAM_UI_OUT overrides the folder (scripts/build_ui.sh sets it).
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: process.env.SLIPSTREAM_UI_OUT ?? "../src/slipstream/server/ui_dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npm run dev` against a `slipstream server` on :5000
    proxy: { "/api": "http://127.0.0.1:5000" },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
