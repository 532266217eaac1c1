import type { ResultsDb } from "./db/index.js";
import { buildReportData, writeReport } from "./report/index.js";
import type { Suite } from "./suite.js";

/** Build a suite's report from the store and write report.html/.json/.csv into `outDir`. */
export function writeSuiteReport(db: ResultsDb, suiteName: string, outDir: string, suite?: Suite) {
  const normalisation: Record<string, { random: number; reference: number }> = {};
  for (const e of suite?.envs ?? []) {
    if (e.randomScore !== undefined && e.referenceScore !== undefined) {
      normalisation[e.id] = { random: e.randomScore, reference: e.referenceScore };
    }
  }
  const data = buildReportData(db, suiteName, {
    title: `qscape bench — ${suiteName}`,
    ...(Object.keys(normalisation).length > 0 ? { normalisation } : {}),
  });
  return writeReport(outDir, data);
}
