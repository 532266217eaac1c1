/**
 * `qscape train`: one algorithm on one env, in this process. The loop is core's TrainingLoop, the
 * agent comes from the algorithm's bench entry, so a run here and the same run in `pnpm bench`
 * train alike. Checkpoints are taken at episode ends (where the loop's state is counters + RNG), every
 * `checkpointEvery` env steps, every few minutes, and on Ctrl-C / SIGTERM; rerunning the same
 * command resumes from the latest one and continues exactly as if it had not stopped.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import {
  checkpointExists,
  evaluationSeeds,
  initBackend,
  loadCheckpoint,
  randomActionFor,
  saveCheckpoint,
  TrainingLoop,
} from "@qscape/core";
import { makeRunEnv } from "./env.js";
import { UsageError } from "./errors.js";
import { mean, meanStd, num, std } from "./numbers.js";
import { formatTime, TrainProgress } from "./progress.js";
import {
  type EvaluationRecord,
  issues,
  jsonSnapshot,
  lockRun,
  type ModelMeta,
  paths,
  RunLog,
  readEvaluations,
  readRunSpec,
  saveModel,
  TrainingCheckpoint,
  writeAtomic,
} from "./run.js";
import { type Plan, specDifferences } from "./settings.js";

export interface Io {
  write(text: string): void;
  tty: boolean;
  /** Terminal width, when on one. */
  columns?: number;
}

/** Checkpoint at least this often (seconds of training), so a kill loses little work. */
const CHECKPOINT_SECONDS = 300;

/** Refuses a directory that holds another run or other files; returns true when the run there already finished. */
export function checkRunDir(plan: Plan): boolean {
  const { dir, spec } = plan;
  const existing = readRunSpec(dir);
  if (existing) {
    const diff = specDifferences(existing, spec);
    if (diff.length > 0) {
      throw new UsageError(
        `${dir} holds a run with other settings (${diff.join(", ")} differ); rerun its command to resume it, or choose another --out`,
      );
    }
    return checkpointExists(paths(dir).last);
  }
  // A kill between claiming the directory and writing run.json leaves only the lock.
  if (existsSync(dir) && readdirSync(dir).some((f) => f !== "train.lock")) {
    throw new UsageError(`${dir} exists and is not a qscape run directory; choose another --out`);
  }
  return false;
}

export async function train(
  plan: Plan,
  io: Io,
  opts: { logInterval: number; quiet: boolean },
  signals: { stop: () => "INT" | "TERM" | null },
): Promise<number> {
  const { spec, dir } = plan;
  const p = paths(dir);
  if (checkRunDir(plan)) {
    const last = readEvaluations(dir).at(-1);
    io.write(
      `${dir} already finished (${spec.steps} steps)${last ? `; last evaluation ${meanStd(last.mean, last.std)}` : ""}\n`,
    );
    return 0;
  }
  mkdirSync(dir, { recursive: true });
  const unlock = lockRun(dir);
  try {
    if (!existsSync(p.spec)) writeAtomic(p.spec, `${JSON.stringify(spec, null, 2)}\n`);
    return await trainLocked(plan, io, opts, signals);
  } finally {
    unlock();
  }
}

