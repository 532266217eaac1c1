/**
 * TD3 with periodic network resets (primacy bias; Nikishin et al. 2022; SAVO §6.5). Every
 * `resetEvery` gradient updates of the TD3 learner it holds, the chosen parameters of the actor and
 * both critics are drawn afresh (same initialiser as at construction), their target copies set
 * equal to them and their Adam moments zeroed; the replay buffer is kept.
 */

import type { ActOptions, Agent, EnvSpaces, Snapshot, Transition } from "@qscape/core";
import { type Adam, hardUpdate, Linear, type MLP, ParamGroup, type tf } from "@qscape/core";
import { TD3Agent } from "../td3/agent.js";
import type { TD3Settings } from "../td3/config.js";
import { ResetConfig, type ResetConfigInput } from "./config.js";

type ResetSettings = TD3Settings & { resetEvery: number; resetMode: "full" | "lastLayer" };

export class ResetTD3Agent implements Agent<Float32Array, Float32Array> {
  readonly name = "td3Reset";
  readonly obsDim: number;
  readonly actionDim: number;
  readonly td3: TD3Agent<ResetSettings>;
  /** Resets done so far. */
  resets = 0;

  constructor(env: EnvSpaces, config: ResetConfigInput = {}) {
    this.td3 = new TD3Agent(env, config, { name: this.name, schema: ResetConfig });
    this.obsDim = this.td3.obsDim;
    this.actionDim = this.td3.actionDim;
  }

  act(obs: Float32Array, opts: ActOptions): Float32Array {
    return this.td3.act(obs, opts);
  }

  observe(t: Transition<Float32Array, Float32Array>): void {
    this.td3.observe(t);
  }

  /** TD3's update, then a reset every `resetEvery` of them. */
  update(): Record<string, number> {
    const metrics = this.td3.update();
    if (this.td3.counts.gradientUpdates % this.td3.config.resetEvery === 0) this.reset();
    return metrics;
  }

  /** Re-initialises the configured layers now (online and target copies, Adam moments). */
  reset(): void {
    const { actors, targetActors, critics, targetCritics, actorOptimizer, criticOptimizer, rng } = this.td3;
    const full = this.td3.config.resetMode === "full";
    const actorParams = ParamGroup.of("actors", ...actors).parameters();
    const nets: { online: MLP; target: MLP; optimizer: Adam | null; params: tf.Variable[] }[] = [
      ...actors.map((a, i) => ({
        online: a,
        target: targetActors[i] as MLP,
        optimizer: actorOptimizer,
        params: actorParams,
      })),
      ...critics.nets.map((c, i) => ({
        online: c,
        target: targetCritics.nets[i] as MLP,
        optimizer: criticOptimizer,
        params: critics.parameters(),
      })),
    ];
    for (const { online, target, optimizer, params } of nets) {
      const layers = full ? online.layers : online.layers.slice(-1);
      const targetLayers = full ? target.layers : target.layers.slice(-1);
      const resetVars = new Set<tf.Variable>();
      layers.forEach((layer, j) => {
        const fresh = new Linear(rng, layer.inFeatures, layer.outFeatures);
        hardUpdate(layer, fresh);
        for (const v of fresh.parameters()) v.dispose();
        hardUpdate(targetLayers[j] as Linear, layer);
        for (const v of layer.parameters()) resetVars.add(v);
      });
      if (optimizer) zeroMoments(optimizer, resetVars, params);
    }
    this.resets += 1;
  }

  counters(): Record<string, number> {
    return this.td3.counters();
  }

  save(): Snapshot {
    return this.td3.save();
  }

  load(state: Snapshot): void {
    this.td3.load(state);
  }

  dispose(): void {
    this.td3.dispose();
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
