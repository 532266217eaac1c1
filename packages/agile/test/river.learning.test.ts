/**
 * Learning tests on Dig Lava's key decision (thesis §3.6.2 / App. B A.1), small enough for a CPU
 * minute: at the pink river, step in and dig (pays only when dig-pink is in this episode's action
 * set) or go round (always pays less). One-step episodes with DigLava-v0's action-set sampling and
 * Table B.1's representations (test/river-choice.ts). The full task needs ~8 × 10⁶ env steps
 * (Table B.4); see the package README for what the full-task runs showed.
 *
 * - Utility-Policy scores move-right without seeing the rest of the set, so stepping in is worth
 *   0.5 · shortcut on average; it must learn the long way round on every set (the paper: "Utility-
 *   Policy takes the long, safe route").
 * - AGILE-PPO must learn at least as well (a broken learner — flipped loss, padded slots with
 *   probability, NaNs — would not reach the detour's return on every set).
 * - AGILE's critic V(s, summary) must tell the two kinds of set apart through its summary GAT
 *   (a supervised probe, 200 Adam steps), which nothing in Utility-Policy can do.
 */
import { Adam, initBackend, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { AgilePPOAgent, type AgileVariant } from "../src/index.js";
import { digPinkListed, RIVER, riverReward, riverSets, riverSpaces } from "./river-choice.js";

beforeAll(async () => {
  await initBackend();
});

const ENVS = 64;
const STEPS = 4;

function trainOnRiver(variant: AgileVariant, updates: number, flipPolicyLoss = false) {
  const agent = new AgilePPOAgent(riverSpaces, { variant, numEnvs: ENVS, numSteps: STEPS, seed: 1, flipPolicyLoss });
  const rng = new Rng(2);
  for (let u = 0; u < updates; u++) {
    for (let t = 0; t < STEPS; t++) {
      const obs = riverSets(rng, ENVS);
      const act = agent.actBatch(obs, ENVS, true);
      const rewards = Array.from({ length: ENVS }, (_, b) => riverReward(obs, b, act.actions[b] as number));
      const ones = new Array<number>(ENVS).fill(1);
      agent.recordBatch({ obs, act, rewards, terminated: ones, truncated: ones.map(() => 0), next: obs });
    }
    agent.update();
  }
  // Greedy choices on 256 fresh sets.
  const test = riverSets(new Rng(99), 256);
  const { actions } = agent.actBatch(test, 256, false);
  const stats = { ret: 0, withDig: 0, detourWithDig: 0, withoutDig: 0, detourWithoutDig: 0 };
  actions.forEach((a, b) => {
    stats.ret += riverReward(test, b, a) / 256;
    if (digPinkListed(test, b)) {
      stats.withDig += 1;
      stats.detourWithDig += a === RIVER.detour ? 1 : 0;
    } else {
      stats.withoutDig += 1;
      stats.detourWithoutDig += a === RIVER.detour ? 1 : 0;
    }
  });
  agent.dispose();
  return stats;
}

describe("Dig Lava's river decision", () => {
  it("Utility-Policy takes the long way round whether or not dig-pink is offered", () => {
    const s = trainOnRiver("utility-policy", 20);
    console.log("Utility-Policy", JSON.stringify(s));
    expect(s.withDig).toBeGreaterThan(80);
    expect(s.withoutDig).toBeGreaterThan(80);
    expect(s.detourWithDig / s.withDig).toBeGreaterThanOrEqual(0.95);
    expect(s.detourWithoutDig / s.withoutDig).toBeGreaterThanOrEqual(0.95);
    expect(s.ret).toBeGreaterThanOrEqual(0.57);
  });

  it("a broken learner (policy loss ascended) fails the same thresholds", () => {
    const s = trainOnRiver("utility-policy", 20, true);
    console.log("Utility-Policy, flipped loss", JSON.stringify(s));
    expect(s.ret).toBeLessThan(0.3);
  });

  it("AGILE-PPO learns the river decision at least as well (no broken learner)", () => {
    const s = trainOnRiver("agile", 20);
    console.log("AGILE-PPO", JSON.stringify(s));
    // Safe on every set without dig-pink; on sets with it, the detour or the shortcut.
    expect(s.detourWithoutDig / s.withoutDig).toBeGreaterThanOrEqual(0.95);
    expect(s.ret).toBeGreaterThanOrEqual(0.57);
  });

  it("AGILE's critic, through its summary GAT, tells sets with dig-pink from sets without", () => {
    // A supervised probe: regress V(s, summary) on "dig-pink is listed"; the state is constant.
    const agent = new AgilePPOAgent(riverSpaces, { variant: "agile", seed: 3 });
    const opt = new Adam("probe", agent.critic, { lr: 1e-3 });
    const data = new Rng(5);
    const labelsOf = (obs: ReturnType<typeof riverSets>, n: number) =>
      Float32Array.from({ length: n }, (_, b) => (digPinkListed(obs, b) ? 1 : 0));
    for (let step = 0; step < 200; step++) {
      const obs = riverSets(data, 64);
      opt.minimize(() =>
        tf.tidy(() => tf.mean(tf.square(tf.sub(agent.critic.apply(agent.tensors(obs, 64)), labelsOf(obs, 64))))),
      );
    }
    const test = riverSets(new Rng(6), 256);
    const values = tf.tidy(() => agent.critic.apply(agent.tensors(test, 256)).dataSync() as Float32Array);
    const labels = labelsOf(test, 256);
    const accuracy = values.reduce((s, v, b) => s + ((v > 0.5 ? 1 : 0) === labels[b] ? 1 : 0), 0) / 256;
    console.log("critic probe accuracy", accuracy);
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
    agent.dispose();
  });
});