async function trainLocked(
  plan: Plan,
  io: Io,
  opts: { logInterval: number; quiet: boolean },
  signals: { stop: () => "INT" | "TERM" | null },
): Promise<number> {
  const { spec, entry, dir, checkpointEvery } = plan;
  const p = paths(dir);

  const backend = await initBackend();
  const env = makeRunEnv(spec);
  const evalEnv = makeRunEnv(spec);
  const { agent, loop: shape } = entry.create(env, {
    seed: spec.seed,
    hidden: spec.hidden,
    warmupSteps: spec.warmupSteps,
    config: spec.config,
  });
  const rollout = shape.rolloutSteps;

  let resume: ReturnType<typeof TrainingCheckpoint.parse> | null = null;
  if (checkpointExists(p.checkpoint)) {
    const parsed = TrainingCheckpoint.safeParse(loadCheckpoint(p.checkpoint));
    if (!parsed.success)
      throw new UsageError(`${p.checkpoint} is not a qscape training checkpoint: ${issues(parsed.error)}`);
    resume = parsed.data;
  }
  const log = new RunLog(dir, resume?.logs ?? null);
  const progress = new TrainProgress(
    io.write,
    {
      interval: opts.logInterval,
      tty: io.tty,
      quiet: opts.quiet,
      ...(io.columns ? { columns: io.columns } : {}),
    },
    0,
  );
  const losses = new Map<string, number>();
  const recent: number[] = [];
  let best = Number.NEGATIVE_INFINITY;
  let lastEval: EvaluationRecord | null = null;
  const meta = (kind: ModelMeta["kind"], step: number): ModelMeta => ({
    format: "qscape-model",
    version: 1,
    kind,
    algo: spec.algo,
    env: spec.env,
    envKwargs: spec.envKwargs,
    actionRepresentation: spec.actionRepresentation,
    seed: spec.seed,
    hidden: spec.hidden,
    warmupSteps: spec.warmupSteps,
    config: spec.config,
    step,
    evaluation: lastEval,
  });

  const warmup = rollout ? 0 : spec.warmupSteps;
  const loop: TrainingLoop<unknown, unknown> = new TrainingLoop<unknown, unknown>(
    {
      totalSteps: spec.steps,
      // On-policy learners update once per rollout, without random warm-up (as the bench runs them).
      warmupSteps: warmup,
      updateEvery: rollout ?? 1,
      updatesPerBurst: rollout ? 1 : spec.updatesPerStep,
      evalEvery: spec.evaluation.every,
      evalEpisodes: spec.evaluation.episodes,
      logEvery: Math.max(1, Math.min(1000, spec.evaluation.every, Math.floor(spec.steps / 50))),
      seed: spec.seed,
    },
    {
      env,
      evalEnv,
      agent,
      ...(warmup > 0 ? { randomAction: randomActionFor(env.actionSpace) } : {}),
      sink: {
        record: (step, name, value) => {
          log.metric(step, name, value);
          if (name.startsWith("train/")) losses.set(name, value);
        },
      },
      onEpisode: (ep) => {
        recent.push(ep.return);
        if (recent.length > 10) recent.shift();
      },
      onEval: (r) => {
        const index = loop.result().evals.length - 1;
        const record: EvaluationRecord = {
          index,
          step: r.step,
          seeds: evaluationSeeds(spec.seed, index, spec.evaluation.episodes),
          returns: r.returns,
          lengths: r.lengths,
          mean: r.mean,
          std: std(r.returns),
          successRate: r.successRate,
        };
        log.evaluation(record);
        lastEval = record;
        const improved = r.mean > best;
        if (improved) {
          best = r.mean;
          saveModel(p.best, meta("best", r.step), agent.save());
        }
        progress.line(
          `eval at step ${r.step}: return ${meanStd(r.mean, record.std)} over ${r.returns.length} episodes${improved ? " (best so far, saved)" : ""}`,
        );
        return undefined;
      },
    },
  );

  const close = () => {
    progress.end();
    log.close();
    agent.dispose();
    env.close();
    evalEnv.close();
  };

  io.write(
    `${spec.algo} on ${spec.env}, seed ${spec.seed}, ${spec.steps} steps; backend ${backend.name}; run directory ${dir}\n`,
  );
  if (resume) {
    agent.load(resume.agent);
    loop.load(resume.loop);
    const evals = readEvaluations(dir);
    lastEval = evals.at(-1) ?? null;
    for (const e of evals) best = Math.max(best, e.mean);
    for (const ep of loop.result().episodes.slice(-10)) recent.push(ep.return);
    io.write(`resumed from step ${loop.currentStep} (checkpoint in ${p.checkpoint})\n`);
  } else {
    // The untrained policy's score starts the curve (and is the first best model).
    loop.evaluate();
  }

  const checkpoint = () => {
    saveCheckpoint(p.checkpoint, {
      model: jsonSnapshot(meta("checkpoint", loop.currentStep)),
      agent: agent.save(),
      loop: loop.save(),
      logs: jsonSnapshot(log.sizes()),
    });
  };
  const state = () => ({
    step: loop.currentStep,
    total: spec.steps,
    episodes: loop.result().episodes.length,
    recentReturn: recent.length > 0 ? mean(recent) : null,
    losses,
    lastEval,
    bestEval: Number.isFinite(best) ? best : null,
  });

  const t0 = performance.now();
  const startStep = loop.currentStep;
  progress.restart(startStep);
  let lastCheckpoint = performance.now();
  let nextCheckpoint = (Math.floor(loop.currentStep / checkpointEvery) + 1) * checkpointEvery;
  // Small chunks keep the progress line and Ctrl-C responsive; the loop is the same whatever the chunk.
  const chunk = 50;
  try {
    while (!loop.done) {
      loop.runUntil(loop.currentStep + chunk);
      progress.tick(state());
      // Signals are delivered between chunks: training itself is synchronous.
      await new Promise((resolve) => setImmediate(resolve));
      const stop = signals.stop();
      const due =
        loop.currentStep >= nextCheckpoint || (performance.now() - lastCheckpoint) / 1000 >= CHECKPOINT_SECONDS;
      if ((stop || due) && !loop.done) {
        loop.runUntil(loop.currentStep, { toEpisodeEnd: true });
        if (!loop.done) {
          checkpoint();
          lastCheckpoint = performance.now();
          nextCheckpoint = (Math.floor(loop.currentStep / checkpointEvery) + 1) * checkpointEvery;
          if (stop) {
            progress.line(`stopped at step ${loop.currentStep}, checkpoint saved; run the same command to resume`);
            return stop === "INT" ? 130 : 143;
          }
        }
      }
    }
    if (loop.result().evals.at(-1)?.step !== loop.currentStep) loop.evaluate();
    saveModel(p.last, meta("last", loop.currentStep), agent.save());
    rmSync(p.checkpoint, { recursive: true, force: true });
    progress.tick(state(), true);
    const secs = (performance.now() - t0) / 1000;
    const fps = (loop.currentStep - startStep) / Math.max(1e-6, secs);
    progress.line(
      `done: ${loop.currentStep} steps in ${formatTime(secs)} (${fps.toFixed(0)} steps/s); last evaluation ${
        lastEval ? `${meanStd(lastEval.mean, lastEval.std)}` : "–"
      }, best ${num(best)}; models in ${p.best} and ${p.last}`,
    );
    return 0;
  } finally {
    close();
  }
}
