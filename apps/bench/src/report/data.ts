import { QscapeError, Rng } from "@qscape/core";
import { makeTaskSet, taskSetIds } from "@qscape/envs";
import type { ResultsDb } from "../db/results.js";
import type { ParsedSuiteProtocol, RunStatus } from "../db/types.js";
import { meanOf } from "../stats/aggregate.js";
import { type CIMethod, INTERVAL_REPS, PROFILE_REPS } from "../stats/bootstrap.js";
import { lastNMean, maxAverageReturn } from "../stats/classic.js";
import { learningCurveBand, sampleEfficiencyCurve } from "../stats/curves.js";
import { probabilityOfImprovementCI } from "../stats/improvement.js";
import { AGGREGATE_METRICS, type AggregateMetric, aggregateIntervals } from "../stats/intervals.js";
import { minMaxNormalise } from "../stats/normalise.js";
import { linspace, performanceProfile } from "../stats/profile.js";

export interface IntervalRow {
  point: number;
  lo: number;
  hi: number;
}

export interface Curve {
  steps: number[];
  point: number[];
  lo: number[];
  hi: number[];
}

/**
 * Everything the report shows, as plain data (JSON-serialisable): the HTML, JSON and CSV outputs
 * are all rendered from this one object.
 */
export interface ReportData {
  title: string;
  suite: string;
  description: string;
  generatedAt: string;
  /** What every compared run shares: env-step budget, seeds, evaluation schedule, compute caps. */
  protocol: ParsedSuiteProtocol;
  /** Compute backends the finished runs used (e.g. "wasm", "tensorflow"). */
  backends: string[];
  algos: string[];
  /** Tasks in the score matrices (envs every algorithm finished). */
  envs: string[];
  /**
   * How a run's final score is taken from its evaluations: the mean of its last n, or (an action
   * split's score, when the runs were also evaluated on the validation actions) the score at the
   * evaluation whose validation score was best — new-actions §A2's validation-based checkpoint
   * selection (Algorithm 1: "return the checkpoint with the best validation performance").
   */
  finalScore: {
    statistic: "last-n-mean" | "at-best-validation";
    n: number;
    returns: "deterministic evaluation" | "sampled evaluation" | "training episodes";
  };
  normalisation: { method: "min-max"; source: string; perEnv: { env: string; random: number; reference: number }[] };
  bootstrap: {
    seed: number;
    intervalReps: number;
    profileReps: number;
    curveReps: number;
    confidence: number;
    method: CIMethod;
    stratified: "runs within tasks";
  };
  /** Median, IQM, mean and optimality gap of the normalised final scores, per algorithm. */
  aggregates: ({ algo: string; metric: AggregateMetric } & IntervalRow)[];
  profiles: { taus: number[]; curves: { algo: string; profile: number[]; lo: number[]; hi: number[] }[] };
  /** P(X > Y) for every pair, X the algorithm with the higher IQM. */
  improvement: ({ x: string; y: string } & IntervalRow)[];
  /** IQM of normalised evaluation returns against env steps. */
  sampleEfficiency: ({ algo: string } & Curve)[];
  /** Raw evaluation return per env: mean over seeds with a bootstrap CI. */
  learningCurves: ({ env: string; algo: string; seeds: number[] } & Curve)[];
  /** TD3-paper statistics per (algo, env) over the finished seeds. */
  paperStats: {
    algo: string;
    env: string;
    seeds: number;
    maxAverageReturn: number;
    maxAverageReturnStd: number;
    maxAverageReturnStep: number;
    lastNMean: number;
    lastNMeanStd: number;
  }[];
  runs: {
    id: number;
    algo: string;
    env: string;
    seed: number;
    status: RunStatus;
    backend: string | null;
    configHash: string;
    evaluations: number;
    lastStep: number | null;
    finalReturn: number | null;
    lastNMean: number | null;
    maxReturn: number | null;
    wallClockS: number | null;
    counters: Record<string, number>;
    error: string | null;
  }[];
  /** Multi-task suites (task sets, scored over their tasks): what the report shows per task. */
  multiTask?: MultiTaskReport;
  /**
   * The same statistics on each other action split the runs were evaluated on (e.g. unseen test
   * actions: new-actions §A8, AGILE §B6), normalised on that split's own levels. Absent when none.
   */
  actionSplits?: ActionSplitReport[];
  /** Things the reader must know: excluded runs or envs, fallbacks taken. */
  notes: string[];
  /** GIFs of the final policies (`pnpm bench --clips`), relative to the report. */
  clips?: { algo: string; env: string; href: string }[];
  /** A warning shown above the statistics when some algorithm has fewer than 5 runs per task; null otherwise. */
  fewRuns: string | null;
  /**
   * The action representations each run read (new-actions Ch. 2: "the report says which
   * representation a run used"), from the metrics its first update logged. Absent when no run logged one.
   */
  representations?: RepresentationRow[];
  /** Logged training metrics per env and metric: each algorithm's mean over its finished seeds per logged step. */
  trainingMetrics: { env: string; metric: string; series: { algo: string; steps: number[]; mean: number[] }[] }[];
}

