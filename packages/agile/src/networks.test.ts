import { GraphAttentionBlock, initBackend, Rng, tf } from "@qscape/core";
import { beforeAll, describe, expect, it } from "vitest";
import { AGILE_VARIANTS, AgileConfig, type AgileVariant } from "./config.js";
import { type ActionSetTensors, Actor, Critic } from "./networks.js";

beforeAll(async () => {
  await initBackend();
});

const settings = AgileConfig.parse({ hidden: 16, graphHidden: 8, maskHidden: 8 });
const shape = { stateDim: 4, featureDim: 3, numItems: 9 };

/** A batch of one observation with the given slot features, mask and inventory ids. */
function batch(state: number[], features: number[][], mask: number[], ids: number[]): ActionSetTensors {
  const k = features.length;
  const availability = new Float32Array(shape.numItems);
  ids.forEach((id, i) => {
    if (mask[i]) availability[id] = 1;
  });
  return {
    state: tf.tensor2d(state, [1, shape.stateDim]),
    features: tf.tensor3d(features.flat(), [1, k, shape.featureDim]),
    mask: tf.tensor2d(mask, [1, k]),
    ids: tf.tensor2d(
      ids.map((id, i) => (mask[i] ? id : 0)),
      [1, k],
      "int32",
    ),
    availability: tf.tensor2d(availability, [1, shape.numItems]),
  };
}

const rows = (t: tf.Tensor) => Array.from(t.dataSync());

describe("GAT (core's GraphAttentionBlock as AGILE configures it)", () => {
  it("matches a hand computation on 3 nodes: 2 layers, LeakyReLU 0.2, ELU between, projected residual", () => {
    const block = new GraphAttentionBlock(new Rng(0), 3, { hidden: 2, layers: 2, heads: 1, negativeSlope: 0.2 });
    const [l1, l2] = block.layers as [(typeof block.layers)[0], (typeof block.layers)[0]];
    const set = (v: tf.Variable, values: number[], s: number[]) => v.assign(tf.tensor(values, s));
    // Layer 1: W1 [3 × 2], b1, a_left, a_right.
    const W1 = [
      [1, 0],
      [0, 1],
      [1, -1],
    ];
    const b1 = [0.1, -0.2];
    const aL1 = [1, -1];
    const aR1 = [0.5, 2];
    const W2 = [
      [2, 0],
      [1, -1],
    ];
    const b2 = [0, 0.3];
    const aL2 = [-1, 0.5];
    const aR2 = [1, 1];
    const S = [
      [0.5, 0],
      [0, 0.5],
      [1, 1],
    ];
    const bs = [0.05, -0.05];
    set(l1.transform.weight, W1.flat(), [3, 2]);
    set(l1.transform.bias, b1, [2]);
    set(l1.attendLeft, aL1, [1, 2]);
    set(l1.attendRight, aR1, [1, 2]);
    set(l2.transform.weight, W2.flat(), [2, 2]);
    set(l2.transform.bias, b2, [2]);
    set(l2.attendLeft, aL2, [1, 2]);
    set(l2.attendRight, aR2, [1, 2]);
    const skip = block.skip;
    if (!skip) throw new Error("expected a projected skip (3 → 2)");
    set(skip.weight, S.flat(), [3, 2]);
    set(skip.bias, bs, [2]);

    const x = [
      [1, 0, 2],
      [0, 1, -1],
      [0.5, 0.5, 0],
    ];
    // Plain-JS reference of the formulas in the thesis's GAT (Veličković et al.): z = hW + b;
    // e_ij = LeakyReLU_0.2(a_l·z_i + a_r·z_j); α_ij = softmax_j e_ij over all 3 nodes; h'_i = Σ_j α_ij z_j.
    const lin = (h: number[][], W: number[][], b: number[]) =>
      h.map((r) => b.map((bj, j) => bj + r.reduce((s, v, i) => s + v * (W[i] as number[])[j]!, 0)));
    const gatLayer = (h: number[][], W: number[][], b: number[], aL: number[], aR: number[]) => {
      const z = lin(h, W, b);
      const dot = (a: number[], v: number[]) => a.reduce((s, ai, i) => s + ai * v[i]!, 0);
      return z.map((zi) => {
        const e = z.map((zj) => {
          const v = dot(aL, zi) + dot(aR, zj);
          return v > 0 ? v : 0.2 * v;
        });
        const m = Math.max(...e);
        const w = e.map((v) => Math.exp(v - m));
        const total = w.reduce((s, v) => s + v, 0);
        return zi.map((_, d) => z.reduce((s, zj, j) => s + (w[j]! / total) * zj[d]!, 0));
      });
    };
    const elu = (v: number) => (v > 0 ? v : Math.exp(v) - 1);
    const h1 = gatLayer(x, W1, b1, aL1, aR1).map((r) => r.map(elu));
    const h2 = gatLayer(h1, W2, b2, aL2, aR2);
    const res = lin(x, S, bs);
    const expected = h2.map((r, i) => r.map((v, d) => v + res[i]![d]!));

    const got = tf.tidy(() => rows(block.apply(tf.tensor3d(x.flat(), [1, 3, 3]))));
    expected.flat().forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 5);
    });
    for (const v of block.parameters()) v.dispose();
  });
});

