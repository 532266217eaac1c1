import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { EnvMetadata } from "../env.js";
import { EnvError } from "../errors.js";
import type { MakeOptions } from "../registry.js";
import { type AnySpace, type SpaceJSON, spaceFromJSON } from "../spaces.js";
import type { WorkerCommand, WorkerInit } from "./async-worker.js";
import {
  AutoresetMode,
  addInfo,
  batchSpace,
  checkAutoresetMode,
  collectSteps,
  concatenate,
  perEnvSeeds,
  type SubEnvStep,
  unbatch,
  VectorEnv,
  type VectorEnvOptions,
  type VectorInfo,
  type VectorResetArgs,
  type VectorStepResult,
} from "./vector-env.js";

export interface AsyncVectorEnvOptions extends VectorEnvOptions {
  /** Passed to `make(id, …)` in every worker (kwargs, maxEpisodeSteps, …); must be structured-cloneable. */
  makeOptions?: MakeOptions;
  /** Modules each worker imports before `make` (e.g. ones that `register` custom envs). */
  workerImports?: (string | URL)[];
  /** Longest wait for one worker reply before giving up (ms). */
  timeoutMs?: number;
}

type Reply = { result: unknown } | { error: { name: string; message: string } };

/**
 * Runs each env in its own worker thread (Gymnasium `AsyncVectorEnv`). Workers build their env
 * from a registered id, so the env must be registered by `@qscape/envs` itself or by one of
 * `workerImports`. The API is synchronous like SyncVectorEnv: the main thread blocks (Atomics.wait)
 * until every worker has answered; `stepAsync` + `stepWait` let it work in between.
 * When this module runs from TypeScript source, workers load the `.ts` worker through tsx with
 * the `@qscape/source` condition.
 */
export class AsyncVectorEnv<BObs = Float32Array, BAct = Float32Array> extends VectorEnv<BObs, BAct> {
  readonly numEnvs: number;
  readonly singleObservationSpace: AnySpace;
  readonly singleActionSpace: AnySpace;
  readonly observationSpace: AnySpace;
  readonly actionSpace: AnySpace;
  readonly metadata: { autoresetMode: AutoresetMode; [key: string]: unknown };
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly signal: Int32Array;
  private readonly received: Int32Array;
  private readonly timeoutMs: number;
  private readonly autoreset: Uint8Array;
  private lastObs: unknown[] | null = null;
  private pending: { kind: "reset" | "step"; envs: number[] } | null = null;
  private closed = false;

