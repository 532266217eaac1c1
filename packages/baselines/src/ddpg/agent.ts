/** DDPG: the TD3 learner configured with one critic, no target smoothing and OU noise (DDPGConfig's defaults). */
import type { EnvSpaces } from "@qscape/core";
import { TD3Agent } from "../td3/agent.js";
import { DDPGConfig, type DDPGConfigInput, type DDPGSettings } from "./config.js";

export class DDPGAgent extends TD3Agent<DDPGSettings> {
  constructor(env: EnvSpaces, config: DDPGConfigInput = {}) {
    super(env, config, { name: "ddpg", schema: DDPGConfig });
  }
}
