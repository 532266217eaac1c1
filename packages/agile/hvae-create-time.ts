import { initBackend } from "@qscape/core";
import { trainRepresentations } from "./src/index.js";
await initBackend();
const t0 = performance.now();
const r = trainRepresentations({ env: "CreatePush-v0", seed: 0, representationSize: 128, epochs: 300, batchSize: 32, observationsPerAction: 64, setSize: 16, hidden: 32, actionHidden: 64, encoderLayers: 1 });
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s, training ${r.seconds.toFixed(1)} s, final`, r.meta.final);
