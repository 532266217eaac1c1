/**
 * `pnpm bench` — run a suite (default: `default`), re-render a report, or list what exists.
 *
 *   pnpm bench                                   the default suite
 *   pnpm bench <suite> [--workers N] [--quiet]   a suite from benchmarks/
 *   pnpm bench --algos td3,savo --envs InvertedPendulumRestricted-v5 --seeds 5 --steps 50000
 *   pnpm bench --algos td3,savo --set td3:actorLr=1e-3 --set batchSize=128   (per algorithm or for all)
 *   pnpm bench report <results.db> [--suite S] [--envs A,B] [--out DIR]
 *   pnpm bench <suite> --clips                   the report shows a GIF of each algorithm's final policy per env (first seed)
 *   pnpm bench <suite> --report-every 5          rewrite report.html every 5 min while it runs (0: only at the end)
 *   pnpm bench list                              suites with durations from measured speeds, algorithms, envs
 *   pnpm bench calibrate [suite …] [--steps N]   measure the speeds those durations use (benchmarks/speeds.json)
 *   pnpm bench speeds <results.db …>             take the speeds from finished runs instead
 *   pnpm bench <suite> --executor slurm [--partition P] [--time T] [--cpus-per-task N] [--mem M]
 *       [--sbatch-arg=--opt=v ...] [--max-concurrent N] [--detach] [--dry-run]
 *   pnpm bench status <results-dir>             a Slurm submission's runs
 *   pnpm bench collect <results-dir>            merge its shards into results.db and write the report
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { applySets, describeSpace, parseSets } from "@qscape/cli";
import { initBackend, QscapeError } from "@qscape/core";
import { loadMujoco, make, makeTaskSet, registry, taskSetIds } from "@qscape/envs";
import { algorithm, algorithms, loadPlugins, updateSchedule } from "./algorithms.js";
import { calibrate, calibrationSuites } from "./calibrate.js";
import { openResults } from "./db/index.js";
import { envListLine } from "./env-scores.js";
import { executeSuite, killWorkers } from "./executor.js";
import { LiveReport } from "./live-report.js";
import { ConsoleProgress } from "./progress.js";
import { clipName, writeSuiteReport } from "./report-writer.js";
import { RunLogs } from "./run-logs.js";
import { SlurmError, slurmSettings } from "./slurm/config.js";
import { collectInto, executeSlurm, preflight, slurmStatus, submittedSuite } from "./slurm/executor.js";
import { describeEstimate, estimateSuite, readSpeeds, speedsFromResults, writeSpeeds } from "./speeds.js";
import {
  checkScores,
  configOn,
  expandRuns,
  isTaskSet,
  labelOf,
  parseSuite,
  protocolOf,
  type RunTask,
  type Suite,
  SuiteError,
} from "./suite.js";
import { makeEnv } from "./worker.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const benchmarksDir = path.join(repoRoot, "benchmarks");
/** Measured per-algorithm speeds (`pnpm bench calibrate` / `pnpm bench speeds`), read by every estimate. */
const speedsFile = path.join(benchmarksDir, "speeds.json");
/** Paths on the command line are the user's: `pnpm --filter … run` changes the cwd, INIT_CWD keeps theirs. */
const userPath = (p: string): string => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

export class UsageError extends Error {
  override name = "UsageError";
}

