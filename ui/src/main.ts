import { mount } from "svelte";
import "./styles/app.css";
import "./styles/tables.css";
import "./styles/dialog.css";
import "./styles/plans.css";
import App from "./App.svelte";

// The bundle is loaded and runs (for .ci/bench-footprint: launch to first paint).
performance.mark("stampfleet:script-started");

const target = document.getElementById("app");
if (!target) throw new Error("Stampfleet: #app element missing from index.html");

export default mount(App, { target });