/** Which action representations one run read, as its first update reported them. */
export interface RepresentationRow {
  algo: string;
  env: string;
  seed: number;
  /** "hvae" or "flat-vae" (learned from play data), or "hand-engineered" (the env's own features). */
  model: "hvae" | "flat-vae" | "hand-engineered";
  size: number;
  /** FNV-1a of the table's bytes, as 8 hex digits: equal digests, the same table. */
  digest: string;
  /** The learned model's final −ELBO per observation; null for the env's own features. */
  finalLoss: number | null;
}

/** The report's statistics computed from one action split's evaluations instead of the training env's. */
export type ActionSplitReport = { split: string } & Pick<
  ReportData,
  "envs" | "finalScore" | "normalisation" | "aggregates" | "profiles" | "improvement" | "learningCurves" | "notes"
>;

/** Per-task success curves and Q-switch selection frequencies of the finished multi-task runs. */
export interface MultiTaskReport {
  /** Success rate of task `task` (learning-task order) over finished seeds, with a bootstrap CI. */
  taskCurves: ({ env: string; algo: string; task: number; name: string; seeds: number[] } & Curve)[];
  /**
   * Selection frequencies summed over seeds: `windows[k].freq[i][j]` is the share of task i's
   * training steps in that stretch of training acted by policy j (each row sums to 1, or is all 0
   * when the task took no steps there). The last window is the whole run.
   */
  selections: {
    env: string;
    algo: string;
    seeds: number[];
    tasks: string[];
    policies: string[];
    windows: { from: number; to: number; freq: number[][] }[];
  }[];
}

export interface BuildReportOptions {
  title?: string;
  /** Bootstrap seed, logged in the report. */
  seed?: number;
  intervalReps?: number;
  profileReps?: number;
  /** Reps per step for learning and sample-efficiency curves. */
  curveReps?: number;
  confidence?: number;
  /** Most points on the sample-efficiency curve (evaluation steps are thinned evenly); default 101. */
  maxCurvePoints?: number;
  /** Final score = mean of each run's last n evaluations. */
  lastN?: number;
  /**
   * τ grid over normalised scores; default 101 points from min(0, lowest score) to the highest
   * score (at least a little above the lowest), so the profile uses the width the scores span.
   */
  taus?: number[];
  /**
   * Per-env levels for 0 (`random`) and 1 (`reference`); either may be left out, and a missing one
   * takes SAVO's default (0: the untrained mean at step 0; 1: the best algorithm's final mean).
   */
  normalisation?: Record<string, { random?: number; reference?: number }>;
  /** Clock for `generatedAt` (tests pin it). */
  now?: Date;
  /** Report on these envs only (one env's comparison out of a many-env suite); default every env. */
  envs?: string[];
  /** Compute everything from this action split's evaluations (see `ReportData.actionSplits`). */
  split?: string;
  /**
   * With `split`: each run's final score is its score at the evaluation where its score on this
   * other split (the validation actions) was best, instead of its last-n mean.
   */
  selectBy?: string;
}

/**
 * Reads a suite's finished runs from the results store and computes every number of the report.
 */
