/**
 * TD3 with periodic network resets (primacy bias; Nikishin et al. 2022; SAVO §6.5). Every
 * `resetEvery` gradient updates the chosen parameters of the actor and both critics are drawn
 * afresh (same initialiser as at construction), their target copies set equal to them and their
 * Adam moments zeroed; the replay buffer is kept.
 */

import type { EnvSpaces } from "@qscape/core";
import { type Adam, hardUpdate, Linear, type MLP, ParamGroup, type tf } from "@qscape/core";
import { TD3Agent } from "../td3/agent.js";
import type { TD3Settings } from "../td3/config.js";
import { ResetConfig, type ResetConfigInput } from "./config.js";

type ResetSettings = TD3Settings & { resetEvery: number; resetMode: "full" | "lastLayer" };

export class ResetTD3Agent extends TD3Agent {
  /** Resets done so far. */
  resets = 0;

  constructor(env: EnvSpaces, config: ResetConfigInput = {}) {
    super(env, config, { name: "td3Reset", schema: ResetConfig });
  }

  private get settings(): ResetSettings {
    return this.config as ResetSettings;
  }

  protected override afterUpdate(): void {
    if (this.counts.gradientUpdates % this.settings.resetEvery === 0) this.reset();
  }

  /** Re-initialises the configured layers now (online and target copies, Adam moments). */
  reset(): void {
    const full = this.settings.resetMode === "full";
    const actorParams = ParamGroup.of("actors", ...this.actors).parameters();
    const nets: { online: MLP; target: MLP; optimizer: Adam | null; params: tf.Variable[] }[] = [
      ...this.actors.map((a, i) => ({
        online: a,
        target: this.targetActors[i] as MLP,
        optimizer: this.actorOptimizer,
        params: actorParams,
      })),
      ...this.critics.nets.map((c, i) => ({
        online: c,
        target: this.targetCritics.nets[i] as MLP,
        optimizer: this.criticOptimizer,
        params: this.critics.parameters(),
      })),
    ];
    for (const { online, target, optimizer, params } of nets) {
      const layers = full ? online.layers : online.layers.slice(-1);
      const targetLayers = full ? target.layers : target.layers.slice(-1);
      const resetVars = new Set<tf.Variable>();
      layers.forEach((layer, j) => {
        const fresh = new Linear(this.rng, layer.inFeatures, layer.outFeatures);
        hardUpdate(layer, fresh);
        for (const v of fresh.parameters()) v.dispose();
        hardUpdate(targetLayers[j] as Linear, layer);
        for (const v of layer.parameters()) resetVars.add(v);
      });
      if (optimizer) zeroMoments(optimizer, resetVars, params);
    }
    this.resets += 1;
  }
}

/** Zeroes the Adam moments of `reset` among `params` (the optimizer's parameters, in its order). */
function zeroMoments(optimizer: Adam, reset: Set<tf.Variable>, params: tf.Variable[]): void {
  const state = optimizer.getState();
  params.forEach((p, i) => {
    if (!reset.has(p)) return;
    (state.m[i] as { data: Float32Array }).data.fill(0);
    (state.v[i] as { data: Float32Array }).data.fill(0);
  });
  optimizer.setState(state);
}
