import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type EnvSpaces,
  initBackend,
  loadCheckpoint,
  Rng,
  readParameters,
  type Snapshot,
  saveCheckpoint,
  TrainingLoop,
  tf,
} from "@qscape/core";
import { type ActionSetObservation, make, stackActionSetObservations } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { AgilePPOAgent, actionSetShape, type HybridAction } from "./agent.js";
import { agileAlgorithms } from "./bench.js";
import { AGILE_VARIANTS, AgileConfig } from "./config.js";
import { HybridActionSpaceError } from "./errors.js";
import { BETA_EDGE, BetaDistribution, betaMode, digamma, lgamma, sampleBeta } from "./placement.js";
import { continuousOutputHead } from "./representations/continuous-output.js";
import { trainVector } from "./train.js";

beforeAll(async () => {
  await initBackend();
});

// ---- references computed here, independently of placement.ts's series ----------------------------

const EULER = 0.5772156649015329;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
/** log Γ(x), x > 0.5, by the Lanczos approximation (g = 7). */
function lgammaRef(x: number): number {
  const y = x - 1;
  let a = LANCZOS[0] as number;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}
/** ψ(x) as the central difference of lgammaRef. */
const digammaRef = (x: number) => (lgammaRef(x + 1e-5) - lgammaRef(x - 1e-5)) / 2e-5;
const logBetaPdf = (u: number, a: number, b: number) =>
  (a - 1) * Math.log(u) + (b - 1) * Math.log(1 - u) - (lgammaRef(a) + lgammaRef(b) - lgammaRef(a + b));
const betaEntropy = (a: number, b: number) =>
  lgammaRef(a) +
  lgammaRef(b) -
  lgammaRef(a + b) -
  (a - 1) * digammaRef(a) -
  (b - 1) * digammaRef(b) +
  (a + b - 2) * digammaRef(a + b);
const softplus = (x: number) => Math.log1p(Math.exp(x));

// ---- a hand-checkable hybrid env: 6 tools, 2-d representations, 4 slots, position Box(-1, 1, [2]) ----

const SLOTS = 4;
const TABLE = Float32Array.from([0, 0, 1, 0, 0, 1, 0.9, 0.2, 0.1, 0.8, -1, -1]);
const hybridSpaces = (low = [-1, -1], high = [1, 1]) =>
  ({
    id: "TinyHybrid",
    observationSpace: { spaces: { state: { shape: [2] }, actionFeatures: { shape: [SLOTS, 2] } } },
    actionSpace: { spaces: { tool: { n: 6 }, position: { shape: [2], low, high } } },
  }) as unknown as EnvSpaces;
const tiny = { hidden: 8, graphHidden: 8, numEnvs: 1, numSteps: 4, seed: 1 } as const;

/** An observation listing `ids` (−1: a padded slot). */
function tinyObs(ids: number[], state = [0.3, -0.2]): ActionSetObservation {
  const features = new Float32Array(SLOTS * 2);
  ids.forEach((id, k) => {
    if (id >= 0) features.set(TABLE.subarray(id * 2, id * 2 + 2), k * 2);
  });
  return {
    state: Float32Array.from(state),
    actionIds: Int32Array.from(ids),
    actionFeatures: features,
    actionMask: Uint8Array.from(ids, (id) => (id >= 0 ? 1 : 0)),
  };
}

/** Sets a Linear layer to output `bias` whatever its input. */
function constantOutput(layer: { weight: tf.Variable; bias: tf.Variable }, bias: number[]): void {
  layer.weight.assign(tf.zerosLike(layer.weight));
  tf.tidy(() => layer.bias.assign(tf.tensor1d(bias)));
}

const hybridAgent = (config: Record<string, unknown> = {}, spaces = hybridSpaces()) =>
  new AgilePPOAgent<HybridAction>(spaces, { ...tiny, variant: "utility-policy", ...config });