  constructor(
    readonly id: string,
    numEnvs: number,
    {
      autoresetMode = AutoresetMode.NEXT_STEP,
      makeOptions = {},
      workerImports = [],
      timeoutMs = 120_000,
    }: AsyncVectorEnvOptions = {},
  ) {
    super();
    if (!Number.isInteger(numEnvs) || numEnvs < 1)
      throw new EnvError(`AsyncVectorEnv: numEnvs must be an integer ≥ 1, got ${numEnvs}`);
    this.numEnvs = numEnvs;
    this.timeoutMs = timeoutMs;
    this.autoreset = new Uint8Array(numEnvs);
    this.signal = new Int32Array(new SharedArrayBuffer(4 * numEnvs));
    this.received = new Int32Array(numEnvs);
    const mode = checkAutoresetMode(autoresetMode);
    const source = workerSource();
    const imports = workerImports.map(String);
    for (let i = 0; i < numEnvs; i++) {
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit & { tsxApi?: string; workerUrl?: string } = {
        id,
        makeOptions,
        imports,
        index: i,
        port: port2,
        signal: this.signal,
        tsxApi: source.tsxApi,
        workerUrl: source.workerUrl,
      };
      const worker = new Worker(source.entry, {
        eval: source.eval,
        workerData: init,
        transferList: [port2],
        execArgv: source.execArgv,
      });
      worker.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
    let ready: { observationSpace: SpaceJSON; actionSpace: SpaceJSON; metadata: EnvMetadata }[];
    try {
      ready = this.receiveAll(
        this.workers.map((_, i) => i),
        "start",
      ) as typeof ready;
    } catch (e) {
      this.close();
      throw e;
    }
    const first = ready[0] as (typeof ready)[number];
    this.singleObservationSpace = spaceFromJSON(first.observationSpace);
    this.singleActionSpace = spaceFromJSON(first.actionSpace);
    this.observationSpace = batchSpace(this.singleObservationSpace, numEnvs);
    this.actionSpace = batchSpace(this.singleActionSpace, numEnvs);
    this.metadata = { ...first.metadata, autoresetMode: mode };
  }

  private send(i: number, command: WorkerCommand): void {
    (this.ports[i] as MessagePort).postMessage(command);
  }

  /** Blocks until worker i's next reply arrives. */
  private receive(i: number, what: string): Reply {
    const expected = (this.received[i] as number) + 1;
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const msg = receiveMessageOnPort(this.ports[i] as MessagePort);
      if (msg) {
        this.received[i] = expected;
        return msg.message as Reply;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new EnvError(`AsyncVectorEnv(${this.id}) worker ${i} did not answer ${what} within ${this.timeoutMs} ms`);
      Atomics.wait(this.signal, i, expected - 1, Math.min(left, 1000));
    }
  }

  /** Replies of the given workers, read from every one of them before rethrowing the first worker error. */
  private receiveAll(envs: number[], what: string): unknown[] {
    const replies = envs.map((i) => this.receive(i, what));
    replies.forEach((reply, k) => {
      if ("error" in reply) {
        throw new EnvError(
          `AsyncVectorEnv(${this.id}) worker ${envs[k]} failed during ${what}: ${reply.error.name}: ${reply.error.message}`,
        );
      }
    });
    return replies.map((r) => (r as { result: unknown }).result);
  }

  private assertIdle(what: string): void {
    if (this.closed) throw new EnvError(`AsyncVectorEnv(${this.id}): ${what} after close()`);
    if (this.pending)
      throw new EnvError(
        `AsyncVectorEnv(${this.id}): ${what} while a ${this.pending.kind} is pending; call ${this.pending.kind}Wait() first`,
      );
  }

  resetAsync({ seed, options }: VectorResetArgs = {}): void {
    this.assertIdle("reset");
    const seeds = perEnvSeeds(seed, this.numEnvs);
    const { resetMask, ...envOptions } = options ?? {};
    if (resetMask && resetMask.length !== this.numEnvs) {
      throw new EnvError(`AsyncVectorEnv.reset: resetMask has ${resetMask.length} entries for ${this.numEnvs} envs`);
    }
    const envs: number[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      if (resetMask && !resetMask[i]) continue;
      this.send(i, { cmd: "reset", seed: seeds[i], options: options ? envOptions : undefined });
      envs.push(i);
    }
    this.pending = { kind: "reset", envs };
  }

  resetWait(): [BObs, VectorInfo] {
    if (this.pending?.kind !== "reset")
      throw new EnvError(`AsyncVectorEnv(${this.id}): resetWait() without resetAsync()`);
    const { envs } = this.pending;
    this.pending = null;
    const obs = this.lastObs ?? new Array<unknown>(this.numEnvs);
    const info: VectorInfo = {};
    const results = this.receiveAll(envs, "reset") as [unknown, Record<string, unknown>][];
    for (const [k, i] of envs.entries()) {
      const [o, inf] = results[k] as [unknown, Record<string, unknown>];
      obs[i] = o;
      this.autoreset[i] = 0;
      addInfo(info, inf, i, this.numEnvs);
    }
    this.lastObs = obs;
    return [concatenate(this.singleObservationSpace, obs) as BObs, info];
  }

  reset(args?: VectorResetArgs): [BObs, VectorInfo] {
    this.resetAsync(args);
    return this.resetWait();
  }

  stepAsync(actions: BAct): void {
    this.assertIdle("step");
    if (this.lastObs === null) throw new EnvError(`AsyncVectorEnv(${this.id}): cannot call step() before reset()`);
    const perEnv = unbatch(this.singleActionSpace, actions, this.numEnvs, `AsyncVectorEnv(${this.id}).step actions`);
    const mode = this.metadata.autoresetMode;
    perEnv.forEach((action, i) => {
      // Subarray views would clone their whole backing buffer; send compact copies.
      const a = ArrayBuffer.isView(action) ? (action as Float32Array).slice() : action;
      this.send(i, { cmd: "step", action: a, mode, endedLastStep: this.autoreset[i] === 1 });
    });
    this.pending = { kind: "step", envs: perEnv.map((_, i) => i) };
  }

  stepWait(): VectorStepResult<BObs> {
    if (this.pending?.kind !== "step") throw new EnvError(`AsyncVectorEnv(${this.id}): stepWait() without stepAsync()`);
    this.pending = null;
    const steps = this.receiveAll(
      this.workers.map((_, i) => i),
      "step",
    ) as SubEnvStep[];
    steps.forEach((s, i) => {
      (this.lastObs as unknown[])[i] = s.obs;
      this.autoreset[i] = s.terminated || s.truncated ? 1 : 0;
    });
    return collectSteps(steps, this.singleObservationSpace) as VectorStepResult<BObs>;
  }

  step(actions: BAct): VectorStepResult<BObs> {
    this.stepAsync(actions);
    return this.stepWait();
  }

  /** Closes the envs and terminates the workers. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let i = 0; i < this.workers.length; i++) {
      (this.ports[i] as MessagePort).close();
      void (this.workers[i] as Worker).terminate();
    }
  }
}

/**
 * How to start a worker. From compiled JavaScript the worker module runs as is. From TypeScript
 * source (vitest, tsx) a small CommonJS bootstrap registers tsx's ESM hooks inside the worker
 * (hooks registered by `--import tsx` on the main thread do not reach workers in Node 20) and
 * then imports the `.ts` worker with the `@qscape/source` condition. Bootstrap failures are
 * reported through the same port/signal as worker replies, so the blocked main thread sees them.
 */
function workerSource(): {
  entry: string | URL;
  eval: boolean;
  execArgv: string[];
  tsxApi?: string;
  workerUrl?: string;
} {
  const fromSource = import.meta.url.endsWith(".ts");
  if (!fromSource)
    return { entry: new URL("./async-worker.js", import.meta.url), eval: false, execArgv: process.execArgv };
  const tsxDir = dirname(createRequire(import.meta.url).resolve("tsx"));
  // Keep the parent's flags except tsx's own loaders (workers register tsx themselves).
  const withValue = new Set(["--import", "--require", "-r", "--loader", "--experimental-loader", "--conditions", "-C"]);
  const execArgv: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i] as string;
    const flag = arg.split("=")[0] as string;
    const pair = withValue.has(arg) ? [arg, process.execArgv[++i] ?? ""] : [arg];
    const value = pair.length === 2 ? (pair[1] as string) : arg.slice(flag.length + 1);
    if (/[/\\]tsx[/\\]dist[/\\]/.test(value) || (withValue.has(flag) && value === "tsx")) continue;
    execArgv.push(...pair);
  }
  execArgv.push("--conditions=@qscape/source");
  return {
    entry: WORKER_BOOTSTRAP,
    eval: true,
    execArgv,
    tsxApi: pathToFileURL(join(tsxDir, "esm/api/index.mjs")).href,
    workerUrl: new URL("./async-worker.ts", import.meta.url).href,
  };
}

const WORKER_BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(async () => {
  const { register } = await import(workerData.tsxApi);
  register();
  await import(workerData.workerUrl);
})().catch((e) => {
  workerData.port.postMessage({ error: { name: e?.name ?? "Error", message: String(e?.message ?? e) } });
  Atomics.add(workerData.signal, workerData.index, 1);
  Atomics.notify(workerData.signal, workerData.index);
});
`;
