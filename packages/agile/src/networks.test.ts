import { GraphAttentionBlock, GraphAttentionLayer, initBackend, Rng, tf } from "@qscape/core";
import { make } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import { AgilePPOAgent } from "./agent.js";
import { AGILE_VARIANTS, AgileConfig, type AgileVariant } from "./config.js";
import { GraphConvolutionBlock, normalizedAdjacency } from "./gcn.js";
import { type ActionSetTensors, Actor, Critic, variableActionEdges } from "./networks.js";

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

describe("GCN (AGILE-GCN's graph, App. B C.3.1)", () => {
  it("matches a hand computation on 3 nodes: compression, zero-diagonal normalised adjacency, ELU, residual", () => {
    const block = new GraphConvolutionBlock(new Rng(0), 3, { hidden: 2, layers: 2 });
    const [g1, g2] = block.layers as [(typeof block.layers)[0], (typeof block.layers)[0]];
    const set = (v: tf.Variable, values: number[], s: number[]) => v.assign(tf.tensor(values, s));
    const C = [
      [1, 0],
      [0, 1],
      [0.5, -1],
    ];
    const c = [0.1, -0.1];
    const W1 = [
      [1, 2],
      [-1, 0.5],
    ];
    const b1 = [0.2, 0];
    const W2 = [
      [0.5, -1],
      [1, 1],
    ];
    const b2 = [0, 0.3];
    set(block.compress.weight, C.flat(), [3, 2]);
    set(block.compress.bias, c, [2]);
    set(g1.weight, W1.flat(), [2, 2]);
    set(g1.bias, b1, [2]);
    set(g2.weight, W2.flat(), [2, 2]);
    set(g2.bias, b2, [2]);
    // Three nodes and a padded 4th slot holding garbage.
    const x = [
      [1, 0, 2],
      [0, 1, -1],
      [0.5, 0.5, 0],
      [40, -70, 90],
    ];
    const mask = [1, 1, 1, 0];
    const h = Math.SQRT1_2;
    // Â = D^{-1/2} A D^{-1/2} written out by hand. Complete graph on 3 nodes, diagonal 0: degree 2
    // everywhere, so 1/2 off the diagonal. Star 0–1, 0–2 (degrees 2, 1, 1): 1/√2 on its edges.
    const complete = [
      [0, 0.5, 0.5],
      [0.5, 0, 0.5],
      [0.5, 0.5, 0],
    ];
    const star = [
      [0, h, h],
      [h, 0, 0],
      [h, 0, 0],
    ];
    const lin = (m: number[][], W: number[][], b: number[]) =>
      m.map((r) => b.map((bj, j) => bj + r.reduce((acc, v, i) => acc + v * (W[i] as number[])[j]!, 0)));
    const aggregate = (A: number[][], z: number[][]) =>
      A.map((row) => [0, 1].map((d) => row.reduce((acc, a, j) => acc + a * (z[j] as number[])[d]!, 0)));
    const layer = (A: number[][], m: number[][], W: number[][], b: number[]) =>
      aggregate(A, lin(m, W, [0, 0])).map((r) => r.map((v, d) => v + b[d]!));
    const elu = (v: number) => (v > 0 ? v : Math.exp(v) - 1);
    const expected = (A: number[][]) => {
      const x0 = lin(x.slice(0, 3), C, c);
      const h2 = layer(
        A,
        layer(A, x0, W1, b1).map((r) => r.map(elu)),
        W2,
        b2,
      );
      return [...h2.map((r, i) => r.map((v, d) => v + x0[i]![d]!)), [0, 0]];
    };
    // The star as a domain-knowledge edge mask: self-loops and edges to the padded slot are given
    // too, and must be dropped (diagonal 0; padded slots are no neighbours).
    const starMask = [
      [1, 1, 1, 1],
      [1, 1, 0, 1],
      [1, 0, 1, 1],
      [1, 1, 1, 1],
    ];
    tf.tidy(() => {
      const nodes = tf.tensor3d(x.flat(), [1, 4, 3]);
      const available = tf.tensor2d(mask, [1, 4]);
      const adjacency = tf.tensor3d(starMask.flat(), [1, 4, 4]);
      const pad = (A: number[][]) => [...A.map((r) => [...r, 0]), [0, 0, 0, 0]];
      for (const [A, masks] of [
        [complete, { available }],
        [star, { available, adjacency }],
      ] as const) {
        const norm = rows(normalizedAdjacency(1, 4, masks));
        pad(A)
          .flat()
          .forEach((v, i) => {
            expect(norm[i]).toBeCloseTo(v, 6);
          });
        const got = rows(block.apply(nodes, masks));
        expected(A)
          .flat()
          .forEach((v, i) => {
            expect(got[i]).toBeCloseTo(v, 5);
          });
      }
    });
    for (const v of block.parameters()) v.dispose();
  });
});

