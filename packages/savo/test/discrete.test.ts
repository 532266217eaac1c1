import { initBackend, type MLP, Rng, tf } from "@qscape/core";
import type { ActionRepresentation } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { SavoAgent } from "../src/agent.js";
import { boxEnv, fillReplay, leakedTensors } from "./fixtures.js";

beforeAll(async () => {
  await initBackend();
});

// Items on a 2-D grid in the [−1, 1] box (env units = normalised units for boxEnv(…, 2, 1)).
function gridItems(available?: Uint8Array): ActionRepresentation {
  const coords: number[] = [];
  for (const x of [-1, -0.5, 0, 0.5, 1]) for (const y of [-1, 0, 1]) coords.push(x, y);
  return { itemEmbeddings: Float32Array.from(coords), numItems: 15, dim: 2, ...(available ? { available } : {}) };
}
const isItem = (items: ActionRepresentation, a: ArrayLike<number>) => {
  for (let i = 0; i < items.numItems; i++) {
    if (items.itemEmbeddings[2 * i] === a[0] && items.itemEmbeddings[2 * i + 1] === a[1]) return i;
  }
  return -1;
};
const small = { actorHidden: [16], criticHidden: [16], summarizerHidden: 8, summarySize: 8, batchSize: 16, seed: 2 };

describe("SAVO on discrete items (1-NN snapping)", () => {
  it("snaps every proposal before it conditions the next actor and before Q ranks it", () => {
    const items = gridItems();
    const agent = new SavoAgent(boxEnv(3, 2), small, { items });
    const obs = tf.tensor2d([[0.3, -0.7, 1.2]]);
    const out = tf.tidy(() => {
      const mu = (agent.td3.actors[0] as MLP).apply(obs);
      const { raw, clean } = agent.chain.propose(obs, mu, { snap: agent.snapper?.snap ?? null });
      const nu1 = agent.chain.actors[0] as NonNullable<(typeof agent.chain.actors)[0]>;
      return {
        raw: raw.map((t) => Array.from(t.dataSync())),
        clean: clean.map((t) => Array.from(t.dataSync())),
        nu1OnSnapped: Array.from(nu1.apply(obs, [clean[0] as tf.Tensor2D]).dataSync()),
        nu1OnRaw: Array.from(nu1.apply(obs, [raw[0] as tf.Tensor2D]).dataSync()),
      };
    });
    for (const c of out.clean) expect(isItem(items, c)).toBeGreaterThanOrEqual(0);
    expect(out.raw[0]).not.toEqual(out.clean[0]);
    // ν1 was conditioned on the snapped a0, not on μ's raw output.
    expect(out.raw[1]).toEqual(out.nu1OnSnapped);
    expect(out.raw[1]).not.toEqual(out.nu1OnRaw);
    // The snapped item is the nearest one to the raw output.
    const raw0 = out.raw[0] as number[];
    const d = (i: number) =>
      ((items.itemEmbeddings[2 * i] as number) - (raw0[0] as number)) ** 2 +
      ((items.itemEmbeddings[2 * i + 1] as number) - (raw0[1] as number)) ** 2;
    const nearest = Array.from({ length: 15 }, (_, i) => i).reduce((b, i) => (d(i) < d(b) ? i : b), 0);
    expect(isItem(items, out.clean[0] as number[])).toBe(nearest);

    // Exploring: the noisy candidates Q ranks are items too, and so is the executed action.
    for (let i = 0; i < 10; i++) {
      const choice = agent.chooseAction(new Float32Array([0.1 * i, 0, 0]), true);
      for (const c of choice.candidates) expect(isItem(items, c)).toBeGreaterThanOrEqual(0);
      expect(isItem(items, agent.act(new Float32Array([0, 0.1 * i, 0]), { explore: true }))).toBeGreaterThanOrEqual(0);
    }
    obs.dispose();
    agent.dispose();
  });

  it("never proposes unavailable items, and updates without leaking", () => {
    const available = new Uint8Array(15).fill(1);
    for (const i of [0, 4, 7, 13]) available[i] = 0;
    const items = gridItems(available);
    const agent = new SavoAgent(boxEnv(3, 2), { ...small, policyDelay: 1 }, { items });
    fillReplay(agent, new Rng(3), 40);
    agent.update();
    expect(leakedTensors(() => agent.update())).toBe(0);
    for (let i = 0; i < 20; i++) {
      const choice = agent.chooseAction(new Float32Array([i, -i, 0.5]), true);
      for (const c of choice.candidates) expect(available[isItem(items, c)]).toBe(1);
    }
    agent.dispose();
  });
});