describe("AGILE actor and critic", () => {
  const rng = new Rng(7);
  const state = Array.from({ length: shape.stateDim }, () => rng.normal());
  const features = Array.from({ length: 5 }, () => Array.from({ length: shape.featureDim }, () => rng.normal()));
  const ids = [0, 3, 5, 7, 8];

  it("relational features and logits are permutation equivariant over the action list; summary and V invariant", () => {
    const actor = new Actor(new Rng(1), "agile", shape, settings);
    const critic = new Critic(new Rng(2), "agile", shape, settings);
    const perm = [3, 0, 4, 1, 2];
    tf.tidy(() => {
      const a = batch(state, features, [1, 1, 1, 1, 1], ids);
      const b = batch(
        state,
        perm.map((p) => features[p] as number[]),
        [1, 1, 1, 1, 1],
        perm.map((p) => ids[p] as number),
      );
      const oa = actor.apply(a);
      const ob = actor.apply(b);
      const la = rows(oa.logits);
      const lb = rows(ob.logits);
      perm.forEach((p, i) => {
        expect(lb[i]).toBeCloseTo(la[p] as number, 5);
      });
      const ra = oa.relational?.arraySync()[0] as number[][];
      const rb = ob.relational?.arraySync()[0] as number[][];
      perm.forEach((p, i) => {
        (rb[i] as number[]).forEach((v, d) => {
          expect(v).toBeCloseTo((ra[p] as number[])[d] as number, 5);
        });
      });
      const sa = rows(oa.summary as tf.Tensor);
      rows(ob.summary as tf.Tensor).forEach((v, d) => {
        expect(v).toBeCloseTo(sa[d] as number, 5);
      });
      expect(rows(critic.apply(b))[0]).toBeCloseTo(rows(critic.apply(a))[0] as number, 5);
      // The relational features depend on the other actions: dropping one changes the rest.
      const fewer = actor.apply(batch(state, features, [1, 1, 1, 1, 0], ids)).relational?.arraySync()[0] as number[][];
      expect(Math.abs((fewer[0] as number[])[0]! - (ra[0] as number[])[0]!)).toBeGreaterThan(1e-6);
    });
    for (const v of [...actor.parameters(), ...critic.parameters()]) v.dispose();
  });

  it.each<AgileVariant>([...AGILE_VARIANTS])(
    "%s: padded slots never change an output and never get probability",
    (variant) => {
      const actor = new Actor(new Rng(3), variant, shape, settings);
      const critic = new Critic(new Rng(4), variant, shape, settings);
      const mask = [1, 0, 1, 1, 0];
      tf.tidy(() => {
        const a = batch(state, features, mask, ids);
        const garbage = features.map((f, i) => (mask[i] ? f : f.map(() => 50 * rng.normal())));
        const b = batch(
          state,
          garbage,
          mask,
          ids.map((id, i) => (mask[i] ? id : 1)),
        );
        const pa = rows(tf.softmax(actor.apply(a).logits));
        const pb = rows(tf.softmax(actor.apply(b).logits));
        mask.forEach((m, i) => {
          if (m) expect(pb[i]).toBeCloseTo(pa[i] as number, 6);
          else {
            expect(pa[i]).toBe(0);
            expect(pb[i]).toBe(0);
          }
        });
        expect(pa.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
        expect(rows(critic.apply(b))[0]).toBeCloseTo(rows(critic.apply(a))[0] as number, 5);
        if (variant === "agile") {
          const sa = rows(actor.apply(a).summary as tf.Tensor);
          rows(actor.apply(b).summary as tf.Tensor).forEach((v, d) => {
            expect(v).toBeCloseTo(sa[d] as number, 5);
          });
        }
      });
      for (const v of [...actor.parameters(), ...critic.parameters()]) v.dispose();
    },
  );

  it("Utility-Policy scores each action alone: a slot's logit ignores the other actions", () => {
    const actor = new Actor(new Rng(5), "utility-policy", shape, settings);
    tf.tidy(() => {
      const all = rows(actor.apply(batch(state, features, [1, 1, 1, 1, 1], ids)).logits);
      const two = rows(actor.apply(batch(state, features, [1, 1, 0, 0, 0], ids)).logits);
      expect(two[0]).toBeCloseTo(all[0] as number, 6);
      expect(two[1]).toBeCloseTo(all[1] as number, 6);
    });
    for (const v of actor.parameters()) v.dispose();
  });

  it("AGILE's actor and critic share no GAT weights (twin GATs in the actor, a third in the critic)", () => {
    const actor = new Actor(new Rng(1), "agile", shape, settings);
    const critic = new Critic(new Rng(2), "agile", shape, settings);
    const actorVars = new Set(actor.parameters());
    expect(critic.parameters().some((v) => actorVars.has(v))).toBe(false);
    const rel = new Set(actor.graph?.relational?.parameters());
    expect(actor.graph?.summaryGat.parameters().some((v) => rel.has(v))).toBe(false);
    for (const v of [...actor.parameters(), ...critic.parameters()]) v.dispose();
  });
});