describe("the Beta of CREATE's placement head (Ch. 2 §2.4, App. A D.3)", () => {
  it("lgamma and digamma match closed forms at integers and half-integers; lgamma's gradient is digamma", () => {
    const x = [1, 1.5, 2, 2.5, 3, 4, 5, 40];
    const sqrtPi = Math.sqrt(Math.PI);
    const lgammaHand = [0, Math.log(sqrtPi / 2), 0, Math.log((3 * sqrtPi) / 4), Math.log(2), Math.log(6), Math.log(24)];
    const psi15 = 2 - EULER - 2 * Math.log(2);
    const digammaHand = [-EULER, psi15, 1 - EULER, psi15 + 2 / 3, 1.5 - EULER, 11 / 6 - EULER, 25 / 12 - EULER];
    const [lg, dg, grad] = tf.tidy(() => {
      const t = tf.tensor1d(x);
      return [
        lgamma(t).dataSync(),
        digamma(t).dataSync(),
        tf
          .grad((v: tf.Tensor) => tf.sum(lgamma(v)))(t)
          .dataSync(),
      ] as Float32Array[];
    });
    lgammaHand.forEach((v, i) => {
      expect(lg?.[i]).toBeCloseTo(v, 5);
    });
    digammaHand.forEach((v, i) => {
      expect(dg?.[i]).toBeCloseTo(v, 5);
    });
    expect(lg?.[7]).toBeCloseTo(lgammaRef(40), 3); // 106.63…: float32 keeps ~7 significant digits
    x.forEach((v, i) => {
      expect(grad?.[i]).toBeCloseTo(digammaRef(v), 4);
    });
  });

  it("log-prob and entropy: Beta(2, 3) at 0.25 and Beta(1.5, 2.5) at 0.6, by hand", () => {
    // Beta(2, 3): B = Γ(2)Γ(3)/Γ(5) = 1/12, pdf(0.25) = 12 · 0.25 · 0.75² = 1.6875.
    // H = log B − ψ(2) − 2ψ(3) + 3ψ(5) = −log 12 − (1 − γ) − 2(3/2 − γ) + 3(25/12 − γ).
    const h23 = -Math.log(12) - (1 - EULER) - 2 * (1.5 - EULER) + 3 * (25 / 12 - EULER);
    // Beta(1.5, 2.5): B = Γ(1.5)Γ(2.5)/Γ(4) = (√π/2)(3√π/4)/6 = π/16.
    const psi15 = 2 - EULER - 2 * Math.log(2);
    const logB = Math.log(Math.PI / 16);
    const lp1525 = 0.5 * Math.log(0.6) + 1.5 * Math.log(0.4) - logB;
    const h1525 = logB - 0.5 * psi15 - 1.5 * (psi15 + 2 / 3) + 2 * (11 / 6 - EULER);
    const [logProb, entropy] = tf.tidy(() => {
      const dist = new BetaDistribution(tf.tensor2d([[2, 1.5]]), tf.tensor2d([[3, 2.5]]));
      return [dist.logProb(tf.tensor2d([[0.25, 0.6]])).dataSync(), dist.entropy().dataSync()] as Float32Array[];
    });
    // Per dimension, then summed over the two (x, y).
    expect(Math.log(1.6875)).toBeCloseTo(logBetaPdf(0.25, 2, 3), 10);
    expect(lp1525).toBeCloseTo(logBetaPdf(0.6, 1.5, 2.5), 10);
    expect(h23).toBeCloseTo(betaEntropy(2, 3), 6);
    expect(logProb?.[0]).toBeCloseTo(Math.log(1.6875) + lp1525, 5);
    expect(entropy?.[0]).toBeCloseTo(h23 + h1525, 5);
  });

  it("draws have the Beta's mean and variance, stay inside [ε, 1 − ε], and repeat with the seed", () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 4000 }, () => sampleBeta(2, 3, rng));
    };
    const u = draw(5);
    const mean = u.reduce((s, v) => s + v, 0) / u.length;
    const variance = u.reduce((s, v) => s + (v - mean) ** 2, 0) / u.length;
    expect(mean).toBeCloseTo(0.4, 1.7); // 2/5; standard error 0.003
    expect(variance).toBeCloseTo(0.04, 2); // αβ/((α+β)²(α+β+1)) = 6/150
    expect(u.every((v) => v >= BETA_EDGE && v <= 1 - BETA_EDGE && v === Math.fround(v))).toBe(true);
    expect(draw(5)).toEqual(u);
    expect(betaMode(2, 3)).toBe(Math.fround(1 / 3));
    expect(betaMode(1, 1)).toBe(0.5); // no mode: the mean
  });
});

