import { existsSync } from "node:fs";
import path from "node:path";
import type { ResultsDb } from "./db/index.js";
import { buildReportData, writeReport } from "./report/index.js";
import type { Suite } from "./suite.js";
import { holdForTest } from "./test-hold.js";

/** Build a suite's report from the store and write report.html/.json/.csv into `outDir`. */
export function writeSuiteReport(db: ResultsDb, suiteName: string, outDir: string, suite?: Suite, envs?: string[]) {
  // Either level may be given alone; the report fills the other with its default.
  const normalisation: Record<string, { random?: number; reference?: number }> = {};
  for (const e of suite?.envs ?? []) normalisation[e.id] = { random: e.randomScore, reference: e.referenceScore };
  // "Final score" = mean of the last few evaluations: 10 as in the TD3 paper when a run has many,
  // fewer for short suites so the untrained policy's score is not averaged in.
  const { protocol } = db.suite(suiteName);
  const evaluations = Math.floor(protocol.envSteps / protocol.evaluation.everySteps) + 1;
  const lastN = Math.max(1, Math.min(10, Math.floor(evaluations / 3)));
  const data = buildReportData(db, suiteName, {
    title: `qscape bench — ${suiteName}`,
    lastN,
    normalisation,
    ...(envs ? { envs } : {}),
  });
  // Clips of the final policies (`--clips`), linked relative to the report: every env with runs,
  // including those left out of the aggregates.
  const envsWithRuns = [...new Set(data.runs.map((r) => r.env))];
  data.clips = data.algos.flatMap((algo) =>
    envsWithRuns.flatMap((env) => {
      const file = clipName(algo, env);
      return existsSync(path.join(outDir, "clips", file)) ? [{ algo, env, href: `clips/${file}` }] : [];
    }),
  );
  return writeReport(outDir, data, { between: () => holdForTest("report") });
}

/** The clip file of an algorithm's first seed on an env. */
export function clipName(algo: string, env: string): string {
  return `${`${algo}__${env}`.replace(/[^A-Za-z0-9._-]+/g, "_")}.gif`;
}
