/**
 * The toy multimodal bandit with a fixed, known Q (no critic learning): the successive-actor
 * mechanism isolated and deterministic. The surrogates are the exact Ψi = max{Q, τi} (the paper's
 * "− Approximation" variant), so each later actor follows ∇Q above its threshold τi = max_{j<i} Q(aj)
 * and gets no gradient below it; every actor starts at a given point. What this shows: the chain
 * of thresholds and the maximizer carry μM past optima where the single actor μ stays. What it does
 * not show: learned Ψ̂ pulling a later actor out of a flat (below-threshold) region — with exact
 * Ψ an actor starting there does not move (second test).
 */
import { initBackend } from "@qscape/core";
import { BANDIT_1D_BUMPS } from "@qscape/envs";
import { beforeAll, describe, expect, it } from "vitest";
import type { SavoConfigInput } from "../src/config.js";
import { trainOnFixedQ } from "./fixed-q.js";

beforeAll(async () => {
  await initBackend();
});

// Q has optima 0.6 at −0.6, 0.8 at 0.1 and 1.0 at 0.7 (BANDIT_1D_BUMPS, widths 0.1).
const exact: SavoConfigInput = { surrogate: "exact", actorLr: 1e-3, actorHidden: [32, 32] };

describe("SAVO on a fixed Q (exact surrogates)", () => {
  it("μ stays at the local optimum it starts next to; the successive actors climb past each threshold and μM reaches the global optimum", () => {
    const run = trainOnFixedQ(BANDIT_1D_BUMPS, {
      seed: 1,
      muInit: [-0.52],
      chainInit: [[0.03], [0.62]],
      iterations: 400,
      noise: 0,
      batch: 16,
      config: exact,
    });
    // The single gradient-ascent actor: stuck at the nearest (local) optimum.
    expect(run.mu[0]).toBeCloseTo(-0.6, 2);
    expect(run.qMu).toBeCloseTo(0.6, 3);
    // ν1 (τ1 = 0.6) climbs the 0.8 bump; ν2 (τ2 = 0.8) climbs the global one; μM picks ν2.
    expect(run.chain[1]?.[0]).toBeCloseTo(0.1, 2);
    expect(run.chain[2]?.[0]).toBeCloseTo(0.7, 2);
    expect(run.maximizer[0]).toBeCloseTo(0.7, 2);
    expect(run.qMaximizer).toBeGreaterThan(0.999);
  });

  it("a successive actor below its threshold gets no gradient (tabu), where plain Q would pull it onto an earlier actor's optimum", () => {
    const common = { seed: 2, muInit: [-0.6], chainInit: [[-0.45], [0.5]], iterations: 400, noise: 0, batch: 16 };
    const tabu = trainOnFixedQ(BANDIT_1D_BUMPS, { ...common, config: exact });
    const plain = trainOnFixedQ(BANDIT_1D_BUMPS, { ...common, untruncated: true, config: exact });
    // Exact Ψ: below τ the landscape is flat, so ν1 (Q ≈ 0.19 < τ1 = 0.6) and ν2 (Q ≈ 0.14 < τ2) stay put.
    expect(tabu.chain[1]?.[0]).toBeCloseTo(-0.45, 2);
    expect(tabu.chain[2]?.[0]).toBeCloseTo(0.5, 2);
    // On Q itself ν1 collapses onto a0's optimum, duplicating it (ν2 on Q climbs the bump it sits on).
    expect(plain.chain[1]?.[0]).toBeCloseTo(-0.6, 2);
    expect(plain.chain[2]?.[0]).toBeCloseTo(0.7, 2);
    // μ is unaffected by how the later actors are trained.
    expect(tabu.mu[0]).toBeCloseTo(-0.6, 2);
    expect(plain.mu[0]).toBeCloseTo(-0.6, 2);
  });
});
