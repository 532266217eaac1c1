/** DDPG: the TD3 agent configured with one critic, no target smoothing and OU noise. */
import type { EnvSpaces } from "@qscape/core";
import { TD3Agent } from "../td3/agent.js";
import { DDPGConfig, type DDPGConfigInput } from "./config.js";

export class DDPGAgent extends TD3Agent {
  constructor(env: EnvSpaces, config: DDPGConfigInput = {}) {
    super(env, config, { name: "ddpg", schema: DDPGConfig });
  }
}