export function suiteNames(): string[] {
  return readdirSync(benchmarksDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** A suite by name from benchmarks/, or a path to a suite file (`.ts`/`.js`/`.mjs`). */
export async function loadSuite(name: string): Promise<Suite> {
  const isPath = /\.(ts|js|mjs)$/.test(name);
  const file = isPath ? userPath(name) : path.join(benchmarksDir, `${name}.ts`);
  if (isPath && !existsSync(file)) throw new UsageError(`no suite file at ${file}`);
  if (!existsSync(file)) throw new UsageError(`unknown suite "${name}"; known: ${suiteNames().join(", ")}`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    const e = err as Error;
    throw new UsageError(`suite file ${file} failed to load: ${e.name}: ${e.message.split("\n")[0]}`);
  }
  const suite = parseSuite(mod.default, isPath ? file : `benchmarks/${name}.ts`);
  // Plug-in paths are relative to the suite file; package names resolve as imports do.
  const plugins = suite.plugins.map((p) =>
    p.startsWith(".") || path.isAbsolute(p) ? pathToFileURL(path.resolve(path.dirname(file), p)).href : p,
  );
  return { ...suite, plugins };
}

export interface Overrides {
  algos?: string[];
  envs?: string[];
  seeds?: number;
  steps?: number;
  /** `--set [label:]key=value`: a hyperparameter for one algorithm of the suite, or for all of them. */
  sets?: string[];
}

/**
 * Applies `--set` items to the suite's algorithms, with the parser `qscape train --set` uses. `label:key=value`
 * sets a field of that algorithm only; `key=value` sets it for every algorithm in the suite. Each algorithm's
 * schema then checks its config in validateRunnable, naming the algorithm and the field.
 */
function applySetsToAlgorithms(algorithms: Suite["algorithms"], sets: readonly string[]): Suite["algorithms"] {
  const labels = algorithms.map(labelOf);
  const scoped = sets.map((item) => {
    const eq = item.indexOf("=");
    const colon = item.indexOf(":");
    if (colon > 0 && (eq < 0 || colon < eq)) {
      const scope = item.slice(0, colon);
      if (!labels.includes(scope)) {
        throw new UsageError(`--set ${item}: no algorithm "${scope}" in the suite (${labels.join(", ")})`);
      }
      return { scope, item: item.slice(colon + 1) };
    }
    return { scope: null, item };
  });
  return algorithms.map((a) => {
    const mine = scoped.filter((s) => s.scope === null || s.scope === labelOf(a)).map((s) => s.item);
    if (mine.length === 0) return a;
    try {
      return { ...a, config: applySets(a.config, parseSets(mine)) };
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
}

const positiveInt = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
};

/** Apply command-line overrides; the result is validated like any suite. */
export function applyOverrides(base: Suite, o: Overrides): Suite {
  if (!o.algos && !o.envs && !o.seeds && !o.steps && !o.sets?.length) return base;
  const steps = o.steps ?? base.budget.envSteps;
  const algorithms = o.algos?.length ?? base.algorithms.length;
  const envs = o.envs?.length ?? base.envs.length;
  const seeds = o.seeds ?? base.seeds.length;
  const raw = {
    ...base,
    // The author's guess (used only where no speed was measured), scaled by env steps in all.
    ...(base.estimatedMinutes === undefined
      ? {}
      : {
          estimatedMinutes:
            (base.estimatedMinutes * (algorithms * envs * seeds * steps)) /
            (base.algorithms.length * base.envs.length * base.seeds.length * base.budget.envSteps),
        }),
    name: o.algos || o.envs || o.sets?.length ? `${base.name}-custom` : base.name,
    // The report's header says what ran, not what the base suite would have run.
    description: `${base.name} as run with ${[
      o.algos ? `--algos ${o.algos.join(",")}` : "",
      o.envs ? `--envs ${o.envs.join(",")}` : "",
      o.seeds ? `--seeds ${o.seeds}` : "",
      o.steps ? `--steps ${o.steps}` : "",
      ...(o.sets ?? []).map((item) => `--set ${item}`),
    ]
      .filter(Boolean)
      .join(
        " ",
      )}: ${algorithms} algorithm(s) × ${envs} env(s) × ${seeds} seed(s)${o.steps ? ` × ${o.steps} env steps` : ""}`,
    algorithms: applySetsToAlgorithms(
      o.algos
        ? o.algos.map(
            (a) => base.algorithms.find((x) => (x.label ?? x.algo) === a) ?? { algo: a, config: {}, presets: false },
          )
        : base.algorithms,
      o.sets ?? [],
    ),
    envs: (o.envs
      ? o.envs.map(
          (id) =>
            base.envs.find((e) => e.id === id) ?? { id, kwargs: {}, actionRepresentation: false, algorithmConfig: {} },
        )
      : base.envs
    ).map((e) => ({
      ...e,
      // --algos keeps only the per-env overrides of the algorithms it keeps.
      algorithmConfig: Object.fromEntries(
        Object.entries(e.algorithmConfig).filter(([label]) => !o.algos || o.algos.includes(label)),
      ),
      // --steps is one budget for every env: an env's own budget gives way to it.
      ...(o.steps ? { envSteps: undefined, warmupSteps: undefined, evaluation: undefined } : {}),
    })),
    seeds: o.seeds ? Array.from({ length: o.seeds }, (_, i) => i) : base.seeds,
    budget: { ...base.budget, envSteps: steps, warmupSteps: Math.min(base.budget.warmupSteps, Math.floor(steps / 4)) },
    evaluation: { ...base.evaluation, every: Math.min(base.evaluation.every, steps) },
  };
  if (raw.baseline && !raw.algorithms.some((a) => (a.label ?? a.algo) === raw.baseline)) delete raw.baseline;
  return parseSuite(raw, "command-line suite");
}

/**
 * Everything that can be checked before a run starts: plug-ins, algorithms, env ids, space support,
 * and each algorithm's config against its own schema (a typo fails here, naming the suite, the
 * algorithm and the field, not after other runs began).
 */
export async function validateRunnable(suite: Suite): Promise<void> {
  await loadPlugins(suite.plugins);
  const problems: string[] = [];
  const known = new Set(registry.keys());
  for (const a of suite.algorithms)
    if (!algorithms().has(a.algo))
      problems.push(`unknown algorithm "${a.algo}" (known: ${[...algorithms().keys()].join(", ")})`);
  for (const e of suite.envs)
    if (!known.has(e.id) && !isTaskSet(e.id))
      problems.push(`unknown environment "${e.id}" (neither an env nor a task set; see \`pnpm bench list\`)`);
  const taskSets = suite.envs.filter((e) => isTaskSet(e.id));
  if (taskSets.length > 0 && taskSets.length < suite.envs.length)
    problems.push(
      `mixes task sets (${taskSets.map((e) => e.id).join(", ")}) with single envs: a multi-task suite is scored over tasks, the others by their own return; put them in separate suites`,
    );
  else if (taskSets.length > 0) {
    const mixed = checkScores(suite);
    if (mixed) problems.push(mixed);
  }
  // Sampled evaluation draws from generators the agent is given; an agent that cannot take one
  // would sample from its own and change its training. Multi-task runs evaluate greedily only.
  for (const e of suite.evaluation.policy === "sampled" ? suite.envs : []) {
    if (isTaskSet(e.id)) {
      problems.push(`${e.id} is a task set: evaluation.policy "sampled" applies to single envs only`);
      continue;
    }
    for (const a of suite.algorithms) {
      if (algorithms().has(a.algo) && !algorithm(a.algo).sampledEvaluation)
        problems.push(
          `${labelOf(a)} cannot be evaluated on ${e.id} with evaluation.policy "sampled": ${a.algo}'s agents do not sample from a given generator (its entry does not declare sampledEvaluation)`,
        );
    }
  }
  if (problems.length === 0) {
    await loadMujoco();
    const configChecked = new Set<string>();
    const checkConfig = (a: Suite["algorithms"][number], e: Suite["envs"][number]) => {
      const config = configOn(a, e);
      const seen = `${labelOf(a)}\u0000${JSON.stringify(config)}`;
      if (configChecked.has(seen)) return;
      configChecked.add(seen);
      try {
        algorithm(a.algo).checkConfig(config);
      } catch (err) {
        const where = config === a.config ? "" : ` on ${e.id}`;
        problems.push(
          `algorithm "${labelOf(a)}" (${a.algo}) config${where}: ${(err as Error).message.split("\n").join(" ")}`,
        );
      }
    };
    for (const e of taskSets) {
      if (Object.keys(e.kwargs).length > 0 || e.actionRepresentation || e.evalSplits.length > 0) {
        problems.push(`${e.id} is a task set: kwargs, actionRepresentation and evalSplits do not apply to it`);
        continue;
      }
      try {
        makeTaskSet(e.id).close(); // a task set whose tasks do not share spaces fails here, naming the task
      } catch (err) {
        problems.push(`task set ${e.id}: ${(err as Error).message}`);
        continue;
      }
      for (const a of suite.algorithms) {
        const entry = algorithm(a.algo);
        const why = entry.multiTask
          ? entry.multiTask.supportsTaskSet(e.id)
          : "is a single-env algorithm; a task set needs a multi-task one (see `pnpm bench list`)";
        if (why) problems.push(`${labelOf(a)} cannot run on ${e.id}: ${why}`);
        else checkConfig(a, e);
      }
    }
    for (const e of suite.envs.filter((x) => !isTaskSet(x.id))) {
      // Each split's env is built here, so an env without that split (or without splits) is named now.
      for (const split of e.evalSplits) {
        try {
          makeEnv(e.id, { ...e.kwargs, split }, e.actionRepresentation).close();
        } catch (err) {
          problems.push(`${e.id} evalSplits: no "${split}" action split (${(err as Error).message.split("\n")[0]})`);
        }
      }
      const env = makeEnv(e.id, e.kwargs, e.actionRepresentation);
      try {
        for (const a of suite.algorithms) {
          const label = labelOf(a);
          const entry = algorithm(a.algo);
          const why = entry.supports(env, configOn(a, e));
          if (why) {
            problems.push(`${label} cannot run on ${e.id}: ${why}`);
            continue;
          }
          checkConfig(a, e);
        }
      } finally {
        env.close();
      }
    }
  }
  if (problems.length > 0) throw new SuiteError(`suite "${suite.name}" cannot run:\n  ${problems.join("\n  ")}`);
}

function duration(minutes: number): string {
  if (minutes < 1) return `${Math.max(1, Math.round(minutes * 60))} s`;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  if (minutes < 72 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

function compactSteps(n: number): string {
  return n >= 1e6 ? `${+(n / 1e6).toPrecision(3)}M` : n >= 1e3 ? `${+(n / 1e3).toPrecision(3)}k` : String(n);
}

async function list(): Promise<void> {
  const speeds = readSpeeds(speedsFile);
  await loadMujoco(); // task sets are built for their epochs (estimates) and spaces
  console.log(
    `Suites (benchmarks/); durations from the speeds in benchmarks/speeds.json${speeds ? ` (measured ${speeds.measuredAt} on ${speeds.machine})` : " (none measured yet: `pnpm bench calibrate`)"}:`,
  );
  for (const name of suiteNames()) {
    try {
      const s = await loadSuite(name);
      const runs = expandRuns(s);
      const steps = runs.reduce((n, r) => n + r.budget.envSteps, 0);
      const estimate = describeEstimate(estimateSuite(s, speeds, 2, updateSchedule), s.estimatedMinutes, duration);
      console.log(
        `  ${name.padEnd(26)} ${runs.length} runs, ${compactSteps(steps)} env steps, ${estimate} — ${s.description}`,
      );
    } catch (err) {
      console.log(`  ${name.padEnd(26)} INVALID: ${(err as Error).message.split("\n").join(" ")}`);
    }
  }
  console.log("\nAlgorithms:");
  for (const a of algorithms().values()) console.log(`  ${a.id.padEnd(26)} ${a.description}`);
  console.log("\nEnvironments (observation space → action space; recorded baseline scores):");
  await loadMujoco();
  for (const id of [...registry.keys()].sort()) {
    let spaces: string;
    try {
      const env = make(id);
      spaces = `${describeSpace(env.observationSpace)} → ${describeSpace(env.actionSpace)}`;
      env.close();
    } catch (err) {
      spaces = `(needs arguments: ${(err as Error).message.split("\n")[0]})`;
    }
    console.log(envListLine(id, spaces));
  }
  console.log("\nTask sets (multi-task algorithms; score = mean success over tasks):");
  for (const id of taskSetIds().sort()) {
    const set = makeTaskSet(id);
    set.close();
    const learning = set.tasks.filter((t) => t.fixedPolicy === null).length;
    const fixed = set.numTasks - learning;
    console.log(
      `  ${id.padEnd(26)} ${learning} task${learning === 1 ? "" : "s"}${fixed > 0 ? ` + ${fixed} fixed helper polic${fixed === 1 ? "y" : "ies"}` : ""}${set.label ? ` — ${set.label}` : ""}`,
    );
  }
}

function parseCli(argv: string[]) {
  try {
    return parseCli0(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parseCli0(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      algos: { type: "string" },
      envs: { type: "string" },
      seeds: { type: "string" },
      steps: { type: "string" },
      set: { type: "string", multiple: true },
      workers: { type: "string" },
      out: { type: "string" },
      suite: { type: "string" },
      quiet: { type: "boolean", default: false },
      fresh: { type: "boolean", default: false },
      yes: { type: "boolean", default: false },
      executor: { type: "string", default: "local" },
      partition: { type: "string" },
      time: { type: "string" },
      "cpus-per-task": { type: "string" },
      mem: { type: "string" },
      "sbatch-arg": { type: "string", multiple: true },
      "max-concurrent": { type: "string" },
      detach: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      "report-every": { type: "string" },
      clips: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv);
  if (values.help) {
    console.log(readHelp());
    return 0;
  }
  const [cmd, ...rest] = positionals;
  if (cmd === "list") {
    await list();
    return 0;
  }
  if (cmd === "report") {
    const file = rest[0] ? userPath(rest[0]) : undefined;
    if (!file) throw new UsageError("usage: pnpm bench report <results.db> [--suite NAME] [--envs A,B] [--out DIR]");
    if (!existsSync(file)) throw new UsageError(`no results file at ${file}`);
    await loadMujoco(); // the report names a MuJoCo task set's tasks (Walker2dMT4-v0) by building it
    // A reader: a report can be written while the bench that owns the store is still running.
    const db = openResults(file, { readonly: true });
    try {
      const names = db.suiteNames();
      const suiteName = values.suite ?? names[0];
      if (!suiteName || !names.includes(suiteName))
        throw new UsageError(`results file has suites ${names.join(", ") || "(none)"}; pick one with --suite`);
      const out = values.out ? userPath(values.out) : path.dirname(file);
      // The suite file, where there is one by that name, gives the envs' score normalisation.
      const definition = suiteNames().includes(suiteName) ? await loadSuite(suiteName) : undefined;
      const envs = values.envs
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const written = writeSuiteReport(db, suiteName, out, definition, envs);
      console.log(`report: ${written.html}`);
    } finally {
      db.close();
    }
    return 0;
  }

  if (cmd === "status" || cmd === "collect") return slurmFolder(cmd, rest[0]);
  if (cmd === "speeds") {
    if (rest.length === 0) throw new UsageError("usage: pnpm bench speeds <results.db> [more.db …]");
    const entries = rest.flatMap((f) => {
      const file = userPath(f);
      if (!existsSync(file)) throw new UsageError(`no results file at ${file}`);
      const db = openResults(file, { readonly: true });
      try {
        return speedsFromResults(db);
      } finally {
        db.close();
      }
    });
    const merged = writeSpeeds(speedsFile, entries);
    console.log(`${entries.length} speed(s) merged into ${speedsFile} (${merged.entries.length} in all)`);
    return 0;
  }
  if (cmd === "calibrate") return calibrateCommand(rest, values);

  const base = await loadSuite(cmd ?? "default");
  const suite = applyOverrides(base, {
    ...(values.algos
      ? {
          algos: values.algos
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    ...(values.envs
      ? {
          envs: values.envs
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    ...(values.seeds !== undefined ? { seeds: positiveInt(values.seeds, "--seeds") as number } : {}),
    ...(values.steps !== undefined ? { steps: positiveInt(values.steps, "--steps") as number } : {}),
    ...(values.set ? { sets: values.set } : {}),
  });
  const workers = positiveInt(values.workers, "--workers") ?? Math.max(1, os.availableParallelism());
  await loadMujoco(); // a MuJoCo task set is built to count its tasks (its epoch)
  const estimated = estimateSuite(suite, readSpeeds(speedsFile), 2, updateSchedule);
  const estimate = describeEstimate(estimated, suite.estimatedMinutes, duration);
  if ((estimated.minutes ?? suite.estimatedMinutes ?? 0) > 24 * 60 && !values.yes) {
    throw new UsageError(
      `suite ${suite.name} is estimated at ${estimate}: ${expandRuns(suite).length} runs × ${suite.budget.envSteps} env steps; pass --yes to run it anyway`,
    );
  }
  if (values.executor !== "local" && values.executor !== "slurm")
    throw new UsageError(`--executor must be local or slurm, got "${values.executor}"`);
  const slurm = values.executor === "slurm";
  for (const flag of [
    "partition",
    "time",
    "cpus-per-task",
    "mem",
    "sbatch-arg",
    "max-concurrent",
    "detach",
    "dry-run",
  ] as const)
    if (!slurm && values[flag] !== undefined && values[flag] !== false)
      throw new UsageError(`--${flag} needs --executor slurm`);
  const settings = slurm ? slurmSettings(suite.slurm, values) : null;
  // A missing sbatch or a controller that does not answer is found before anything is written.
  if (slurm && !values["dry-run"]) preflight();
  const backend = await initBackend();
  await validateRunnable(suite);

  const outDir = values.out ? userPath(values.out) : path.join(repoRoot, "bench-results", suite.name);
  const dbFile = path.join(outDir, "results.db");
  try {
    if (values.fresh) rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create the results folder ${outDir}: ${(err as Error).message}`);
  }
  const db = openResults(dbFile); // a corrupt or busy store fails here, before anything runs or is written
  const stop = new AbortController();
  let stopSignal: NodeJS.Signals | null = null;
  let stopAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // Ctrl-C signals the whole process group, and a launcher in it (tsx, pnpm) may pass the same
    // signal on: copies within half a second are one press.
    if (stopSignal !== null && performance.now() - stopAt < 500) return;
    if (stopSignal === null) {
      stopSignal = signal;
      stopAt = performance.now();
      console.error(
        `\n${signal}: stopping — running runs checkpoint at their next episode end (${signal === "SIGINT" ? "Ctrl-C" : signal} again to exit at once; either way the same command resumes)`,
      );
      stop.abort();
      return;
    }
    console.error(`${signal} again: exiting now; run the same command to resume from the last checkpoints`);
    killWorkers();
    db.close();
    process.exit(exitCodeFor(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    try {
      db.ensureSuite(suite.name, { description: suite.description, protocol: protocolOf(suite, backend.name) });
    } catch (err) {
      // Results of an earlier version of this suite are never mixed with the new one's.
      throw new UsageError(
        `${(err as Error).message.split(";")[0]}: the suite changed since ${dbFile} was written. Keep those results and write elsewhere with --out DIR, or start over with --fresh (deletes ${outDir})`,
      );
    }
    const tasks = expandRuns(suite);
    const progress = new ConsoleProgress(process.stderr, values.quiet || !process.stderr.isTTY);
    console.error(
      `suite ${suite.name}: ${tasks.length} runs, ${settings ? "Slurm job array" : `${workers} worker(s)`}, backend ${backend.name}, ${estimate}; results in ${dbFile}`,
    );
    if (settings) {
      const code = await runOnSlurm(db, suite, tasks, outDir, settings, values, stop.signal, progress);
      // Ctrl-C stops the following only; the job goes on (runOnSlurm said how to look at it).
      return stopSignal !== null ? exitCodeFor(stopSignal) : code;
    }
    const reportEvery = values["report-every"] === undefined ? 5 : Number(values["report-every"]);
    if (!(reportEvery >= 0))
      throw new UsageError(`--report-every must be minutes ≥ 0, got "${values["report-every"]}"`);
    const live = new LiveReport(
      progress,
      reportEvery,
      () => {
        if (db.finishedAlgosAndEnvs(suite.name).algos.length > 0) writeSuiteReport(db, suite.name, outDir, suite);
      },
      (err) => console.error(`\nlive report not written now: ${err.message.split("\n")[0]}`),
    );
    const summary = await executeSuite(db, suite, tasks, {
      workers,
      checkpointRoot: path.join(outDir, "checkpoints"),
      checkpointEvery: checkpointEveryOf(suite),
      progress: live,
      ...(values.clips
        ? {
            clips: (t: RunTask) =>
              t.seed === suite.seeds[0] ? path.join(outDir, "clips", clipName(t.label, t.env)) : null,
          }
        : {}),
      stop: stop.signal,
      logs: new RunLogs(path.join(outDir, "runs")),
    });
    try {
      writeFileSync(
        path.join(outDir, "summary.json"),
        `${JSON.stringify({ workers, backend: backend.name, ...summary }, null, 2)}\n`,
      );
    } catch (err) {
      console.error(`warning: could not write summary.json: ${(err as Error).message}`);
    }
    for (const f of summary.failed) console.error(`failed: ${f.label} on ${f.env} seed ${f.seed}: ${f.error}`);
    if (summary.storeError !== null) {
      console.error(
        `error: the results store ${dbFile} refused a write (${summary.storeError}); every run was stopped. What was stored is intact; free space (or fix the device) and run the same command again to resume:\n  ${resumeCommand()}`,
      );
      return 1;
    }
    for (const m of summary.resumeMismatches)
      console.error(
        `warning: ${m.label} on ${m.env} seed ${m.seed}: the resumed run re-made its step-${m.step} evaluation differently; the stored one is kept (resume was not exact)`,
      );
    if (summary.runSeconds > 0) {
      const overhead = 1 - summary.loopSeconds / Math.max(1e-9, summary.runSeconds);
      console.error(
        `wall ${summary.wallSeconds.toFixed(1)} s; runs ${summary.runSeconds.toFixed(1)} s, of which training loops ${summary.loopSeconds.toFixed(1)} s: harness overhead (process start, imports, backend init, IPC, DB writes) ${(100 * overhead).toFixed(1)}%`,
      );
    }
    if (db.finishedAlgosAndEnvs(suite.name).algos.length > 0) {
      const written = writeSuiteReport(db, suite.name, outDir, suite);
      console.log(`report: ${written.html}`);
    } else {
      console.error(`no finished runs yet: no report written (summary in ${path.join(outDir, "summary.json")})`);
    }
    if (stopSignal !== null && summary.interrupted === 0) {
      console.error(`stopped by ${stopSignal}; no run was left unfinished`);
      return exitCodeFor(stopSignal);
    }
    if (stopSignal !== null) {
      console.error(
        `stopped: ${summary.interrupted} run(s) checkpointed; run the same command again to resume:\n  ${resumeCommand()}`,
      );
      return exitCodeFor(stopSignal);
    }
    return summary.failed.length > 0 ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    db.close();
  }
}

/** `pnpm bench calibrate [suite …] [--steps N] [--workers N] [--fresh]` (see calibrate.ts). */
async function calibrateCommand(names: string[], values: ReturnType<typeof parseCli>["values"]): Promise<number> {
  const suites = await Promise.all((names.length > 0 ? names : suiteNames()).map((n) => loadSuite(n)));
  const steps = positiveInt(values.steps, "--steps") ?? 1200;
  const workers = positiveInt(values.workers, "--workers") ?? Math.max(1, os.availableParallelism());
  await loadMujoco(); // a MuJoCo task set is built to count its tasks (its epoch)
  const plan = calibrationSuites(suites, readSpeeds(speedsFile), {
    steps,
    fresh: values.fresh ?? false,
    scheduleOf: updateSchedule,
  });
  if (plan.length === 0) {
    console.log(
      `every (algorithm, env, widths) of ${suites.map((s) => s.name).join(", ")} is measured in ${speedsFile}`,
    );
    return 0;
  }
  for (const s of plan) await validateRunnable(s);
  const backend = await initBackend();
  const outDir = path.join(repoRoot, "bench-results", "calibrate");
  mkdirSync(outDir, { recursive: true });
  const db = openResults(path.join(outDir, "results.db"));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const pairs = plan.reduce((n, s) => n + s.algorithms.length, 0);
    console.error(
      `calibrating ${pairs} (algorithm, env) pair(s), ${workers} worker(s), ${backend.name}; env steps per run: ${plan.map((s) => `${s.envs[0]?.id} ${s.budget.envSteps}`).join(", ")}`,
    );
    const { speeds, failed } = await calibrate(db, plan, backend.name, {
      steps,
      workers,
      fresh: values.fresh ?? false,
      checkpointRoot: path.join(outDir, "checkpoints"),
      progress: new ConsoleProgress(process.stderr, values.quiet || !process.stderr.isTTY),
      stop: stop.signal,
    });
    const merged = writeSpeeds(speedsFile, speeds);
    console.log(`${speeds.length} speed(s) written to ${speedsFile} (${merged.entries.length} in all)`);
    if (failed > 0) console.error(`${failed} calibration run(s) failed; their pairs stay unmeasured`);
    return stop.signal.aborted ? 130 : failed > 0 ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    db.close();
  }
}

/** `--executor slurm`: submit the unfinished runs as one job array, then follow it (or not: `--detach`). */
async function runOnSlurm(
  db: ReturnType<typeof openResults>,
  suite: Suite,
  tasks: ReturnType<typeof expandRuns>,
  outDir: string,
  settings: ReturnType<typeof slurmSettings>,
  values: { detach?: boolean; "dry-run"?: boolean },
  stop: AbortSignal,
  progress: ConsoleProgress,
): Promise<number> {
  const summary = await executeSlurm(db, suite, tasks, {
    outDir,
    settings,
    checkpointEvery: checkpointEveryOf(suite),
    dryRun: values["dry-run"] ?? false,
    detach: values.detach ?? false,
    progress,
    stop,
    log: (line) => console.error(line),
  });
  if (summary.script !== undefined) {
    console.log(summary.script);
    return 0;
  }
  return finishSlurm(db, suite.name, outDir, summary, suite);
}

/** Report and exit status after a Slurm follow or collect. */
function finishSlurm(
  db: ReturnType<typeof openResults>,
  suiteName: string,
  outDir: string,
  summary: {
    failed: { label: string; error: string }[];
    resumeMismatches: { runId: number; step: number }[];
    pending: number;
    interrupted: number;
  },
  suite?: Suite,
): number {
  for (const f of summary.failed) console.error(`failed: ${f.label}: ${f.error}`);
  for (const m of summary.resumeMismatches)
    console.error(
      `warning: run ${m.runId}: the resumed run re-made its step-${m.step} evaluation differently; the stored one is kept (resume was not exact)`,
    );
  if (db.finishedAlgosAndEnvs(suiteName).algos.length > 0) {
    const written = writeSuiteReport(db, suiteName, outDir, suite);
    console.log(`report: ${written.html}`);
  }
  if (summary.pending > 0 || summary.interrupted > 0) {
    console.error(
      `${summary.pending + summary.interrupted} run(s) not finished yet (${summary.pending} still queued or running, ${summary.interrupted} checkpointed); run the same command again to resume the stopped ones`,
    );
  }
  return summary.failed.length > 0 ? 1 : 0;
}

/** `status DIR` (read-only) and `collect DIR` (merge the shards into results.db, settle, report). */
function slurmFolder(cmd: "status" | "collect", dir: string | undefined): number {
  if (!dir) throw new UsageError(`usage: pnpm bench ${cmd} <results-dir>`);
  const outDir = userPath(dir);
  const suite = parseSuite(submittedSuite(outDir), path.join(outDir, "slurm/suite.json"));
  const dbFile = path.join(outDir, "results.db");
  if (cmd === "status") {
    const db = openResults(dbFile, { readonly: true });
    try {
      for (const line of slurmStatus(db, outDir, suite.name)) console.log(line);
    } finally {
      db.close();
    }
    return 0;
  }
  const db = openResults(dbFile);
  try {
    const { active, failed, resumeMismatches } = collectInto(db, outDir, suite.name);
    if (active.length > 0) console.error(`job(s) ${active.join(", ")} still running: collect again when they end`);
    const pending = db.listRuns(suite.name).filter((r) => r.status === "pending" || r.status === "running").length;
    return finishSlurm(db, suite.name, outDir, { failed, resumeMismatches, pending, interrupted: 0 }, suite);
  } finally {
    db.close();
  }
}

function checkpointEveryOf(suite: Suite): number {
  // The longest env's schedule: shorter ones finish between checkpoints, and their resume re-makes little.
  return Math.max(
    ...suite.envs.map((e) => {
      const envSteps = e.envSteps ?? suite.budget.envSteps;
      return Math.max((e.evaluation ?? suite.evaluation).every, Math.floor(envSteps / 10));
    }),
  );
}

/** Shell convention: 128 + the signal's number. */
function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 1);
}

/** The same `pnpm bench …` command, to run again. */
function resumeCommand(): string {
  const args = process.argv.slice(2).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`));
  return `pnpm bench ${args.join(" ")}`.trim();
}

function readHelp(): string {
  const src = fileURLToPath(import.meta.url);
  return `qscape bench — see the header of ${path.relative(process.cwd(), src)}\n
  pnpm bench [suite] [--algos a,b] [--envs e1,e2] [--seeds N] [--steps N] [--workers N] [--out DIR] [--quiet] [--fresh] [--yes]
             [--set [label:]key=value ...]   a hyperparameter for one algorithm (label:) or all, checked by its schema
  pnpm bench report <results.db> [--suite NAME] [--envs A,B] [--out DIR]
  pnpm bench list
  pnpm bench [suite] --executor slurm [--partition P] [--time 04:00:00] [--cpus-per-task 1] [--mem 4G]
             [--sbatch-arg=--account=A ...] [--max-concurrent N] [--detach] [--dry-run]
  pnpm bench status <results-dir>
  pnpm bench collect <results-dir>`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const e = err as Error;
      console.error(
        e instanceof UsageError || e instanceof SuiteError || e instanceof QscapeError || e instanceof SlurmError
          ? `error: ${e.message}`
          : e,
      );
      process.exit(2);
    },
  );
}