export function buildReportData(db: ResultsDb, suite: string, options: BuildReportOptions = {}): ReportData {
  const info = db.suite(suite);
  const seed = options.seed ?? 0;
  const rng = new Rng(seed);
  const confidence = options.confidence ?? 0.95;
  const intervalReps = options.intervalReps ?? INTERVAL_REPS;
  const profileReps = options.profileReps ?? PROFILE_REPS;
  const curveReps = options.curveReps ?? 2_000;
  const lastN = options.lastN ?? 10;
  const maxCurvePoints = options.maxCurvePoints ?? 101;
  const notes: string[] = [];

  const score = info.protocol.score ?? "return";
  const { algos, envs: storedEnvs } = db.finishedAlgosAndEnvs(suite);
  const unknownEnvs = (options.envs ?? []).filter((e) => !storedEnvs.includes(e));
  if (unknownEnvs.length > 0)
    throw new QscapeError(
      `suite '${suite}': no finished runs on ${unknownEnvs.join(", ")} (finished: ${storedEnvs.join(", ")})`,
    );
  const allEnvs = options.envs ? storedEnvs.filter((e) => options.envs?.includes(e)) : storedEnvs;
  if (options.envs) notes.push(`Restricted to ${allEnvs.join(", ")}: the suite's other envs are left out.`);
  const allRuns = db.listRuns(suite).filter((r) => allEnvs.includes(r.env) || !options.envs);
  const finished = allRuns.filter((r) => r.status === "finished");
  if (finished.length === 0) throw new QscapeError(`suite '${suite}': no finished runs to report on`);

  // Learning curves of every finished (algo, env).
  const curves = new Map<string, ReturnType<ResultsDb["learningCurves"]>>();
  const key = (algo: string, env: string) => `${algo}\u0000${env}`;
  for (const algo of algos) {
    for (const env of allEnvs) {
      const c = db.learningCurves(suite, algo, env, score, options.split);
      if (c.seeds.length > 0 && c.steps.length > 0) curves.set(key(algo, env), c);
    }
  }
  // Final score per run = mean of its last n evaluations (fewer if the run has fewer).
  const finalOf = (returns: number[][]) => {
    const n = Math.min(lastN, (returns[0] as number[]).length);
    return lastNMean(returns, n);
  };
  const selectBy = options.split !== undefined ? options.selectBy : undefined;
  const complete = allEnvs.filter((env) => algos.every((algo) => curves.has(key(algo, env))));
  for (const env of allEnvs) {
    if (!complete.includes(env)) {
      const missing = algos.filter((a) => !curves.has(key(a, env)));
      notes.push(`${env} left out of the aggregate statistics: no finished runs for ${missing.join(", ")}.`);
    }
  }
  // The 0 and 1 of normalisation (given, or the untrained mean and the best final mean) coincide when
  // no algorithm moved from the 0 level, and they invert when every algorithm ended below it: such an
  // env has no usable scale, so it stays out of the aggregates (its learning curves are still drawn).
  const curvesOn = (env: string) =>
    algos.map((algo) => ({
      algo,
      ...(curves.get(key(algo, env)) as { steps: number[]; seeds: number[]; returns: number[][] }),
    }));
  /** The untrained level: the mean step-0 score of every run; or the algorithm with no step-0 evaluation. */
  const untrainedLevel = (env: string): number | { missing: string } => {
    const all = curvesOn(env);
    const missing = all.find((c) => c.steps[0] !== 0);
    return missing ? { missing: missing.algo } : meanOf(all.flatMap((c) => c.returns.map((r) => r[0] as number)));
  };
  const bestFinal = (env: string) => Math.max(...curvesOn(env).map((c) => finalOf(c.returns).value));
  type Pick = (returns: number[], at: { algo: string; env: string; seed: number }) => number;
  // Validation-based selection: the score at the evaluation with the best validation score (the
  // latest of equal bests), on the steps both splits evaluated.
  const validationCurves = new Map<string, ReturnType<ResultsDb["learningCurves"]>>();
  const selectionPick: Pick = (returns, { algo, env, seed }) => {
    const c = curves.get(key(algo, env)) as { steps: number[] };
    const v = validationCurves.get(key(algo, env)) ?? db.learningCurves(suite, algo, env, score, selectBy);
    validationCurves.set(key(algo, env), v);
    const row = v.returns[v.seeds.indexOf(seed)];
    if (!row) throw new QscapeError(`suite '${suite}': ${algo} on ${env} seed ${seed} has no ${selectBy} evaluations`);
    let best = -1;
    c.steps.forEach((step, i) => {
      const j = v.steps.indexOf(step);
      if (j >= 0 && (best < 0 || (row[j] as number) >= (row[v.steps.indexOf(c.steps[best] as number)] as number)))
        best = i;
    });
    if (best < 0)
      throw new QscapeError(`suite '${suite}': ${algo} on ${env} shares no evaluation step with ${selectBy}`);
    return returns[best] as number;
  };
  // The default 1 under validation-based selection: the best algorithm's mean selected score over
  // its finished seeds (as `bestFinal` without selection).
  const bestSelected = (env: string) =>
    Math.max(
      ...curvesOn(env).map((c) =>
        meanOf(c.returns.map((r, i) => selectionPick(r, { algo: c.algo, env, seed: c.seeds[i] as number }))),
      ),
    );
  /** An env's 0 and 1: the suite's where given (success rates: 0 and 1), else the defaults. */
  const levelsOf = (env: string): { random: number; reference: number; randomGiven: boolean } | { missing: string } => {
    const g = options.normalisation?.[env] ?? {};
    if (g.random !== undefined && g.reference !== undefined)
      return { random: g.random, reference: g.reference, randomGiven: true };
    if (score === "success") return { random: 0, reference: 1, randomGiven: true };
    const random = g.random ?? untrainedLevel(env);
    if (typeof random !== "number") return random;
    const reference = g.reference ?? (selectBy ? bestSelected(env) : bestFinal(env));
    return { random, reference, randomGiven: g.random !== undefined };
  };
  const levels = new Map(complete.map((env) => [env, levelsOf(env)]));
  const envs = complete.filter((env) => {
    const l = levels.get(env) as ReturnType<typeof levelsOf>;
    if ("missing" in l || l.reference > l.random) return true; // a missing step 0 is named below
    const { random, reference } = l;
    const zero = l.randomGiven ? "the suite's random score" : "the untrained one";
    notes.push(
      reference === random
        ? `${env} left out of the aggregate statistics: every algorithm's final score equals ${zero} (${+random.toPrecision(4)}), so min–max normalisation has no scale there.`
        : `${env} left out of the aggregate statistics: no algorithm's final score (best ${+reference.toPrecision(4)}) is above ${zero} (${+random.toPrecision(4)}), so min–max normalisation would invert the ranking there.`,
    );
    return false;
  });

  // Seeds present on every env form the rows of each algorithm's (runs × tasks) matrix.
  const seedsOf = new Map<string, number[]>();
  for (const algo of algos) {
    const perEnv = envs.map((env) => (curves.get(key(algo, env)) as { seeds: number[] }).seeds);
    const common = (perEnv[0] ?? []).filter((s) => perEnv.every((list) => list.includes(s))).sort((a, b) => a - b);
    seedsOf.set(algo, common);
    const dropped = [...new Set(perEnv.flat())].filter((s) => !common.includes(s));
    if (dropped.length > 0)
      notes.push(
        `${algo}: seed${dropped.length > 1 ? "s" : ""} ${dropped.join(", ")} did not finish on every env; left out of the aggregates.`,
      );
    if (envs.length > 0 && common.length === 0)
      throw new QscapeError(`suite '${suite}': ${algo} has no seed finished on every env`);
  }
  const rowsFor = (algo: string, env: string, pick: Pick) => {
    const c = curves.get(key(algo, env)) as { seeds: number[]; returns: number[][] };
    return (seedsOf.get(algo) as number[]).map((seed) =>
      pick(c.returns[c.seeds.indexOf(seed)] as number[], { algo, env, seed }),
    );
  };
  const matrixOf = (algo: string, pick: Pick) => {
    const cols = envs.map((env) => rowsFor(algo, env, pick));
    return (seedsOf.get(algo) as number[]).map((_, r) => cols.map((col) => col[r] as number));
  };
  const lastNPick: Pick = (returns) => meanOf(returns.slice(-Math.min(lastN, returns.length)));
  const finalPick = selectBy ? selectionPick : lastNPick;
  const rawFinal = Object.fromEntries(algos.map((algo) => [algo, matrixOf(algo, finalPick)]));

  // Normalisation bounds.
  const perEnv = envs.map((env) => {
    const l = levels.get(env) as ReturnType<typeof levelsOf>;
    if ("missing" in l)
      throw new QscapeError(
        `suite '${suite}': ${l.missing} on ${env} has no evaluation at step 0 for the untrained level; pass options.normalisation`,
      );
    return { env, random: l.random, reference: l.reference };
  });
  const bounds = { random: perEnv.map((p) => p.random), reference: perEnv.map((p) => p.reference) };
  const normalise = (m: number[][]) => minMaxNormalise(m, bounds, envs);
  const haveMatrices = envs.length > 0;
  // With every env left out (no scale anywhere) there is no matrix to normalise: curves and notes only.
  const normalisedFinal = haveMatrices
    ? Object.fromEntries(algos.map((algo) => [algo, normalise(rawFinal[algo] as number[][])]))
    : {};
  const aggregates: ReportData["aggregates"] = [];
  const scores = Object.values(normalisedFinal).flatMap((m) => [...m.data].filter((v) => Number.isFinite(v)));
  const taus = options.taus ?? profileGrid(scores);
  const profiles: ReportData["profiles"] = { taus, curves: [] };
  const improvement: ReportData["improvement"] = [];
  const sampleEfficiency: ReportData["sampleEfficiency"] = [];
  if (haveMatrices) {
    const agg = aggregateIntervals(normalisedFinal, { reps: intervalReps, confidence, rng });
    for (const algo of algos)
      for (const metric of AGGREGATE_METRICS)
        aggregates.push({ algo, metric, ...(agg[algo] as Record<AggregateMetric, IntervalRow>)[metric] });
    const prof = performanceProfile(normalisedFinal, taus, { reps: profileReps, confidence, rng });
    for (const algo of algos) {
      const p = prof[algo] as { profile: number[]; lo: number[]; hi: number[] };
      profiles.curves.push({ algo, profile: p.profile, lo: p.lo, hi: p.hi });
    }
    // Pairs run from the higher-IQM algorithm to the lower, so most bars read "X beats Y by p".
    const ranked = [...algos].sort(
      (a, b) => (agg[b] as { iqm: IntervalRow }).iqm.point - (agg[a] as { iqm: IntervalRow }).iqm.point,
    );
    for (let i = 0; i < ranked.length; i++) {
      for (let j = i + 1; j < ranked.length; j++) {
        const x = ranked[i] as string;
        const y = ranked[j] as string;
        improvement.push({
          x,
          y,
          ...probabilityOfImprovementCI(normalisedFinal[x]!, normalisedFinal[y]!, {
            reps: profileReps,
            confidence,
            rng,
          }),
        });
      }
    }
    // Sample efficiency on the steps every (algo, env) evaluated.
    const stepLists = [...curves.entries()]
      .filter(([k]) => envs.some((env) => k.endsWith(`\u0000${env}`)))
      .map(([, c]) => c.steps);
    const sharedSteps = (stepLists[0] ?? []).filter((s) => stepLists.every((list) => list.includes(s)));
    // Evenly thinned to at most maxCurvePoints (first and last kept): one bootstrap per point.
    const keep = Math.min(sharedSteps.length, maxCurvePoints);
    const steps = [
      ...new Set(linspace(0, sharedSteps.length - 1, keep).map((i) => sharedSteps[Math.round(i)] as number)),
    ];
    for (const algo of algos) {
      // Each env's curve has its own step list; index by the step in that env's list.
      const perStepAligned = steps.map((step) => {
        const cols = envs.map((env) => {
          const c = curves.get(key(algo, env)) as { steps: number[] };
          const i = c.steps.indexOf(step);
          return rowsFor(algo, env, (returns) => returns[i] as number);
        });
        return normalise((seedsOf.get(algo) as number[]).map((_, r) => cols.map((col) => col[r] as number)));
      });
      sampleEfficiency.push({
        algo,
        ...sampleEfficiencyCurve(steps, perStepAligned, { reps: curveReps, confidence, rng }),
      });
    }
  }

  const learningCurves: ReportData["learningCurves"] = [];
  const paperStats: ReportData["paperStats"] = [];
  for (const env of allEnvs) {
    for (const algo of algos) {
      const c = curves.get(key(algo, env));
      if (!c) continue;
      learningCurves.push({
        env,
        algo,
        seeds: c.seeds,
        ...learningCurveBand(c.steps, c.returns, { reps: curveReps, confidence, rng }),
      });
      const best = maxAverageReturn(c.returns);
      const last = finalOf(c.returns);
      paperStats.push({
        algo,
        env,
        seeds: c.seeds.length,
        maxAverageReturn: best.value,
        maxAverageReturnStd: best.std,
        maxAverageReturnStep: c.steps[best.evalIndex] as number,
        lastNMean: last.value,
        lastNMeanStd: last.std,
      });
    }
  }

  const runs: ReportData["runs"] = allRuns.map((run) => {
    const evals = db.evaluations(run.id);
    const means = evals.map((e) => e.meanReturn);
    return {
      id: run.id,
      algo: run.algo,
      env: run.env,
      seed: run.seed,
      status: run.status,
      backend: run.backend,
      configHash: run.configHash,
      evaluations: evals.length,
      lastStep: evals.at(-1)?.step ?? null,
      finalReturn: means.at(-1) ?? null,
      lastNMean: means.length > 0 ? meanOf(means.slice(-lastN)) : null,
      maxReturn: means.length > 0 ? Math.max(...means) : null,
      wallClockS: run.wallClockS,
      counters: run.counters,
      error: run.error,
    };
  });
  const fewest = Math.min(...algos.map((a) => (seedsOf.get(a) as number[]).length));
  const fewRuns =
    envs.length > 0 && fewest < 5
      ? `Intervals rest on ${fewest} run${fewest === 1 ? "" : "s"} per task for some algorithm (fewer than 5): treat them as rough, and prefer more seeds before drawing conclusions.`
      : null;

  // Training metrics (losses, α, …) logged by the runs: per env and metric, each algorithm's mean over its finished seeds.
  const trainingMetrics: ReportData["trainingMetrics"] = [];
  for (const env of allEnvs) {
    const byMetric = new Map<string, Map<string, Map<number, number[]>>>();
    for (const run of finished.filter((r) => r.env === env)) {
      for (const m of db.metrics(run.id)) {
        if (!Number.isFinite(m.value) || MULTI_TASK_METRIC.test(m.name) || REPRESENTATION_METRIC.test(m.name)) continue;
        const perAlgo = byMetric.get(m.name) ?? new Map<string, Map<number, number[]>>();
        const perStep = perAlgo.get(run.algo) ?? new Map<number, number[]>();
        perStep.set(m.step, [...(perStep.get(m.step) ?? []), m.value]);
        perAlgo.set(run.algo, perStep);
        byMetric.set(m.name, perAlgo);
      }
    }
    for (const [metric, perAlgo] of [...byMetric.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const series = [...perAlgo.entries()].map(([algo, perStep]) => {
        const steps = [...perStep.keys()].sort((a, b) => a - b);
        return { algo, steps, mean: steps.map((st) => meanOf(perStep.get(st) as number[])) };
      });
      trainingMetrics.push({ env, metric, series: thinSeries(series, maxCurvePoints) });
    }
  }

  const representations = representationRows(db, finished);

  // Each other action split: the same statistics from its evaluations (envs without it drop out).
  const actionSplits: ActionSplitReport[] = [];
  if (options.split === undefined) {
    const envsWith = new Map(
      db
        .evaluationSplits(suite)
        .map((split) => [
          split,
          allEnvs.filter((env) => finished.some((r) => r.env === env && db.evaluations(r.id, split).length > 0)),
        ]),
    );
    const validation = envsWith.get("validation") ?? [];
    for (const [split, withSplit] of envsWith) {
      if (withSplit.length === 0) continue;
      // Another split's scores are taken at the best validation evaluation where every env has one.
      const validated = split !== "validation" && withSplit.every((e) => validation.includes(e));
      const d = buildReportData(db, suite, {
        ...options,
        envs: withSplit,
        split,
        ...(validated ? { selectBy: "validation" } : {}),
      });
      actionSplits.push({
        split,
        envs: d.envs,
        finalScore: d.finalScore,
        normalisation: d.normalisation,
        aggregates: d.aggregates,
        profiles: d.profiles,
        improvement: d.improvement,
        learningCurves: d.learningCurves,
        notes: d.notes.filter((n) => !n.startsWith("Restricted to ")),
      });
    }
  }

  const unfinished = allRuns.length - finished.length;
  if (unfinished > 0)
    notes.push(`${unfinished} run(s) not finished (pending, running or failed) are listed but not aggregated.`);

  return {
    title: options.title ?? `qscape benchmark: ${suite}`,
    suite,
    description: info.description,
    generatedAt: (options.now ?? new Date()).toISOString(),
    protocol: info.protocol,
    backends: [...new Set(finished.map((r) => r.backend ?? "unknown"))].sort(),
    algos,
    envs,
    finalScore: {
      statistic: selectBy ? "at-best-validation" : "last-n-mean",
      n: lastN,
      returns: info.protocol.evaluation.deterministic
        ? "deterministic evaluation"
        : info.protocol.evaluation.sampled
          ? "sampled evaluation"
          : "training episodes",
    },
    normalisation: {
      method: "min-max",
      source: normalisationSource(
        envs.map((env) => options.normalisation?.[env] ?? {}),
        score,
      ),
      perEnv,
    },
    bootstrap: {
      seed,
      intervalReps,
      profileReps,
      curveReps,
      confidence,
      method: "percentile",
      stratified: "runs within tasks",
    },
    aggregates,
    profiles,
    improvement,
    sampleEfficiency,
    learningCurves,
    paperStats,
    trainingMetrics,
    runs,
    ...(allEnvs.some((env) => taskSetIds().includes(env))
      ? { multiTask: multiTaskReport(db, finished, { reps: curveReps, confidence, rng, maxCurvePoints }) }
      : {}),
    ...(representations.length > 0 ? { representations } : {}),
    ...(actionSplits.length > 0 ? { actionSplits } : {}),
    notes,
    fewRuns,
  };
}

/** Learning-task and policy names of a task set, or placeholders where it is not registered here. */
function taskNames(env: string, rows: number, cols: number): { tasks: string[]; policies: string[] } {
  if (taskSetIds().includes(env)) {
    let set: ReturnType<typeof makeTaskSet> | null = null;
    try {
      set = makeTaskSet(env);
      set.close();
    } catch {
      // A MuJoCo task set needs `loadMujoco()` first; the report then falls back to placeholders.
    }
    const tasks = set?.tasks.filter((t) => t.fixedPolicy === null).map((t) => t.name) ?? [];
    const policies = set?.tasks.map((t) => t.name) ?? [];
    if (tasks.length >= rows && policies.length >= cols) return { tasks, policies };
  }
  return {
    tasks: Array.from({ length: rows }, (_, i) => `task ${i}`),
    policies: Array.from({ length: cols }, (_, j) => `policy ${j}`),
  };
}

/** Values of one metric at the steps every run has it, as runs × steps. */
function metricMatrix(db: ResultsDb, runIds: number[], name: string): { steps: number[]; values: number[][] } {
  const perRun = runIds.map((id) => new Map(db.metrics(id, name).map((m) => [m.step, m.value] as [number, number])));
  const steps = [...(perRun[0]?.keys() ?? [])].filter((s) => perRun.every((m) => m.has(s))).sort((a, b) => a - b);
  return { steps, values: perRun.map((m) => steps.map((s) => m.get(s) as number)) };
}

/** What a new-actions agent's first update logs about its representations: a table in the report, not a curve. */
const REPRESENTATION_METRIC = /^train\/representation/;

function representationRows(db: ResultsDb, finished: ReturnType<ResultsDb["listRuns"]>): RepresentationRow[] {
  const rows: RepresentationRow[] = [];
  for (const run of finished) {
    const first = (name: string) => db.metrics(run.id, `train/${name}`)[0]?.value;
    const hand = first("representationHandEngineered");
    const size = first("representationSize");
    const digest = first("representationDigest");
    if (hand === undefined || size === undefined || digest === undefined) continue;
    const learned = hand === 0;
    rows.push({
      algo: run.algo,
      env: run.env,
      seed: run.seed,
      model: learned ? (first("representationHierarchical") === 1 ? "hvae" : "flat-vae") : "hand-engineered",
      size,
      digest: (digest >>> 0).toString(16).padStart(8, "0"),
      finalLoss: learned ? (first("representationFinalLoss") ?? null) : null,
    });
  }
  return rows.sort((a, b) => a.algo.localeCompare(b.algo) || a.env.localeCompare(b.env) || a.seed - b.seed);
}

/** Metrics a multi-task run logs per evaluation, drawn in the report's own per-task figures. */
const MULTI_TASK_METRIC = /^(success|return)\/task\d+$|^selection\/task\d+\/policy\d+$/;

/** Up to this many stretches of training in the selection figure, before the whole run. */
const SELECTION_WINDOWS = 4;

function multiTaskReport(
  db: ResultsDb,
  finished: ReturnType<ResultsDb["listRuns"]>,
  opts: { reps: number; confidence: number; rng: Rng; maxCurvePoints: number },
): MultiTaskReport {
  const groups = new Map<string, typeof finished>();
  for (const run of finished) {
    const k = `${run.algo}\u0000${run.env}`;
    groups.set(k, [...(groups.get(k) ?? []), run]);
  }
  const report: MultiTaskReport = { taskCurves: [], selections: [] };
  for (const runs of groups.values()) {
    const { algo, env } = runs[0] as (typeof finished)[number];
    const ids = runs.map((r) => r.id);
    const seeds = runs.map((r) => r.seed);
    const names = db.metricNames(ids[0] as number);
    const taskCount = names.filter((n) => /^success\/task\d+$/.test(n)).length;
    const selectionNames = names.filter((n) => /^selection\/task\d+\/policy\d+$/.test(n));
    const policyCount = new Set(selectionNames.map((n) => n.split("/")[2])).size;
    const labels = taskNames(env, taskCount, policyCount);
    for (let i = 0; i < taskCount; i++) {
      const m = metricMatrix(db, ids, `success/task${i}`);
      if (m.steps.length === 0) continue;
      const keep = Math.min(m.steps.length, opts.maxCurvePoints);
      const idx = [...new Set(linspace(0, m.steps.length - 1, keep).map((x) => Math.round(x)))];
      const steps = idx.map((k) => m.steps[k] as number);
      const values = m.values.map((row) => idx.map((k) => row[k] as number));
      report.taskCurves.push({
        env,
        algo,
        task: i,
        name: labels.tasks[i] as string,
        seeds,
        ...learningCurveBand(steps, values, opts),
      });
    }
    if (policyCount === 0) continue;
    // Cumulative counts summed over seeds, at the evaluation steps every seed logged.
    const cells = Array.from({ length: taskCount }, (_, i) =>
      Array.from({ length: policyCount }, (_, j) => metricMatrix(db, ids, `selection/task${i}/policy${j}`)),
    );
    const steps = cells[0]?.[0]?.steps ?? [];
    if (steps.length < 2) continue;
    const summed = (i: number, j: number, k: number) =>
      ((cells[i] as { values: number[][] }[])[j] as { values: number[][] }).values.reduce(
        (a, row) => a + (row[k] as number),
        0,
      );
    const frequencies = (from: number, to: number) =>
      Array.from({ length: taskCount }, (_, i) => {
        const row = Array.from({ length: policyCount }, (_, j) => summed(i, j, to) - summed(i, j, from));
        const total = row.reduce((a, b) => a + b, 0);
        return row.map((v) => (total > 0 ? v / total : 0));
      });
    const last = steps.length - 1;
    const bounds = [...new Set(linspace(0, last, Math.min(SELECTION_WINDOWS, last) + 1).map((x) => Math.round(x)))];
    const windows = bounds.slice(1).map((to, k) => ({
      from: steps[bounds[k] as number] as number,
      to: steps[to] as number,
      freq: frequencies(bounds[k] as number, to),
    }));
    if (windows.length > 1)
      windows.push({ from: steps[0] as number, to: steps[last] as number, freq: frequencies(0, last) });
    report.selections.push({
      env,
      algo,
      seeds,
      tasks: labels.tasks.slice(0, taskCount),
      policies: labels.policies.slice(0, policyCount),
      windows,
    });
  }
  return report;
}

/** 101 τ values over the span of the scores: from min(0, lowest) to the highest, 5 % beyond. */
/** Says where each env's 0 and 1 came from: the suite's levels, the defaults, or both. */
function normalisationSource(levels: { random?: number; reference?: number }[], score: string): string {
  if (levels.length > 0 && levels.every((l) => l.random !== undefined && l.reference !== undefined))
    return "given per env";
  if (score === "success") return "success rates as they are (0 = no task solved, 1 = every task solved)";
  const zero = levels.some((l) => l.random !== undefined)
    ? "the suite's random score where given, else the mean untrained return (step-0 evaluation, all runs)"
    : "mean untrained return (step-0 evaluation, all runs)";
  const one = levels.some((l) => l.reference !== undefined)
    ? "the suite's reference score where given, else the best algorithm's mean final score"
    : "best algorithm's mean final score";
  return `0 = ${zero}; 1 = ${one}`;
}

export function profileGrid(scores: readonly number[]): number[] {
  if (scores.length === 0) return linspace(0, 1, 101);
  const lo = Math.min(0, ...scores);
  const top = Math.max(...scores);
  const hi = top > lo ? top + 0.05 * (top - lo) : lo + 1;
  return linspace(lo, hi, 101);
}

/** At most `n` points per series, evenly thinned (first and last kept). */
function thinSeries<T extends { steps: number[]; mean: number[] }>(series: T[], n: number): T[] {
  return series.map((s) => {
    if (s.steps.length <= n) return s;
    const idx = [...new Set(linspace(0, s.steps.length - 1, n).map((i) => Math.round(i)))];
    return { ...s, steps: idx.map((i) => s.steps[i] as number), mean: idx.map((i) => s.mean[i] as number) };
  });
}