/** A new variant, or a graph variant with App. B.1's domain-knowledge edges. */
interface GraphCase {
  variant: AgileVariant;
  edges?: boolean;
}
/** [title, case] rows for it.each. */
const cases = (list: GraphCase[]) =>
  list.map((c) => [`${c.variant}${c.edges ? " + domain edges" : ""}`, c] as [string, GraphCase]);

describe("AGILE-GCN, AGILE-Only-Action and domain-knowledge edges", () => {
  const rng = new Rng(11);
  const state = Array.from({ length: shape.stateDim }, () => rng.normal());
  const features = Array.from({ length: 5 }, () => Array.from({ length: shape.featureDim }, () => rng.normal()));
  const ids = [0, 3, 5, 7, 8];
  /** Slots 2 and 4 hold variable actions. */
  const variable = [0, 0, 1, 0, 1];
  const withEdges = (x: ActionSetTensors, flags: number[]): ActionSetTensors => ({
    ...x,
    adjacency: variableActionEdges(tf.tensor2d(flags, [1, flags.length]), x.mask),
  });

  it.each(
    cases([
      { variant: "agile-gcn" },
      { variant: "agile-only-action" },
      { variant: "agile", edges: true },
      { variant: "agile-gcn", edges: true },
    ]),
  )("%s: logits and relational features permutation equivariant; summary and V invariant", (_, c) => {
    const actor = new Actor(new Rng(1), c.variant, shape, settings);
    const critic = new Critic(new Rng(2), c.variant, shape, settings);
    const perm = [3, 0, 4, 1, 2];
    tf.tidy(() => {
      let a = batch(state, features, [1, 1, 1, 1, 1], ids);
      let b = batch(
        state,
        perm.map((p) => features[p] as number[]),
        [1, 1, 1, 1, 1],
        perm.map((p) => ids[p] as number),
      );
      if (c.edges) {
        a = withEdges(a, variable);
        b = withEdges(
          b,
          perm.map((p) => variable[p] as number),
        );
      }
      const oa = actor.apply(a);
      const ob = actor.apply(b);
      const la = rows(oa.logits);
      const lb = rows(ob.logits);
      const ra = oa.relational?.arraySync()[0] as number[][];
      const rb = ob.relational?.arraySync()[0] as number[][];
      perm.forEach((p, i) => {
        expect(lb[i]).toBeCloseTo(la[p] as number, 5);
        (rb[i] as number[]).forEach((v, d) => {
          expect(v).toBeCloseTo((ra[p] as number[])[d] as number, 5);
        });
      });
      const sa = rows(oa.summary as tf.Tensor);
      rows(ob.summary as tf.Tensor).forEach((v, d) => {
        expect(v).toBeCloseTo(sa[d] as number, 5);
      });
      expect(rows(critic.apply(b))[0]).toBeCloseTo(rows(critic.apply(a))[0] as number, 5);
      // Relations are there: dropping an action changes another's relational feature.
      const drop = batch(state, features, [1, 1, 1, 1, 0], ids);
      const fewer = actor.apply(c.edges ? withEdges(drop, variable) : drop).relational?.arraySync()[0] as number[][];
      expect(Math.abs((fewer[2] as number[])[0]! - (ra[2] as number[])[0]!)).toBeGreaterThan(1e-6);
    });
    for (const v of [...actor.parameters(), ...critic.parameters()]) v.dispose();
  });

  it.each(
    cases([
      { variant: "agile-gcn" },
      { variant: "agile-only-action" },
      { variant: "agile", edges: true },
      { variant: "agile-gcn", edges: true },
      { variant: "agile-only-action", edges: true },
      { variant: "summary-gat", edges: true },
    ]),
  )("%s: padded slots change no output and get probability exactly 0", (_, c) => {
    const actor = new Actor(new Rng(3), c.variant, shape, settings);
    const critic = new Critic(new Rng(4), c.variant, shape, settings);
    const mask = [1, 0, 1, 1, 0];
    tf.tidy(() => {
      let a = batch(state, features, mask, ids);
      const garbage = features.map((f, i) => (mask[i] ? f : f.map(() => 50 * rng.normal())));
      let b = batch(
        state,
        garbage,
        mask,
        ids.map((id, i) => (mask[i] ? id : 1)),
      );
      if (c.edges) {
        // A padded slot flagged variable must still not become anyone's neighbour.
        a = withEdges(a, variable);
        b = withEdges(
          b,
          variable.map((v, i) => (mask[i] ? v : 1)),
        );
      }
      const oa = actor.apply(a);
      const ob = actor.apply(b);
      const pa = rows(tf.softmax(oa.logits));
      const pb = rows(tf.softmax(ob.logits));
      mask.forEach((m, i) => {
        if (m) expect(pb[i]).toBeCloseTo(pa[i] as number, 6);
        else {
          expect(pa[i]).toBe(0);
          expect(pb[i]).toBe(0);
        }
      });
      const sa = rows(oa.summary as tf.Tensor);
      rows(ob.summary as tf.Tensor).forEach((v, d) => {
        expect(v).toBeCloseTo(sa[d] as number, 5);
      });
      if (oa.relational) {
        const ra = rows(oa.relational);
        rows(ob.relational as tf.Tensor).forEach((v, i) => {
          expect(v).toBeCloseTo(ra[i] as number, 5);
        });
      }
      expect(rows(critic.apply(b))[0]).toBeCloseTo(rows(critic.apply(a))[0] as number, 5);
    });
    for (const v of [...actor.parameters(), ...critic.parameters()]) v.dispose();
  });

  it("AGILE-Only-Action: relational features and summary do not change when only the state does", () => {
    const only = new Actor(new Rng(5), "agile-only-action", shape, settings);
    const agile = new Actor(new Rng(5), "agile", shape, settings);
    const other = state.map((v) => v + 1.5);
    tf.tidy(() => {
      const a = batch(state, features, [1, 1, 1, 1, 0], ids);
      const b = batch(other, features, [1, 1, 1, 1, 0], ids);
      const [oa, ob] = [only.apply(a), only.apply(b)];
      expect(rows(ob.relational as tf.Tensor)).toEqual(rows(oa.relational as tf.Tensor));
      expect(rows(ob.summary as tf.Tensor)).toEqual(rows(oa.summary as tf.Tensor));
      // The utility still reads the state, so the policy does change.
      expect(rows(ob.logits)).not.toEqual(rows(oa.logits));
      // AGILE's nodes hold e_s: its relations do change with the state.
      expect(rows(agile.apply(b).relational as tf.Tensor)).not.toEqual(rows(agile.apply(a).relational as tf.Tensor));
    });
    for (const v of [...only.parameters(), ...agile.parameters()]) v.dispose();
  });

  it("domain edges: attention over a non-edge gets exactly 0 weight; edges and self-loops get > 0", () => {
    // With W = I, b = 0 and one-hot nodes, a GAT layer's output row i is its attention row α_i.
    const k = 7;
    const layer = new GraphAttentionLayer(new Rng(6), k, k, { negativeSlope: 0.2 });
    layer.transform.weight.assign(tf.eye(k));
    layer.transform.bias.assign(tf.zeros([k]));
    // Dig Lava's set: 5 fixed skills, then the 2 variable ones.
    const flags = [0, 0, 0, 0, 0, 1, 1];
    tf.tidy(() => {
      const mask = tf.ones([1, k]) as tf.Tensor2D;
      const edges = variableActionEdges(tf.tensor2d(flags, [1, k]), mask);
      const alpha = layer.apply(tf.expandDims(tf.eye(k), 0) as tf.Tensor3D, { available: mask, adjacency: edges });
      const w = alpha.arraySync()[0] as number[][];
      const e = edges.arraySync()[0] as number[][];
      let nonEdges = 0;
      w.forEach((row, i) => {
        expect(row.reduce((acc, v) => acc + v, 0)).toBeCloseTo(1, 6);
        row.forEach((v, j) => {
          const edge = i === j || flags[i] === 1 || flags[j] === 1;
          expect((e[i] as number[])[j]).toBe(edge ? 1 : 0);
          if (edge) expect(v).toBeGreaterThan(0);
          else {
            expect(v).toBe(0);
            nonEdges++;
          }
        });
      });
      expect(nonEdges).toBe(20);
    });
    for (const v of layer.parameters()) v.dispose();
  });

  it("domain edges through the actor (1 GAT layer): a fixed action's relational feature ignores the other fixed actions", () => {
    const actor = new Actor(new Rng(8), "agile", shape, AgileConfig.parse({ ...settings, gatLayers: 1 }));
    tf.tidy(() => {
      const moved = features.map((f, i) => (i === 1 ? f.map((v) => v + 3) : f));
      const ra = rows(actor.apply(withEdges(batch(state, features, [1, 1, 1, 1, 1], ids), variable)).relational!);
      const rb = rows(actor.apply(withEdges(batch(state, moved, [1, 1, 1, 1, 1], ids), variable)).relational!);
      const row = (r: number[], i: number) => r.slice(i * settings.graphHidden, (i + 1) * settings.graphHidden);
      // Slots 0 and 3 are fixed: no edge to slot 1, so bit for bit the same.
      expect(row(rb, 0)).toEqual(row(ra, 0));
      expect(row(rb, 3)).toEqual(row(ra, 3));
      // Slot 2 is variable: it attends to slot 1.
      expect(row(rb, 2)).not.toEqual(row(ra, 2));
    });
    for (const v of actor.parameters()) v.dispose();
  });

  it("domain edges on Dig Lava: 29 of the 49 directed pairs (self-loops included), the 20 between fixed skills removed", () => {
    const env = make("DigLava-v0");
    const agent = new AgilePPOAgent(env, { hidden: 8, graphHidden: 8, graphEdges: "variable-actions", seed: 0 });
    const plain = new AgilePPOAgent(env, { hidden: 8, graphHidden: 8, seed: 0 });
    for (let seed = 0; seed < 6; seed++) {
      const [obs] = env.reset({ seed });
      const stacked = { ...obs, actionMask: Uint8Array.from(obs.actionMask) };
      tf.tidy(() => {
        expect(plain.tensors(stacked, 1).adjacency).toBeUndefined();
        const e = agent.tensors(stacked, 1).adjacency?.arraySync()[0] as number[][];
        expect(e.flat().reduce((acc, v) => acc + v, 0)).toBe(29);
        e.forEach((row, i) => {
          row.forEach((v, j) => {
            expect(v).toBe(i === j || obs.actionIds[i]! >= 5 || obs.actionIds[j]! >= 5 ? 1 : 0);
          });
        });
      });
    }
    agent.dispose();
    plain.dispose();
  });
});
