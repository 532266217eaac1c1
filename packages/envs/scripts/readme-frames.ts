/**
 * Renders the README frames of CREATE and Dig Lava (docs/create-push.png, docs/dig-lava.png) from
 * the envs' own `render()`, upscaled with nearest-neighbour pixels so the small frames read on a
 * page. Deterministic (fixed seeds):
 *
 *   tsx --conditions=@qscape/source packages/envs/scripts/readme-frames.ts
 */
import { fileURLToPath } from "node:url";
import { Rng } from "@qscape/core";
import { SCRIPTED } from "../bench/create.js";
import type { CreateEnv } from "../src/create/create.js";
import "../src/create/index.js";
import type { ActionSetObservation } from "../src/discrete/action-set.js";
import { DIG_LAVA_SKILLS, type DigLavaEnv } from "../src/discrete/dig-lava.js";
import "../src/discrete/index.js";
import { make } from "../src/registry.js";
import type { RgbFrame } from "../src/render/frame.js";
import { writePng } from "../src/render/index.js";

/** `frame` with every pixel repeated `k` × `k` times. */
export function upscale(frame: RgbFrame, k: number): RgbFrame {
  const width = frame.width * k;
  const height = frame.height * k;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (Math.floor(y / k) * frame.width + Math.floor(x / k)) * 3;
      data.set(frame.data.subarray(src, src + 3), (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/** CreatePush-v0 with the scripted placement (the first seed where it succeeds), one action after placing. */
export function createFrame(): RgbFrame {
  const policy = SCRIPTED["CreatePush-v0"];
  if (!policy) throw new Error("no scripted CreatePush-v0 policy");
  for (let seed = 0; seed < 100; seed++) {
    const env = make("CreatePush-v0", { renderMode: "rgb_array" });
    const create = env.unwrapped as CreateEnv;
    const rng = new Rng(seed);
    let [obs] = env.reset({ seed }) as [ActionSetObservation, unknown];
    let frame: RgbFrame | null = null;
    for (let t = 0; t < 30; t++) {
      const [next, , terminated, truncated, info] = env.step(policy(obs, create, t, rng));
      obs = next as ActionSetObservation;
      if (t === 1) frame = env.render() as RgbFrame;
      if (terminated || truncated) {
        if ((info as { success?: boolean }).success && frame) return frame;
        break;
      }
    }
  }
  throw new Error("the scripted CreatePush-v0 policy succeeded on no seed below 100");
}

/** DigLava-v0 on the first seed that offers dig-orange: two steps right into the orange lava, a dig, a step on. */
export function digLavaFrame(): RgbFrame {
  const dig = DIG_LAVA_SKILLS.indexOf("dig-orange");
  for (let seed = 0; seed < 100; seed++) {
    const env = make("DigLava-v0", { renderMode: "rgb_array" });
    const [obs] = env.reset({ seed }) as [ActionSetObservation, unknown];
    if (!obs.actionIds.includes(dig)) continue;
    for (const a of [0, 0, dig, 0, 0]) env.step(a);
    return (env.unwrapped as DigLavaEnv).render();
  }
  throw new Error("no seed below 100 offers dig-orange");
}

if (process.argv[1]?.endsWith("readme-frames.ts")) {
  const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));
  writePng(upscale(createFrame(), 4), docs("create-push.png"));
  writePng(upscale(digLavaFrame(), 2), docs("dig-lava.png"));
  console.log(`wrote ${docs("create-push.png")} and ${docs("dig-lava.png")}`);
}
