/** TD3's networks: a deterministic tanh actor into the [−1, 1] box, and one or two critics. */
import { Critics, MLP, type Rng } from "@qscape/core";
import type { TD3Settings } from "./config.js";

export function makeActor(rng: Rng, obsDim: number, actionDim: number, config: TD3Settings, name: string): MLP {
  return new MLP(rng, obsDim, actionDim, {
    hidden: config.actorHidden,
    activation: config.activation,
    layerNorm: config.actorLayerNorm,
    outputLayerNorm: config.actorLayerNorm,
    outputActivation: "tanh",
    name,
  });
}

export function makeCritics(rng: Rng, obsDim: number, actionDim: number, config: TD3Settings, name: string): Critics {
  return new Critics(
    rng,
    obsDim,
    actionDim,
    config.criticCount,
    {
      hidden: config.criticHidden,
      activation: config.activation,
    },
    name,
  );
}
