/**
 * `qscape evaluate` and `qscape enjoy`: a saved model, rebuilt from what it says about itself
 * (algorithm, env id, validated config), acting deterministically. By default both use the episode
 * seeds of the evaluation that scored the model during training, so `evaluate` repeats that
 * evaluation number for number and `enjoy` shows those very episodes.
 */
import path from "node:path";
import { type AnyAgent, evaluatePolicy, evaluationSeeds, initBackend } from "@qscape/core";
import { type AnyEnv, EnvError, loadMujoco, type RenderFrame, writeGif } from "@qscape/envs";
import { z } from "zod";
import { algorithm } from "./algorithms.js";
import { makeRunEnv } from "./env.js";
import { UsageError } from "./errors.js";
import { mean, meanStd, num, std } from "./numbers.js";
import { EvaluationRecord, type LoadedModel, resolveModel } from "./run.js";
import type { Io } from "./train.js";

const Which = z.enum(["best", "last"]);

export const EvaluateOptions = z
  .object({
    dir: z.string({ error: "which run? e.g. qscape evaluate runs/td3-Pendulum-v1-s0" }).min(1),
    episodes: z.coerce.number().int().positive().optional(),
    seed: z.coerce.number().int().nonnegative().optional(),
    model: Which.default("last"),
    json: z.boolean().default(false),
  })
  .strict();
export type EvaluateOptions = z.output<typeof EvaluateOptions>;

export const EnjoyOptions = z
  .object({
    dir: z.string({ error: "which run? e.g. qscape enjoy runs/td3-Pendulum-v1-s0" }).min(1),
    episodes: z.coerce.number().int().positive().default(3),
    /** Stop after this many frames (the reset frame counts). */
    frames: z.coerce.number().int().positive().optional(),
    fps: z.coerce.number().positive().optional(),
    seed: z.coerce.number().int().nonnegative().optional(),
    model: Which.default("last"),
    out: z.string().min(1).optional(),
  })
  .strict();
export type EnjoyOptions = z.output<typeof EnjoyOptions>;

/** What `qscape evaluate --json` prints: one line, for scripts. */
export const EvaluationOutput = EvaluationRecord.omit({ index: true })
  .extend({
    model: z.string(),
    kind: z.enum(["best", "last", "checkpoint"]),
    algo: z.string(),
    env: z.string(),
  })
  .strict();
export type EvaluationOutput = z.output<typeof EvaluationOutput>;

function rebuild(model: LoadedModel, env: AnyEnv): AnyAgent {
  const { meta } = model;
  const { agent } = algorithm(meta.algo).create(env, {
    seed: meta.seed,
    hidden: meta.hidden,
    warmupSteps: meta.warmupSteps,
    config: meta.config,
  });
  agent.load(model.agent);
  return agent;
}

/** The training evaluation's seeds (first n), or seed, seed+1, … when one is given. */
function episodeSeeds(model: LoadedModel, n: number, seed: number | undefined): number[] {
  if (seed !== undefined) return Array.from({ length: n }, (_, i) => seed + i);
  const ev = model.meta.evaluation;
  return evaluationSeeds(model.meta.seed, ev?.index ?? 0, n);
}

const describeModel = (m: LoadedModel): string =>
  `${m.dir} (${m.meta.kind}: ${m.meta.algo} on ${m.meta.env}, seed ${m.meta.seed}, after ${m.meta.step} env steps)`;

