import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReportData } from "./data.js";
import { renderReportHtml } from "./html.js";

/** The report data as pretty-printed JSON. */
export function reportToJson(d: ReportData): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

export const CSV_COLUMNS = ["section", "algo", "env", "metric", "x", "point", "lo", "hi"] as const;

function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

type ScoreParts = Pick<ReportData, "normalisation" | "aggregates" | "profiles" | "improvement" | "learningCurves">;

/**
 * Every number of the report in one long-format CSV: section, algo, env, metric, x (τ, step or
 * seed), point, lo, hi.
 */
export function reportToCsv(d: ReportData): string {
  type Row = [string, string, string, string, number | string | null, number | null, number | null, number | null];
  const rows: Row[] = [];
  // Normalisation, aggregates, profile, improvement and learning curves: the training actions' under
  // their section names, each other action split's under "<split>_actions/<section>".
  const scoreRows = (part: ScoreParts, prefix: string) => {
    for (const p of part.normalisation.perEnv) {
      rows.push([`${prefix}normalisation`, "", p.env, "random", null, p.random, null, null]);
      rows.push([`${prefix}normalisation`, "", p.env, "reference", null, p.reference, null, null]);
    }
    for (const a of part.aggregates) rows.push([`${prefix}aggregate`, a.algo, "", a.metric, null, a.point, a.lo, a.hi]);
    for (const c of part.profiles.curves) {
      part.profiles.taus.forEach((tau, i) => {
        rows.push([
          `${prefix}profile`,
          c.algo,
          "",
          "fraction_above_tau",
          tau,
          c.profile[i] ?? null,
          c.lo[i] ?? null,
          c.hi[i] ?? null,
        ]);
      });
    }
    for (const p of part.improvement)
      rows.push([`${prefix}probability_of_improvement`, `${p.x} > ${p.y}`, "", "P(X>Y)", null, p.point, p.lo, p.hi]);
    for (const c of part.learningCurves) {
      c.steps.forEach((step, i) => {
        rows.push([
          `${prefix}learning_curve`,
          c.algo,
          c.env,
          d.multiTask ? "mean_success" : "mean_return",
          step,
          c.point[i] ?? null,
          c.lo[i] ?? null,
          c.hi[i] ?? null,
        ]);
      });
    }
  };
  scoreRows(d, "");
  for (const a of d.actionSplits ?? []) scoreRows(a, `${a.split}_actions/`);
  for (const c of d.sampleEfficiency) {
    c.steps.forEach((step, i) => {
      rows.push([
        "sample_efficiency",
        c.algo,
        "",
        "iqm_normalised",
        step,
        c.point[i] ?? null,
        c.lo[i] ?? null,
        c.hi[i] ?? null,
      ]);
    });
  }
  for (const c of d.multiTask?.taskCurves ?? []) {
    c.steps.forEach((step, i) => {
      rows.push([
        "task_success_curve",
        c.algo,
        c.env,
        `success/${c.name}`,
        step,
        c.point[i] ?? null,
        c.lo[i] ?? null,
        c.hi[i] ?? null,
      ]);
    });
  }
  for (const sel of d.multiTask?.selections ?? []) {
    // x = the end of the stretch of training; the whole run is the last row set of each task.
    for (const w of sel.windows) {
      w.freq.forEach((row, i) => {
        row.forEach((share, j) => {
          rows.push([
            "selection_frequency",
            sel.algo,
            sel.env,
            `${sel.tasks[i]}->${sel.policies[j]} steps ${w.from}-${w.to}`,
            w.to,
            share,
            null,
            null,
          ]);
        });
      });
    }
  }
  for (const s of d.paperStats) {
    rows.push([
      "paper_stats",
      s.algo,
      s.env,
      "max_average_return",
      s.maxAverageReturnStep,
      s.maxAverageReturn,
      s.maxAverageReturn - s.maxAverageReturnStd,
      s.maxAverageReturn + s.maxAverageReturnStd,
    ]);
    rows.push([
      "paper_stats",
      s.algo,
      s.env,
      `last_${d.finalScore.n}_mean`,
      null,
      s.lastNMean,
      s.lastNMean - s.lastNMeanStd,
      s.lastNMean + s.lastNMeanStd,
    ]);
  }
  for (const r of d.runs) {
    const values: [string, number | null][] = [
      ["final_return", r.finalReturn],
      [`last_${d.finalScore.n}_mean`, r.lastNMean],
      ["max_return", r.maxReturn],
      ["wall_clock_s", r.wallClockS],
      ...Object.entries(r.counters),
    ];
    for (const [metric, v] of values) rows.push([`run_${r.status}`, r.algo, r.env, metric, r.seed, v, null, null]);
  }
  return `${[CSV_COLUMNS.join(","), ...rows.map((row) => row.map(csvField).join(","))].join("\n")}\n`;
}

/**
 * Writes report.html, report.json and report.csv into `dir`; returns their paths. Each file is
 * written under a temporary name and renamed into place, so a kill leaves the previous version or
 * the new one, never half a file. `between` runs after each file (a crash test's hook).
 */
export function writeReport(
  dir: string,
  d: ReportData,
  options: { between?: () => void } = {},
): { html: string; json: string; csv: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { html: join(dir, "report.html"), json: join(dir, "report.json"), csv: join(dir, "report.csv") };
  const files: [string, string][] = [
    [paths.html, renderReportHtml(d)],
    [paths.json, reportToJson(d)],
    [paths.csv, reportToCsv(d)],
  ];
  for (const [file, text] of files) {
    const temp = `${file}.tmp-${process.pid}`;
    writeFileSync(temp, text);
    renameSync(temp, file);
    options.between?.();
  }
  return paths;
}
