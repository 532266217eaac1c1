import { initBackend, setFastDense, tf } from "@qscape/core";
import { PEER_SHAPE, Td3Learner } from "./bench/td3.ts";

const variant = process.argv[2] as "wasm" | "wasm+native";
await initBackend({
  prefer: variant,
  strict: true,
  importModule: async (s) => (s === "@qscape/native" ? import("./src/index.ts") : import(s)),
});
const l = new Td3Learner(PEER_SHAPE, 0);
for (const fast of [true, false, true, false]) {
  setFastDense(fast);
  for (let i = 0; i < 10; i++) l.update();
  const t0 = performance.now();
  for (let i = 0; i < 60; i++) l.update();
  console.log(variant, "fastDense", fast, (60000 / (performance.now() - t0)).toFixed(1), "updates/s");
}