export async function evaluate(o: EvaluateOptions, cwd: string, io: Io): Promise<number> {
  const model = resolveModel(path.resolve(cwd, o.dir), o.model);
  algorithm(model.meta.algo);
  await initBackend();
  await loadMujoco();
  const env = makeRunEnv(model.meta);
  const agent = rebuild(model, env);
  try {
    const n = o.episodes ?? model.meta.evaluation?.seeds.length ?? 10;
    const seeds = episodeSeeds(model, n, o.seed);
    const r = evaluatePolicy(env, agent, seeds);
    const result: EvaluationOutput = {
      model: model.dir,
      kind: model.meta.kind,
      algo: model.meta.algo,
      env: model.meta.env,
      step: model.meta.step,
      seeds,
      returns: r.returns,
      lengths: r.lengths,
      mean: mean(r.returns),
      std: std(r.returns),
      successRate: r.successRate,
    };
    if (o.json) {
      io.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    io.write(`model ${describeModel(model)}\n`);
    const ev = model.meta.evaluation;
    io.write(
      o.seed === undefined
        ? `episodes: the first ${n} of training evaluation #${ev?.index ?? 0} (at step ${ev?.step ?? 0})${
            ev && n <= ev.seeds.length && model.meta.kind !== "checkpoint"
              ? `, which scored ${meanStd(mean(ev.returns.slice(0, n)), std(ev.returns.slice(0, n)))}`
              : ""
          }\n`
        : `episodes: seeds ${seeds[0]}..${seeds.at(-1)}\n`,
    );
    const success = r.successRate === null ? "" : `, success ${(100 * r.successRate).toFixed(0)}%`;
    io.write(`mean return over ${n} episodes: ${meanStd(result.mean, result.std)}${success}\n`);
    return 0;
  } finally {
    agent.dispose();
    env.close();
  }
}

type RgbFrame = Exclude<RenderFrame, string>;

export async function enjoy(o: EnjoyOptions, cwd: string, io: Io): Promise<number> {
  const model = resolveModel(path.resolve(cwd, o.dir), o.model);
  algorithm(model.meta.algo);
  const out = path.resolve(cwd, o.out ?? path.join(o.dir, `${model.meta.kind}.gif`));
  if (!out.endsWith(".gif")) throw new UsageError(`--out ${o.out}: only GIF output is written (a name ending in .gif)`);
  await loadMujoco();
  await initBackend();
  let env: AnyEnv;
  try {
    env = makeRunEnv(model.meta, "rgb_array");
  } catch (err) {
    if (err instanceof EnvError) throw new UsageError(`${model.meta.env} cannot be watched: ${err.message}`);
    throw err;
  }
  const agent = rebuild(model, env);
  const frames: RgbFrame[] = [];
  const limit = o.frames ?? Number.POSITIVE_INFINITY;
  // GIF delays are whole hundredths of a second and browsers play at most 50 frames/s: a faster env
  // (MuJoCo's 125 fps) keeps every k-th frame so the clip plays in real time, unless --fps is given.
  const renderFps = env.metadata.renderFps ?? 30;
  const stride = o.fps === undefined ? Math.max(1, Math.ceil(renderFps / 50)) : 1;
  const fps = o.fps ?? renderFps / stride;
  const grab = () => {
    const f = env.render();
    if (typeof f === "string") throw new UsageError(`${model.meta.env} returned text from render(), not an RGB frame`);
    frames.push(f);
  };
  try {
    io.write(`model ${describeModel(model)}\n`);
    for (const seed of episodeSeeds(model, o.episodes, o.seed)) {
      if (frames.length >= limit) break;
      let [obs] = env.reset({ seed });
      grab();
      let ret = 0;
      let len = 0;
      for (;;) {
        const [next, reward, terminated, truncated] = env.step(agent.act(obs, { explore: false }));
        ret += reward;
        len += 1;
        obs = next;
        if (frames.length < limit && len % stride === 0) grab();
        if (terminated || truncated || frames.length >= limit) break;
      }
      io.write(
        `episode seed ${seed}: return ${num(ret)} over ${len} steps${frames.length >= limit ? " (cut at --frames)" : ""}\n`,
      );
    }
    writeGif(frames, out, { fps });
    const every = stride > 1 ? `, one per ${stride} env steps` : "";
    io.write(`wrote ${out}: ${frames.length} frames at ${Number(fps.toFixed(2))} fps${every}\n`);
    return 0;
  } finally {
    agent.dispose();
    env.close();
  }
}
