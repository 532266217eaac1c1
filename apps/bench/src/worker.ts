/**
 * Runs in worker processes: builds the env and agent, trains under the suite's budget, reports
 * progress/evaluations/metrics to the parent over IPC, and checkpoints at episode boundaries so a
 * killed run resumes where it stopped. The parent is the only database writer, and a checkpoint
 * is written only after the parent has confirmed that every evaluation before it is stored — so
 * a kill at any moment loses no evaluation: those after the last checkpoint are re-made
 * (identically) by the resumed run.
 *
 * Stopping: a `stop` message from the parent, or SIGINT/SIGTERM reaching the worker itself (Ctrl-C
 * signals the whole process group), ends the run at the next episode end with a checkpoint.
 */
import { mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import {
  type BackendReport,
  checkpointExists,
  evaluatePolicy,
  evaluationSeeds,
  initBackend,
  loadCheckpoint,
  QscapeError,
  type Rng,
  randomActionFor,
  type Snapshot,
  saveCheckpoint,
  TrainingLoop,
} from "@qscape/core";
import { loadMujoco, make, NearestItemWrapper, type RgbFrame, writeGif } from "@qscape/envs";
import { z } from "zod";
import { algorithm, loadPlugins } from "./algorithms.js";
import type { RunTask } from "./suite.js";
import { holdForTest } from "./test-hold.js";

export interface WorkerStart {
  type: "start";
  runId: number;
  task: RunTask;
  checkpointDir: string;
  /** Checkpoint after the first episode end past every multiple of this many env steps. */
  checkpointEvery: number;
  /** Render one deterministic episode of the final policy to this GIF (`pnpm bench --clips`). */
  clipPath?: string;
}

/** Parent → worker, besides `start`. */
export type ParentMessage = WorkerStart | { type: "stop" } | { type: "synced"; seq: number };

/** Worker → parent. */
export type WorkerMessage =
  | { type: "backend"; runId: number; backend: string; resumedFrom: number | null }
  | { type: "progress"; runId: number; step: number; episodes: number; updates: number; lastReturn: number | null }
  | {
      type: "eval";
      runId: number;
      step: number;
      returns: number[];
      success: number | null;
      /** Set for an evaluation on another action split than the training env's. */
      split?: string;
    }
  | { type: "metrics"; runId: number; rows: { step: number; name: string; value: number }[] }
  | {
      type: "done";
      runId: number;
      counters: Record<string, number>;
      timings: Record<string, number>;
      stoppedBy: string | null;
    }
  /** Everything sent before this is to be stored before the parent answers `synced`. */
  | { type: "sync"; runId: number; seq: number }
  /** Stopped on request, checkpointed at `step`: resumable. */
  | { type: "interrupted"; runId: number; step: number }
  | { type: "error"; runId: number; message: string };

type AnyEnv = ReturnType<typeof make>;

/** A suite env: `make(id)`, optionally acting through 1-NN snapping in representation space. */
export function makeEnv(id: string, kwargs: Record<string, unknown>, actionRepresentation: boolean): AnyEnv {
  const env = make(id, kwargs);
  return actionRepresentation ? (new NearestItemWrapper(env as never) as unknown as AnyEnv) : env;
}

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return resolve();
    process.send(msg, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

let stopRequested = false;
let syncSeq = 0;
const syncWaiters = new Map<number, () => void>();

/** Ends the current run at its next episode end, with a checkpoint (as a `stop` message does). */
export function requestStop(): void {
  stopRequested = true;
}

/**
 * Where a run's messages go. It resolves a `sync` only once everything reported before is durably
 * stored, since the checkpoint that follows relies on it.
 */
export type Reporter = (msg: WorkerMessage) => Promise<void>;

/** The local executor's: messages over IPC; a `sync` resolves when the parent answers `synced`. */
const ipcReporter: Reporter = async (msg) => {
  if (msg.type !== "sync") return send(msg);
  if (!process.send) return;
  const acked = new Promise<void>((resolve) => syncWaiters.set(msg.seq, resolve));
  await send(msg);
  await acked;
};

/** Frames of one clip at most: a few seconds of a locomotion task at its render rate. */
const CLIP_FRAMES = 150;

/**
 * One deterministic episode of the trained policy on an `rgb_array` copy of the env, as a GIF. A
 * clip is a picture for the report, never a result: an env that cannot render is skipped with one
 * line on stderr, and nothing here touches the run's numbers (its own env, after the last
 * evaluation; acting with `explore: false` draws no random numbers).
 */
function renderClip(
  task: RunTask,
  agent: { act(obs: unknown, o: { explore: boolean }): unknown },
  file: string,
  seed: number,
) {
  try {
    const env = makeEnv(task.env, { ...task.envKwargs, renderMode: "rgb_array" }, task.actionRepresentation);
    try {
      const frames: RgbFrame[] = [];
      let [obs] = env.reset({ seed: seed + 1_000_003 });
      frames.push(env.render() as RgbFrame);
      for (let t = 0; t < CLIP_FRAMES - 1; t++) {
        const [next, , terminated, truncated] = env.step(agent.act(obs, { explore: false }) as never);
        frames.push(env.render() as RgbFrame);
        obs = next;
        if (terminated || truncated) break;
      }
      mkdirSync(path.dirname(file), { recursive: true });
      writeGif(frames, `${file}.tmp`, { fps: Math.min(30, Number(env.metadata.renderFps ?? 30) || 30) });
      renameSync(`${file}.tmp`, file);
    } finally {
      env.close();
    }
  } catch (err) {
    process.stderr.write(`clip of ${task.label} on ${task.env} skipped: ${(err as Error).message.split("\n")[0]}\n`);
  }
}

export async function runTask(
  start: WorkerStart,
  backend?: BackendReport,
  reporter: Reporter = ipcReporter,
): Promise<void> {
  const { runId, task, checkpointDir, checkpointEvery } = start;
  const report = backend ?? (await initBackend());
  if (task.taskSet) return runMultiTask(start, report, reporter);
  await loadMujoco();
  const env = makeEnv(task.env, task.envKwargs, task.actionRepresentation);
  const evalEnv = makeEnv(task.env, task.envKwargs, task.actionRepresentation);
  const splitEnvs = task.evalSplits.map(
    (split) => [split, makeEnv(task.env, { ...task.envKwargs, split }, task.actionRepresentation)] as const,
  );
  await loadPlugins(task.plugins);
  const built = algorithm(task.algo).create(env, {
    seed: task.seed,
    hidden: task.hidden,
    warmupSteps: task.budget.warmupSteps,
    config: task.algoConfig,
  });
  const agent = built.agent;
  const rollout = built.loop.rolloutSteps;
  let warmupAction: ((rng: Rng) => unknown) | undefined;
  // Moved back by a resumed run's checkpointed seconds: its timings and maxWallSeconds count all the
  // work behind its result, not the last sitting's (work lost after the last checkpoint is not counted).
  let t0 = performance.now();
  let pendingMetrics: { step: number; name: string; value: number }[] = [];
  const pendingEvals: WorkerMessage[] = [];
  let stoppedBy: string | null = null;
  let splitEvalSeconds = 0;
  const { maxUpdates, maxQEvaluations, maxWallSeconds } = task.budget;
  const loop = new TrainingLoop<unknown, unknown>(
    {
      totalSteps: task.budget.envSteps,
      // On-policy learners update once per rollout, without random warm-up.
      warmupSteps: rollout ? 0 : task.budget.warmupSteps,
      // No update calls while the learner itself would still wait (they would be no-ops).
      learningStarts: Math.max(rollout ? 0 : task.budget.warmupSteps, built.loop.learningStarts ?? 0),
      updateEvery: rollout ?? 1,
      updatesPerBurst: rollout ? 1 : task.budget.updatesPerStep,
      evalEvery: task.evaluation.every,
      evalEpisodes: task.evaluation.episodes,
      evalPolicy: task.evaluation.policy ?? "greedy",
      logEvery: Math.max(1, Math.min(1000, task.evaluation.every)),
      seed: task.seed,
    },
    {
      env,
      evalEnv,
      agent,
      // Built on first use: list actions (RecSimSlate's slates) have no uniform sampler in core, and
      // their learners take no random warm-up.
      randomAction: (rng) => (warmupAction ??= randomActionFor(env.actionSpace))(rng),
      sink: { record: (step, name, value) => pendingMetrics.push({ step, name, value }) },
      onEval: (r) => {
        pendingEvals.push({ type: "eval", runId, step: r.step, returns: r.returns, success: r.successRate });
        // The same policy on each other action split, reset with this evaluation's own seeds
        // (deterministic acting draws no random numbers, and sampled acting draws from generators
        // of the episodes' own, so training is unchanged by it).
        if (splitEnvs.length > 0) {
          const te = performance.now();
          const seeds = evaluationSeeds(task.seed, loop.result().evals.length - 1, task.evaluation.episodes);
          for (const [split, splitEnv] of splitEnvs) {
            const e = evaluatePolicy(splitEnv, agent, seeds, { sampled: task.evaluation.policy === "sampled" });
            pendingEvals.push({ type: "eval", runId, step: r.step, returns: e.returns, success: e.successRate, split });
            for (const [name, value] of Object.entries(e.episodeMetrics)) {
              pendingMetrics.push({ step: r.step, name: `eval/${split}/${name}`, value });
            }
          }
          splitEvalSeconds += (performance.now() - te) / 1000;
        }
        return undefined;
      },
      shouldStop: () => {
        const c = agent.counters?.() ?? {};
        if (maxUpdates !== undefined && (c.gradientUpdates ?? 0) >= maxUpdates) stoppedBy = "maxUpdates";
        else if (maxQEvaluations !== undefined && (c.qEvaluations ?? 0) >= maxQEvaluations)
          stoppedBy = "maxQEvaluations";
        else if (maxWallSeconds !== undefined && (performance.now() - t0) / 1000 >= maxWallSeconds)
          stoppedBy = "maxWallSeconds";
        return stoppedBy !== null;
      },
    },
  );

  let resumedFrom: number | null = null;
  // A checkpoint directory whose first save was killed before its commit holds no checkpoint.
  if (checkpointExists(checkpointDir)) {
    const snap = loadCheckpoint(checkpointDir) as { loop: Snapshot; agent: Snapshot; elapsed?: unknown };
    agent.load(snap.agent);
    loop.load(snap.loop);
    const elapsed = RunElapsed.optional().parse(snap.elapsed);
    t0 -= (elapsed?.total ?? 0) * 1000;
    splitEvalSeconds = elapsed?.evalSplits ?? 0;
    resumedFrom = loop.currentStep;
  }
  await reporter({ type: "backend", runId, backend: report.name, resumedFrom });
  // The untrained policy's score is the 0 of SAVO-style normalisation and the start of every curve.
  if (resumedFrom === null) loop.evaluate();

  const flush = async () => {
    for (const m of pendingEvals.splice(0)) await reporter(m);
    if (pendingMetrics.length > 0) {
      const rows = pendingMetrics;
      pendingMetrics = [];
      await reporter({ type: "metrics", runId, rows });
    }
    const r = loop.result();
    await reporter({
      type: "progress",
      runId,
      step: r.step,
      episodes: r.episodes.length,
      updates: r.updates,
      lastReturn: r.episodes.at(-1)?.return ?? null,
    });
  };

  const checkpoint = async () => {
    await flush();
    syncSeq += 1;
    await reporter({ type: "sync", runId, seq: syncSeq }); // evaluations are stored before the checkpoint that follows them
    const elapsed = { total: (performance.now() - t0) / 1000, evalSplits: splitEvalSeconds };
    saveCheckpoint(
      checkpointDir,
      { loop: loop.save(), agent: agent.save(), elapsed },
      { beforeCommit: () => holdForTest("checkpoint") },
    );
  };
  const close = () => {
    agent.dispose();
    env.close();
    evalEnv.close();
    for (const [, splitEnv] of splitEnvs) splitEnv.close();
  };

  const chunk = Math.max(100, Math.min(1000, Math.floor(task.budget.envSteps / 50)));
  let nextCheckpoint = (Math.floor(loop.currentStep / checkpointEvery) + 1) * checkpointEvery;
  while (!loop.done) {
    loop.runUntil(loop.currentStep + chunk);
    // A stop message or signal is seen here, having arrived while flush awaited the IPC channel.
    const stopping = stopRequested;
    if ((stopping || loop.currentStep >= nextCheckpoint) && !loop.done) {
      loop.runUntil(loop.currentStep, { toEpisodeEnd: true });
      await checkpoint();
      if (stopping && !loop.done) {
        await reporter({ type: "interrupted", runId, step: loop.currentStep });
        close();
        return;
      }
      nextCheckpoint = (Math.floor(loop.currentStep / checkpointEvery) + 1) * checkpointEvery;
    }
    await flush();
  }
  const result = loop.result();
  if (!result.stoppedEarly || stoppedBy) {
    if (result.evals.at(-1)?.step !== result.step) loop.evaluate();
  }
  loop.flushMetrics(); // the training metrics logged since the last logEvery boundary
  await flush();
  if (start.clipPath) renderClip(task, agent, start.clipPath, task.seed);
  const counters: Record<string, number> = {
    envSteps: result.step,
    updates: result.updates,
    episodes: result.episodes.length,
    ...(agent.counters?.() ?? {}),
  };
  await reporter({
    type: "done",
    runId,
    counters,
    timings: {
      ...result.timings,
      ...(splitEnvs.length > 0 ? { evalSplits: splitEvalSeconds } : {}),
      total: (performance.now() - t0) / 1000,
    },
    stoppedBy,
  });
  close();
}

/**
 * A single-env run's seconds up to its checkpoint, kept in it (absent from checkpoints written
 * before they were): wall time and the other action splits' evaluations.
 */
const RunElapsed = z.object({ total: z.number(), evalSplits: z.number() }).strict();

/** What a multi-task run's checkpoint holds: the algorithm's run state (agent and its loop) and its seconds. */
const MultiTaskCheckpoint = z
  .object({
    run: z.custom<Snapshot>((v) => v !== undefined),
    elapsed: z.object({ total: z.number(), epochs: z.number(), eval: z.number() }).strict().optional(),
  })
  .strict();

/**
 * A multi-task run (QMP paper §5.3, §8): an algorithm's `multiTask` shape on a task set. The budget
 * is env steps summed over the tasks; the loop runs whole epochs (collection then updates,
 * Algorithm 4), so evaluations and checkpoints fall on the first epoch boundary at or past each
 * multiple of their schedules. An evaluation stores mean success over tasks as the score (with the
 * per-task mean returns as its `returns`), and metrics rows `success/task<i>`, `return/task<i>`
 * and, where behaviour is shared, the cumulative selection counts `selection/task<i>/policy<j>`
 * (task i in learning-task order, policy j in the task set's order). A checkpoint is written only
 * after the parent confirmed everything before it is stored, as for single-env runs. Its timings are
 * the run's phases (`act`, `env`, `update`, `afterEpoch`, where the run times them), `epochs` and `eval`.
 */
async function runMultiTask(start: WorkerStart, backend: BackendReport, reporter: Reporter): Promise<void> {
  const { runId, task, checkpointDir, checkpointEvery } = start;
  await loadPlugins(task.plugins);
  await loadMujoco(); // MuJoCo task sets (Walker2dMT4-v0) build their envs synchronously
  const shape = algorithm(task.algo).multiTask;
  if (!shape) throw new QscapeError(`${task.algo} is a single-env algorithm; ${task.env} is a task set`);
  const why = shape.supportsTaskSet(task.env);
  if (why) throw new QscapeError(`${task.algo} cannot run on ${task.env}: ${why}`);
  const run = shape.create(task.env, {
    seed: task.seed,
    hidden: task.hidden,
    totalEnvSteps: task.budget.envSteps,
    evalEpisodes: task.evaluation.episodes,
    config: task.algoConfig,
  });
  let t0 = performance.now(); // moved back on resume, as for single-env runs
  const every = task.evaluation.every;
  const { maxUpdates, maxWallSeconds } = task.budget;
  const pending: WorkerMessage[] = [];
  let rows: { step: number; name: string; value: number }[] = [];
  let lastEvalStep = -1;
  let stoppedBy: string | null = null;
  const seconds = { epochs: 0, eval: 0 };

  const evaluate = () => {
    const step = run.envSteps;
    const te = performance.now();
    const scores = run.evaluate();
    seconds.eval += (performance.now() - te) / 1000;
    const success = scores.reduce((a, s) => a + s.success, 0) / scores.length;
    pending.push({ type: "eval", runId, step, returns: scores.map((s) => s.meanReturn), success });
    scores.forEach((s, i) => {
      rows.push({ step, name: `success/task${i}`, value: s.success });
      rows.push({ step, name: `return/task${i}`, value: s.meanReturn });
    });
    run.selectionCounts()?.forEach((counts, i) => {
      counts.forEach((value, j) => {
        rows.push({ step, name: `selection/task${i}/policy${j}`, value });
      });
    });
    lastEvalStep = step;
  };
  const flush = async () => {
    for (const m of pending.splice(0)) await reporter(m);
    if (rows.length > 0) {
      const batch = rows;
      rows = [];
      await reporter({ type: "metrics", runId, rows: batch });
    }
    const c = run.counters();
    await reporter({
      type: "progress",
      runId,
      step: run.envSteps,
      episodes: c.epochs ?? 0,
      updates: c.gradientUpdates ?? 0,
      lastReturn: null,
    });
  };
  const checkpoint = async () => {
    await flush();
    syncSeq += 1;
    await reporter({ type: "sync", runId, seq: syncSeq }); // evaluations are stored before the checkpoint that follows them
    const elapsed = { total: (performance.now() - t0) / 1000, ...seconds };
    saveCheckpoint(checkpointDir, { run: run.save(), elapsed }, { beforeCommit: () => holdForTest("checkpoint") });
  };

  let resumedFrom: number | null = null;
  if (checkpointExists(checkpointDir)) {
    const parsed = MultiTaskCheckpoint.safeParse(loadCheckpoint(checkpointDir));
    if (!parsed.success) throw new QscapeError(`${checkpointDir}: not a multi-task checkpoint`);
    run.load(parsed.data.run);
    const elapsed = parsed.data.elapsed;
    if (elapsed) {
      t0 -= elapsed.total * 1000;
      seconds.epochs = elapsed.epochs;
      seconds.eval = elapsed.eval;
    }
    resumedFrom = run.envSteps;
  }
  await reporter({ type: "backend", runId, backend: backend.name, resumedFrom });
  // The untrained policies' success is the start of every curve and the 0 of normalisation.
  if (resumedFrom === null) evaluate();

  const nextMultiple = (n: number) => (Math.floor(run.envSteps / n) + 1) * n;
  let nextEval = nextMultiple(every);
  let nextCheckpoint = nextMultiple(checkpointEvery);
  while (!run.done) {
    const te = performance.now();
    run.runEpoch();
    seconds.epochs += (performance.now() - te) / 1000;
    if (run.envSteps >= nextEval && !run.done) {
      evaluate();
      nextEval = nextMultiple(every);
    }
    if (maxUpdates !== undefined && (run.counters().gradientUpdates ?? 0) >= maxUpdates) stoppedBy = "maxUpdates";
    else if (maxWallSeconds !== undefined && (performance.now() - t0) / 1000 >= maxWallSeconds)
      stoppedBy = "maxWallSeconds";
    if (stoppedBy) break;
    const stopping = stopRequested;
    if ((stopping || run.envSteps >= nextCheckpoint) && !run.done) {
      await checkpoint();
      if (stopping) {
        await reporter({ type: "interrupted", runId, step: run.envSteps });
        run.dispose();
        return;
      }
      nextCheckpoint = nextMultiple(checkpointEvery);
    }
    await flush();
  }
  if (lastEvalStep !== run.envSteps) evaluate();
  await flush();
  const counters = { envSteps: run.envSteps, ...run.counters() };
  await reporter({
    type: "done",
    runId,
    counters,
    // The phases of the epochs as a single-env run names them (act, env, update; and afterEpoch),
    // with whole epochs and evaluations timed here: what `pnpm bench speeds`/calibrate price runs with.
    timings: { ...run.timings?.(), ...seconds, total: (performance.now() - t0) / 1000 },
    stoppedBy,
  });
  run.dispose();
}

// As a child process: run `start` messages one at a time for as long as the parent keeps the
// worker (process start, imports and backend set-up are paid once per worker, not per run). A run
// that throws ends the process, so the next run starts from a clean one.
if (process.send && process.argv.includes("--qscape-worker")) {
  let backend: BackendReport | undefined;
  process.on("message", (msg: ParentMessage) => {
    if (msg.type === "stop") {
      stopRequested = true;
      return;
    }
    if (msg.type === "synced") {
      syncWaiters.get(msg.seq)?.();
      syncWaiters.delete(msg.seq);
      return;
    }
    (async () => {
      backend ??= await initBackend();
      await runTask(msg, backend);
    })().catch(async (err: unknown) => {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await send({ type: "error", runId: msg.runId, message }).catch(() => {});
      process.exit(1);
    });
  });
  // The parent decides; a worker that gets the terminal's Ctrl-C itself checkpoints and stops its run.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => (stopRequested = true));
  process.on("disconnect", () => process.exit(0));
}
