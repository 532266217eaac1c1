/**
 * A learning test for Ch. 2's claim (§2.6.2, Fig. 2.5: on unseen actions the utility policy over
 * action representations is well above the Nearest-Neighbor baseline, which is high on the training
 * actions only), small enough for a CPU minute. The full Grid World needs far more steps than a test
 * can spend (the package README's probes: still at random play's success after 131k steps), so this
 * is Grid World's choice of skill as a one-step episode (test/skill-choice.ts): 50 offered skills of
 * SkillGridWorld-v0's own splits with its hand-engineered codes, reward = progress towards the goal.
 * Both policies train on the training skills with the same PPO settings and seed, and are evaluated
 * greedily on 256 fresh episodes of the training skills and of the unseen test skills.
 *
 * Measured (seed 1, 40 updates of 64 × 4 episodes; the best offered skill averages 0.74 on train and
 * 0.73 on test, a random one ≈ 0): Ours 0.41 train / 0.29 test; Nearest-Neighbor 0.53 train / 0.17
 * test; Ours with its policy loss ascended (a broken learner, 20 updates) −0.12 train / 0.00 test.
 * Seed 2: Ours 0.37 / 0.27, NN 0.51 / 0.13.
 */
import { initBackend, Rng } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { AgilePPOAgent, nearestNeighborHead } from "../src/index.js";
import { skillCodes, skillEpisodes, skillReward, skillSpaces, skillSplits } from "./skill-choice.js";

beforeAll(async () => {
  await initBackend();
});

const ENVS = 64;
const STEPS = 4;

function trainOnSkills(policy: "ours" | "nearest-neighbor", updates: number, flipPolicyLoss = false) {
  const head =
    policy === "nearest-neighbor"
      ? { head: nearestNeighborHead({ trainIds: skillSplits.train, representations: () => skillCodes }) }
      : {};
  const agent = new AgilePPOAgent(
    skillSpaces,
    { variant: "utility-policy", numEnvs: ENVS, numSteps: STEPS, seed: 1, flipPolicyLoss },
    head,
  );
  const rng = new Rng(2);
  for (let u = 0; u < updates; u++) {
    for (let t = 0; t < STEPS; t++) {
      const obs = skillEpisodes(rng, ENVS, "train");
      const act = agent.actBatch(obs, ENVS, true);
      const rewards = Array.from({ length: ENVS }, (_, b) => skillReward(obs, b, act.actions[b] as number));
      const ones = new Array<number>(ENVS).fill(1);
      agent.recordBatch({ obs, act, rewards, terminated: ones, truncated: ones.map(() => 0), next: obs });
    }
    agent.update();
  }
  // Greedy choices on 256 fresh episodes of each split (the same episodes for every policy).
  const score = (split: "train" | "test") => {
    const obs = skillEpisodes(new Rng(99), 256, split);
    const { actions } = agent.actBatch(obs, 256, false);
    return actions.reduce((sum, id, b) => sum + skillReward(obs, b, id), 0) / 256;
  };
  const result = { train: score("train"), test: score("test") };
  agent.dispose();
  return result;
}

describe("Grid World's choice of skill, on unseen skills (Ch. 2 §2.6.2)", () => {
  it("the utility policy over skill codes is well above Nearest-Neighbor on the test skills; NN is high on train only", () => {
    const ours = trainOnSkills("ours", 40);
    const nn = trainOnSkills("nearest-neighbor", 40);
    expect(ours.test).toBeGreaterThan(0.2);
    expect(ours.test).toBeGreaterThan(nn.test + 0.08);
    expect(nn.train).toBeGreaterThan(nn.test + 0.2);
  }, 300_000);

  it("a broken learner (policy loss ascended) fails the same bar", () => {
    const broken = trainOnSkills("ours", 20, true);
    expect(broken.test).toBeLessThan(0.1);
  }, 300_000);
});
