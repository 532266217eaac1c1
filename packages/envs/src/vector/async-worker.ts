/**
 * Worker side of AsyncVectorEnv: builds one env with `make(id, makeOptions)` and answers
 * reset/step/close commands on its MessagePort. After posting each reply it bumps its slot in the
 * shared `signal` array so the main thread, blocked in Atomics.wait, knows a reply is waiting.
 */
import type { MessagePort } from "node:worker_threads";
import { workerData } from "node:worker_threads";
import type { AnyEnv, MakeOptions } from "../registry.js";
import type { AutoresetMode } from "./vector-env.js";

export interface WorkerInit {
  id: string;
  makeOptions: MakeOptions;
  imports: string[];
  index: number;
  port: MessagePort;
  signal: Int32Array;
}

export type WorkerCommand =
  | { cmd: "reset"; seed?: number; options?: Record<string, unknown> }
  | { cmd: "step"; action: unknown; mode: AutoresetMode; endedLastStep: boolean }
  | { cmd: "close" };

const { id, makeOptions, imports, index, port, signal } = workerData as WorkerInit;

function reply(message: unknown): void {
  port.postMessage(message);
  Atomics.add(signal, index, 1);
  Atomics.notify(signal, index);
}

function errorReply(e: unknown): { error: { name: string; message: string } } {
  return { error: e instanceof Error ? { name: e.name, message: e.message } : { name: "Error", message: String(e) } };
}

try {
  for (const m of imports) await import(m);
  const { make } = await import("../registry.js");
  await import("../index.js");
  const { stepSubEnv } = await import("./vector-env.js");
  const env: AnyEnv = make(id, makeOptions);
  port.on("message", (msg: WorkerCommand) => {
    try {
      if (msg.cmd === "reset") reply({ result: env.reset({ seed: msg.seed, options: msg.options }) });
      else if (msg.cmd === "step") reply({ result: stepSubEnv(env, msg.action, msg.mode, msg.endedLastStep) });
      else {
        env.close();
        reply({ result: null });
        port.close();
      }
    } catch (e) {
      reply(errorReply(e));
    }
  });
  reply({
    result: {
      observationSpace: env.observationSpace.toJSON(),
      actionSpace: env.actionSpace.toJSON(),
      metadata: env.metadata,
    },
  });
} catch (e) {
  reply(errorReply(e));
}