describe("AgilePPOAgent on a hybrid (tool, position) action space", () => {
  it("switches the placement head on from the action space alone (a Discrete inventory gets none)", () => {
    const agent = hybridAgent();
    expect(actionSetShape(hybridSpaces(), {}).position?.dim).toBe(2);
    expect(agent.placement?.dim).toBe(2);
    expect(agent.placement?.inputSize).toBe(8); // e_s
    const agile = hybridAgent({ variant: "agile" });
    expect(agile.placement?.inputSize).toBe(16); // s′ = (e_s, c̄^R), §3.5.2
    const plain = new AgilePPOAgent(make("DigLava-v0"), tiny);
    expect(plain.placement).toBeNull();
    expect(AgileConfig.parse({}).placementEntropyScale).toBe(0.1);
    for (const a of [agent, agile, plain]) a.dispose();
  });

  it("the joint log-prob is the tool's plus the two Betas' (of u ∈ [0, 1]); positions = 2u − 1 ∈ [−1, 1]", () => {
    const agent = hybridAgent();
    const obs = stackActionSetObservations([tinyObs([3, -1, 5, 0])]);
    const { alpha, beta } = agent.placementParameters(obs, 1);
    const probs = agent.probabilities(obs, 1);
    for (let i = 0; i < 50; i++) {
      const act = agent.actBatch(obs, 1, true);
      const u = Array.from(act.placements as Float32Array);
      const slot = act.slots[0] as number;
      const tool = Math.log(probs[slot] as number);
      const placement = u.reduce((s, v, j) => s + logBetaPdf(v, alpha[j] as number, beta[j] as number), 0);
      expect(act.logProbs[0]).toBeCloseTo(tool + placement, 4);
      const positions = Array.from(act.positions as Float32Array);
      positions.forEach((p, j) => {
        expect(p).toBeGreaterThanOrEqual(-1);
        expect(p).toBeLessThanOrEqual(1);
        expect(p).toBe(Math.fround(2 * (u[j] as number) - 1));
      });
    }
    // Another box: low + (high − low)·u.
    const boxed = hybridAgent({}, hybridSpaces([0, -3], [1, 5]));
    const act = boxed.actBatch(obs, 1, true);
    const u = act.placements as Float32Array;
    expect(act.positions?.[0]).toBe(u[0]);
    expect(act.positions?.[1]).toBeCloseTo(-3 + 8 * (u[1] as number), 5);
    agent.dispose();
    boxed.dispose();
  });

  it("greedy acting takes the most probable tool and the Betas' modes", () => {
    const agent = hybridAgent();
    const placement = agent.placement;
    if (!placement) throw new Error("no placement head");
    constantOutput(placement.alpha, [1, 0.3]);
    constantOutput(placement.beta, [2, -0.5]);
    const a = [1 + softplus(1), 1 + softplus(0.3)];
    const b = [1 + softplus(2), 1 + softplus(-0.5)];
    const mode = a.map((aj, j) => (aj - 1) / (aj + (b[j] as number) - 2));
    const obs = tinyObs([3, -1, 5, 0]);
    const stacked = stackActionSetObservations([obs]);
    const probs = Array.from(agent.probabilities(stacked, 1));
    const action = agent.act(obs, { explore: false });
    expect(action.tool).toBe(obs.actionIds[probs.indexOf(Math.max(...probs))]);
    mode.forEach((m, j) => {
      expect(action.position[j]).toBeCloseTo(2 * m - 1, 6);
    });
    const greedy = agent.actBatch(stacked, 1, false);
    mode.forEach((m, j) => {
      expect(greedy.placements?.[j]).toBeCloseTo(m, 6);
    });
    expect(Array.from(greedy.positions as Float32Array)).toEqual(Array.from(action.position));
    expect(agent.act(obs, { explore: false })).toEqual(action); // deterministic
    agent.dispose();
  });

  it.each(["utility-policy", "agile"])(
    "%s: a sampled evaluation (ActOptions.rng) draws tool and placement from the given generator and leaves training as it was",
    (variant) => {
      const obs = tinyObs([3, -1, 5, 0]);
      const evaluated = hybridAgent({ variant });
      const untouched = hybridAgent({ variant });
      expect(evaluated.samplesWithGivenRng).toBe(true);
      const draws = Array.from({ length: 8 }, (_, k) => evaluated.act(obs, { explore: true, rng: new Rng(k) }));
      // Samples, not the greedy action: tools and positions vary across generators...
      expect(new Set(draws.map((d) => d.tool)).size).toBeGreaterThan(1);
      expect(new Set(draws.map((d) => d.position[0])).size).toBeGreaterThan(1);
      // ...and repeat with the generator.
      expect(evaluated.act(obs, { explore: true, rng: new Rng(3) })).toEqual(draws[3]);
      // Nothing was kept for learning: a transition must follow a training act.
      expect(() =>
        evaluated.observe({
          obs,
          action: draws[0] as HybridAction,
          reward: 0,
          nextObs: obs,
          terminated: false,
          truncated: false,
        }),
      ).toThrow(/must follow an act/);
      // The agent's own stream is where it was: its training draws equal a fresh agent's.
      for (let t = 0; t < 5; t++) {
        const a = evaluated.act(obs, { explore: true });
        expect(a).toEqual(untouched.act(obs, { explore: true }));
        for (const agent of [evaluated, untouched])
          agent.observe({ obs, action: a, reward: t, nextObs: obs, terminated: false, truncated: false });
      }
      expect(evaluated.rolloutLength).toBe(5);
      evaluated.dispose();
      untouched.dispose();
    },
  );

  it.each([...AGILE_VARIANTS])("%s acts (greedy and sampled) and updates with the placement head", (variant) => {
    const agent = hybridAgent({ variant, maskHidden: 8, epochs: 1 });
    const summary = !["utility-policy", "mask-output", "mask-input-output"].includes(variant);
    expect(agent.placement?.inputSize).toBe(summary ? 16 : 8);
    const before = tf.memory().numTensors;
    const obs = tinyObs([3, -1, 5, 0]);
    for (let t = 0; t < 4; t++) {
      expect([3, 5, 0]).toContain(agent.act(obs, { explore: false }).tool);
      const action = agent.act(obs, { explore: true });
      expect([3, 5, 0]).toContain(action.tool);
      agent.observe({ obs, action, reward: t, nextObs: obs, terminated: false, truncated: false });
    }
    expect(Number.isFinite(agent.update().loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
  });

  it.each(["utility-policy", "agile"])("%s: padded tool slots never get probability", (variant) => {
    const agent = hybridAgent({ variant });
    const obs = tinyObs([3, -1, 5, -1]);
    const probs = agent.probabilities(stackActionSetObservations([obs]), 1);
    expect(probs[1]).toBe(0);
    expect(probs[3]).toBe(0);
    for (let i = 0; i < 100; i++) expect([3, 5]).toContain(agent.act(obs, { explore: true }).tool);
    agent.dispose();
  });

  it("the entropy bonus is the tool's plus placementEntropyScale × the Betas' (Table A.3: 0.1)", () => {
    const obs = stackActionSetObservations([tinyObs([3, -1, 5, 0])]);
    const slots = Int32Array.from([0]);
    const u = Float32Array.from([0.3, 0.8]);
    const [scaled, unscaled] = [0.1, 0].map((placementEntropyScale) => {
      const agent = hybridAgent({ placementEntropyScale });
      const { alpha, beta } = agent.placementParameters(obs, 1);
      const probs = Array.from(agent.probabilities(obs, 1)).filter((p) => p > 0);
      const out = { ...agent.evaluateActions(obs, 1, slots, u), alpha, beta, probs };
      agent.dispose();
      return out;
    });
    if (!scaled || !unscaled) throw new Error("unreachable");
    const toolEntropy = -scaled.probs.reduce((s, p) => s + p * Math.log(p), 0);
    const betas = betaEntropy(scaled.alpha[0]!, scaled.beta[0]!) + betaEntropy(scaled.alpha[1]!, scaled.beta[1]!);
    expect(scaled.placementEntropies?.[0]).toBeCloseTo(betas, 4);
    expect(unscaled.entropies[0]).toBeCloseTo(toolEntropy, 5);
    expect(scaled.entropies[0]).toBeCloseTo(toolEntropy + 0.1 * betas, 5);
    expect(scaled.logProbs[0]).toBe(unscaled.logProbs[0]); // the scale touches the entropy only
  });

  it("the rollout keeps the sampled u, whose update-time log-prob is the act-time one; act and update leave no tensors", () => {
    const agent = hybridAgent({ numSteps: 8 });
    const before = tf.memory().numTensors;
    const obs = [tinyObs([3, -1, 5, 0]), tinyObs([1, 2, 4, -1], [-0.5, 0.1])];
    for (let t = 0; t < 8; t++) {
      const o = obs[t % 2] as ActionSetObservation;
      agent.act(o, { explore: false });
      const action = agent.act(o, { explore: true });
      agent.observe({ obs: o, action, reward: t % 3, nextObs: o, terminated: false, truncated: false });
    }
    const rollout = agent.stateParts().stateful?.rollout;
    const kept = rollout?.getState() as {
      obs: Parameters<AgilePPOAgent["evaluateActions"]>[0];
      slots: Int32Array;
      logProbs: Float32Array;
      placements: Float32Array;
    }[];
    expect(kept).toHaveLength(8);
    for (const col of kept) {
      expect(col.placements).toHaveLength(2);
      const again = agent.evaluateActions(col.obs, 1, col.slots, col.placements);
      expect(again.logProbs[0]).toBeCloseTo(col.logProbs[0] as number, 5);
    }
    const weights = readParameters(agent.placement!).map((p) => Array.from(p.data));
    const metrics = agent.update();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(metrics.loss)).toBe(true);
    expect(metrics.placementEntropy).toBeGreaterThan(-10);
    // f_χ is trained with the actor (θ = {ν, ω, χ}).
    expect(readParameters(agent.placement!).map((p) => Array.from(p.data))).not.toEqual(weights);
    agent.dispose();
  });

  it("a Dict action space it does not understand, or a policy head on the hybrid space, is refused by name before any weight", () => {
    const before = tf.memory().numTensors;
    const odd = {
      ...hybridSpaces(),
      actionSpace: { spaces: { index: { n: 6 }, pos: { shape: [2], low: [-1, -1], high: [1, 1] } } },
    } as unknown as EnvSpaces;
    expect(() => new AgilePPOAgent(odd, tiny)).toThrow(HybridActionSpaceError);
    expect(() => new AgilePPOAgent(odd, tiny)).toThrow(/TinyHybrid's action space is a Dict with keys \{index, pos\}/);
    const unbounded = {
      ...hybridSpaces(),
      actionSpace: { spaces: { tool: { n: 6 }, position: { shape: [2], low: [-1, -Infinity], high: [1, 1] } } },
    } as unknown as EnvSpaces;
    expect(() => new AgilePPOAgent(unbounded, tiny)).toThrow(HybridActionSpaceError);
    expect(() => new AgilePPOAgent(hybridSpaces(), tiny, { head: continuousOutputHead() })).toThrow(
      /a policy head .* chooses the tool only/,
    );
    expect(tf.memory().numTensors).toBe(before);
    for (const id of ["agile-ppo", "utility-policy"]) {
      const entry = agileAlgorithms.find((e) => e.id === id);
      expect(entry?.supports(odd)).toMatch(/does not understand/);
      expect(entry?.supports(hybridSpaces())).toBeNull();
    }
  });
});

describe("agile-ppo and utility-policy on CREATE", () => {
  const small = { hidden: 16, graphHidden: 16, numEnvs: 2, numSteps: 16, seed: 4, epochs: 1 };

  it.each(["agile-ppo", "utility-policy"])("%s: the bench entry acts in CreatePush-v0 and updates", (id) => {
    const entry = agileAlgorithms.find((e) => e.id === id);
    if (!entry) throw new Error(`${id} is not registered`);
    const env = make("CreatePush-v0");
    expect(entry.supports(env)).toBeNull();
    expect(entry.supports(make("CreateActivatorsPush-v0"))).toBeNull();
    const agent = entry.create(env, {
      seed: 4,
      hidden: [16],
      warmupSteps: 0,
      config: { numEnvs: 1, numSteps: 12, epochs: 1 },
    }).agent as AgilePPOAgent<HybridAction>;
    expect(agent.placement).not.toBeNull();
    let [obs] = env.reset({ seed: 0 });
    for (let t = 0; t < 12; t++) {
      const listed = new Set(Array.from(obs.actionIds as Int32Array).filter((i) => i >= 0));
      const action = agent.act(obs, { explore: true });
      expect(listed.has(action.tool)).toBe(true);
      expect(action.position.every((p) => p >= -1 && p <= 1)).toBe(true);
      const [next, reward, terminated, truncated] = env.step(action);
      agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
      obs = terminated || truncated ? env.reset({ seed: t + 1 })[0] : next;
    }
    const before = tf.memory().numTensors;
    expect(Number.isFinite(agent.update().loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    agent.dispose();
    env.close();
  });

  it("trainVector runs CREATE's vector envs with { tool, position } actions", () => {
    const agent = new AgilePPOAgent<HybridAction>(make("CreatePush-v0"), { ...small, numSteps: 4 });
    const run = trainVector(agent, { env: "CreatePush-v0", totalSteps: 8, seed: 0 });
    expect(run.updates).toBe(1);
    agent.dispose();
  });

  it("save/load resumes a run exactly (mid-rollout, through core's TrainingLoop, a checkpoint on disk)", () => {
    const loopConfig = { totalSteps: 48, evalEvery: 0, evalEpisodes: 1, seed: 9, updateEvery: 16 };
    const build = () => {
      const agent = new AgilePPOAgent<HybridAction>(make("CreatePush-v0"), { ...small, numSteps: 8, variant: "agile" });
      const loop = new TrainingLoop(loopConfig, { env: make("CreatePush-v0"), agent });
      return { agent, loop };
    };
    const a = build();
    a.loop.runUntil(20, { toEpisodeEnd: true });
    expect(a.agent.rolloutLength).toBeGreaterThan(0); // the checkpoint falls inside a rollout
    const dir = mkdtempSync(join(tmpdir(), "qscape-agile-create-"));
    try {
      saveCheckpoint(dir, { agent: a.agent.save(), loop: a.loop.save() });
      const first = a.loop.run();
      const b = build();
      const snapshot = loadCheckpoint(dir) as { agent: Snapshot; loop: Snapshot };
      b.agent.load(snapshot.agent);
      b.loop.load(snapshot.loop);
      const second = b.loop.run();
      expect(second.evals.at(-1)?.returns).toEqual(first.evals.at(-1)?.returns);
      expect(second.episodes).toEqual(first.episodes);
      const weights = (agent: AgilePPOAgent<HybridAction>) =>
        [agent.actor, agent.critic, agent.placement!].flatMap((n) => readParameters(n).map((t) => Array.from(t.data)));
      expect(weights(b.agent)).toEqual(weights(a.agent));
      expect(b.agent.counters()).toEqual(a.agent.counters());
      b.agent.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    a.agent.dispose();
  });
});

describe("a Discrete inventory is untouched by the placement head", () => {
  // Recorded before the hybrid head was added (the same code path must give the same numbers).
  const pinned = {
    agile: {
      actions: [1, 1, 1, 3, 7, 6, 7, 0, 1, 6, 4, 2, 0, 4, 3, 3],
      policyLoss: -0.0056084671523422,
      valueLoss: 0.001080077508049726,
      entropy: 1.9458187445998192,
      greedy: 1,
    },
    "utility-policy": {
      actions: [1, 1, 1, 3, 7, 6, 7, 0, 1, 6, 4, 2, 0, 4, 3, 3],
      policyLoss: -0.012429431080818176,
      valueLoss: 0.001137583431955136,
      entropy: 1.9452493637800217,
      greedy: 0,
    },
  } as const;

  it.each(["agile", "utility-policy"] as const)("%s on Dig Lava: the same actions and losses", (variant) => {
    const env = make("DigLava-v0");
    const agent = new AgilePPOAgent(env, { variant, hidden: 16, graphHidden: 16, numEnvs: 1, numSteps: 16, seed: 4 });
    let [obs] = env.reset({ seed: 0 });
    const actions: number[] = [];
    for (let t = 0; t < 16; t++) {
      const action = agent.act(obs, { explore: true });
      actions.push(action);
      const [next, reward, terminated, truncated] = env.step(action);
      agent.observe({ obs, action, reward, nextObs: next, terminated, truncated });
      obs = terminated || truncated ? env.reset({ seed: t + 1 })[0] : next;
    }
    const m = agent.update();
    const want = pinned[variant];
    expect(actions).toEqual(want.actions);
    expect(m.policyLoss).toBeCloseTo(want.policyLoss, 6);
    expect(m.valueLoss).toBeCloseTo(want.valueLoss, 6);
    expect(m.entropy).toBeCloseTo(want.entropy, 6);
    expect(Object.keys(m)).toEqual(["policyLoss", "valueLoss", "entropy", "loss"]);
    expect(agent.act(obs, { explore: false })).toBe(want.greedy);
    agent.dispose();
  });
});
