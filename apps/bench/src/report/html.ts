import type { ReportData } from "./data.js";
import { aggregatePlot, curvePlot, heatMap, improvementPlot, type Series } from "./plots.js";
import { colourFor, esc, formatNumber } from "./svg.js";

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d2330; font: 14px/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1220px; margin: 0 auto; padding: 28px 30px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 4px; }
.sub { color: #5b6475; margin: 0 0 16px; }
.card { background: #fff; border: 1px solid #dfe3ea; border-radius: 8px; padding: 16px 18px; margin: 0 0 18px; }
.row { display: flex; gap: 18px; flex-wrap: wrap; }
.row > .card { flex: 1 1 560px; }
.explain { color: #5b6475; font-size: 12.5px; margin: 0 0 10px; }
dl.matched { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 4px 16px; margin: 10px 0 0; }
dl.matched dt { color: #5b6475; }
dl.matched dd { margin: 0; font-weight: 600; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 10px; background: #e8eefb; color: #23407a; font-size: 12px; margin-right: 4px; }
.legend-top span { display: inline-flex; align-items: center; margin-right: 16px; font-weight: 600; }
.legend-top i { display: inline-block; width: 14px; height: 10px; border-radius: 2px; margin-right: 6px; }
.grid3 { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 8px; }
.grid3 svg { width: 100%; }
figure.clip { margin: 0; } figure.clip img { width: 100%; image-rendering: pixelated; border: 1px solid #eceef2; } figure.clip figcaption { font-size: 12.5px; color: #3d4657; }
.grid1 { display: grid; grid-template-columns: 1fr; gap: 8px; }
.warn { background: #fff4d6; border: 1px solid #e8c66a; color: #5c4300; border-radius: 8px; padding: 10px 14px; margin: 0 0 18px; font-weight: 600; }
td.counters { white-space: normal; text-align: left; color: #3d4657; min-width: 180px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 7px; border-bottom: 1px solid #eceef2; text-align: right; white-space: nowrap; }
th { background: #f7f8fa; color: #3d4657; font-weight: 600; position: sticky; top: 0; }
td.l, th.l { text-align: left; }
td.err { color: #b3261e; white-space: normal; }
tr.failed td { background: #fff3f0; }
.status-finished { color: #0a7a43; } .status-failed { color: #b3261e; } .status-running, .status-pending { color: #8a6d00; }
.notes li { color: #6b4e00; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; fill: #2a3140; }
svg .tick { font-size: 11px; fill: #5b6475; }
svg .label { font-size: 12px; }
svg .legend { font-size: 12px; }
svg .rowlabel { font-size: 12.5px; font-weight: 600; }
svg .paneltitle, svg .plottitle { font-size: 13.5px; font-weight: 700; }
svg .grid { stroke: #e6e9ef; stroke-width: 1; }
svg .axis { stroke: #8a93a3; stroke-width: 1; }
footer { color: #7a8294; font-size: 12px; }
/* Wide figures are drawn twice, for wide and for narrow windows, so their text never shrinks below legible. */
@media (max-width: 1000px) { .wide-only, .wide-col { display: none; } main { padding: 16px 12px 32px; } dl.matched { grid-template-columns: max-content 1fr; } }
@media (min-width: 1001px) { .narrow-only { display: none; } }
`;

/** Per-task success curves and the selection-frequency heat maps of a multi-task suite. */
function multiTaskSections(
  d: ReportData,
  m: NonNullable<ReportData["multiTask"]>,
  colour: (algo: string) => string,
  legendTop: string,
): string[] {
  const out: string[] = [];
  const pct = Math.round(d.bootstrap.confidence * 100);
  const panels = [...new Set(m.taskCurves.map((c) => `${c.env}\u0000${c.task}`))];
  if (panels.length > 0) {
    const plots = panels
      .map((panel, k) => {
        const series = m.taskCurves.filter((c) => `${c.env}\u0000${c.task}` === panel);
        const first = series[0] as (typeof series)[number];
        return curvePlot(
          series.map((c) => ({ ...c, label: `${c.algo} (${c.seeds.length})`, colour: colour(c.algo) })),
          {
            title: `${first.env}: ${first.name}`,
            xLabel: "Env steps (all tasks)",
            yLabel: "Success rate",
            width: 380,
            height: 270,
            fixedY: [0, 1],
            showLegend: false,
            id: `task-${k}`,
          },
        );
      })
      .join("");
    out.push(
      section(
        "Per-task success",
        `Success rate of each task's own policy π_i (deterministic evaluation episodes), mean over finished seeds with ${pct}% bootstrap CIs. The x axis counts env steps over all tasks.`,
        `<div class="legend-top">${legendTop}</div><div class="grid3">${plots}</div>`,
      ),
    );
  }
  if (m.selections.length > 0) {
    const rows = m.selections
      .map((sel) => {
        const maps = sel.windows
          .map((w, k) =>
            heatMap(w.freq, {
              title: k === sel.windows.length - 1 && sel.windows.length > 1 ? "whole run" : `steps ${w.from}–${w.to}`,
              rows: sel.tasks,
              cols: sel.policies,
              xLabel: "policy that acted",
              yLabel: "rows: task collecting",
            }),
          )
          .join("");
        return `<h3>${esc(sel.algo)} on ${esc(sel.env)} (${sel.seeds.length} seed${sel.seeds.length === 1 ? "" : "s"})</h3><div class="row">${maps}</div>`;
      })
      .join("");
    out.push(
      section(
        "Q-switch selection frequencies",
        "Share (%) of each task's training steps acted by each task's policy, summed over seeds, in successive stretches of training and over the whole run. The paper's analysis (QMP §5.7.2): the conflicting task's policy is chosen least, and sharing decreases as training goes on.",
        rows,
      ),
    );
  }
  return out;
}

/**
 * One other action split (unseen test actions): its aggregates and profile, and each env's learning
 * curves on the training actions and on that split side by side — the claim of new-actions §A8 and
 * AGILE §B6 is about the second.
 */
function actionSplitSections(
  d: ReportData,
  a: NonNullable<ReportData["actionSplits"]>[number],
  colours: Map<string, string>,
  legendTop: string,
): string[] {
  const colour = (algo: string) => colours.get(algo) ?? "#555";
  const pct = Math.round(d.bootstrap.confidence * 100);
  const name = a.split === "test" ? "unseen test actions" : `${a.split} actions`;
  const out: string[] = [];
  const notes = a.notes.length > 0 ? `<ul class="notes">${a.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "";
  if (a.aggregates.length > 0) {
    out.push(
      section(
        `Aggregate metrics on ${name}`,
        `The same policies evaluated at every evaluation point on the ${esc(a.split)} action split (same episode seeds), min–max normalised on that split's own levels (${esc(a.normalisation.source)}), over ${a.envs.map(esc).join(", ")}; ${pct}% stratified-bootstrap CIs. Final score: ${
          a.finalScore.statistic === "at-best-validation"
            ? "each run's score at its evaluation with the best validation-action score (validation-based checkpoint selection, new-actions §A2)"
            : `the mean of each run's last ${a.finalScore.n} evaluations`
        }.`,
        `${notes}${aggregatePlot(a.aggregates, d.algos, colours)}`,
      ),
    );
    out.push(
      `<div class="row">${section(
        `Performance profile on ${name}`,
        "Fraction of runs × envs whose normalised final score on this split is strictly above τ, with bootstrap bands.",
        curvePlot(
          a.profiles.curves.map((c) => ({
            label: c.algo,
            colour: colour(c.algo),
            steps: a.profiles.taus,
            point: c.profile,
            lo: c.lo,
            hi: c.hi,
          })),
          {
            title: `Score distribution (${a.split} actions)`,
            xLabel: "Normalised score (τ)",
            yLabel: "Fraction of runs with score > τ",
            fixedX: [a.profiles.taus[0] as number, a.profiles.taus.at(-1) as number],
            fixedY: [0, 1],
            id: `profile-${a.split}`,
          },
        ),
      )}${section(
        `Probability of improvement on ${name}`,
        "Chance that a run of X beats a run of Y on a random env, scored on this split.",
        a.improvement.length > 0
          ? improvementPlot(a.improvement, colours)
          : "<p>One algorithm only: nothing to compare.</p>",
      )}</div>`,
    );
  }
  const envs = [...new Set(a.learningCurves.map((c) => c.env))];
  if (envs.length > 0) {
    const yLabel = scoreLabel(d);
    const plot = (curves: ReportData["learningCurves"], env: string, title: string, id: string) =>
      curvePlot(
        curves
          .filter((c) => c.env === env)
          .map((c) => ({ ...c, label: `${c.algo} (${c.seeds.length})`, colour: colour(c.algo) })),
        { title, xLabel: "Env steps", yLabel, width: 560, height: 270, showLegend: false, id },
      );
    const pairs = envs
      .map(
        (env, k) =>
          `<div class="row">${plot(d.learningCurves, env, `${env}: training actions`, `lc-train-${a.split}-${k}`)}${plot(a.learningCurves, env, `${env}: ${a.split} actions`, `lc-${a.split}-${k}`)}</div>`,
      )
      .join("");
    out.push(
      section(
        `Learning curves: training actions and ${name}`,
        `Mean evaluation score over finished seeds with ${pct}% bootstrap CIs; left the training env's evaluation (the run's score), right the same policy on the ${esc(a.split)} split.`,
        `<div class="legend-top">${legendTop}</div>${pairs}`,
      ),
    );
  }
  return out;
}

function responsive(wide: string, narrow: string): string {
  return `<div class="wide-only">${wide}</div><div class="narrow-only">${narrow}</div>`;
}

const REPRESENTATION_NAMES = {
  hvae: "HVAE (learned)",
  "flat-vae": "flat VAE (learned)",
  "hand-engineered": "the env's own features",
} as const;

/** The y axis of score curves: a multi-task suite's mean success or mean return over tasks, else the return. */
function scoreLabel(d: ReportData): string {
  if (!d.multiTask) return "Evaluation return";
  return d.protocol.score === "success" ? "Mean success over tasks" : "Mean return over tasks";
}

function section(title: string, explain: string, body: string): string {
  return `<section class="card"><h2>${esc(title)}</h2><p class="explain">${explain}</p>${body}</section>`;
}

function matchedHeader(d: ReportData): string {
  const p = d.protocol;
  const caps = Object.entries(p.computeCaps)
    .map(([k, v]) => `${esc(k)} = ${esc(String(v))}`)
    .join(", ");
  const items: [string, string][] = [
    ["Env steps per run", p.envSteps.toLocaleString("en-US")],
    ["Seeds", `${p.seeds.length} (${p.seeds.join(", ")})`],
    [
      "Evaluation",
      `every ${p.evaluation.everySteps.toLocaleString("en-US")} steps, ${p.evaluation.episodes} episodes, ${p.evaluation.deterministic ? "deterministic" : p.evaluation.sampled ? "sampled from the policy" : "training returns"}`,
    ],
    ...(p.notes ? ([["Per-env budgets", p.notes]] as [string, string][]) : []),
    ["Updates per env step", p.updatesPerStep === undefined ? "not matched" : String(p.updatesPerStep)],
    ["Compute caps", caps || "none"],
    ["Backend", d.backends.map((b) => `<span class="pill">${esc(b)}</span>`).join("")],
    ["Final score", `mean of the last ${d.finalScore.n} evaluations (${d.finalScore.returns})`],
    ["Normalisation", `min–max: ${d.normalisation.source}`],
    [
      "Bootstrap",
      `stratified (${d.bootstrap.stratified}), ${d.bootstrap.method} ${Math.round(d.bootstrap.confidence * 100)}% CIs, reps ${d.bootstrap.intervalReps.toLocaleString("en-US")} / ${d.bootstrap.profileReps.toLocaleString("en-US")} (profiles, PoI) / ${d.bootstrap.curveReps.toLocaleString("en-US")} (curves), seed ${d.bootstrap.seed}`,
    ],
    [
      "τ grid",
      `${d.profiles.taus.length} points, ${formatNumber(d.profiles.taus[0])} to ${formatNumber(d.profiles.taus.at(-1))}`,
    ],
  ];
  const dl = items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${k === "Backend" ? v : esc(v)}</dd>`).join("");
  return `<dl class="matched">${dl}</dl>`;
}

function paperTable(d: ReportData): string {
  const head = `<tr><th class="l">Env</th><th class="l">Algorithm</th><th>Seeds</th><th>Max average return ± std</th><th>at step</th><th>Last-${d.finalScore.n} mean ± std</th></tr>`;
  const rows = d.paperStats
    .map(
      (s) =>
        `<tr><td class="l">${esc(s.env)}</td><td class="l">${esc(s.algo)}</td><td>${s.seeds}</td><td>${formatNumber(s.maxAverageReturn)} ± ${formatNumber(s.maxAverageReturnStd)}</td><td>${s.maxAverageReturnStep.toLocaleString("en-US")}</td><td>${formatNumber(s.lastNMean)} ± ${formatNumber(s.lastNMeanStd)}</td></tr>`,
    )
    .join("");
  return `<table>${head}${rows}</table>`;
}

function runsTable(d: ReportData): string {
  // Counters share one wrapping cell, so the table fits the page whatever an algorithm counts.
  const head = `<tr><th>#</th><th class="l">Algorithm</th><th class="l">Env</th><th>Seed</th><th class="l">Status</th><th class="l wide-col">Backend</th><th class="l wide-col">Config</th><th>Evals</th><th>Final return</th><th>Last-${d.finalScore.n} mean</th><th>Max return</th><th>Wall clock</th><th class="l">Counters</th></tr>`;
  const columns = 13;
  const counters = (c: Record<string, number>) =>
    Object.entries(c)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${esc(k)} ${compact(v)}`)
      .join(" · ") || "–";
  const rows = d.runs
    .map((r) => {
      const cells = `<tr class="${r.status}"><td>${r.id}</td><td class="l">${esc(r.algo)}</td><td class="l">${esc(r.env)}</td><td>${r.seed}</td><td class="l status-${r.status}">${r.status}</td><td class="l wide-col">${esc(r.backend ?? "–")}</td><td class="l wide-col"><code>${esc(r.configHash.slice(0, 8))}</code></td><td>${r.evaluations}</td><td>${formatNumber(r.finalReturn)}</td><td>${formatNumber(r.lastNMean)}</td><td>${formatNumber(r.maxReturn)}</td><td>${r.wallClockS === null ? "–" : `${formatNumber(r.wallClockS)} s`}</td><td class="counters">${counters(r.counters)}</td></tr>`;
      // Errors get their own full-width row so the table keeps its width.
      return r.error
        ? `${cells}<tr class="${r.status}"><td></td><td class="l err" colspan="${columns - 1}">${esc(r.error)}</td></tr>`
        : cells;
    })
    .join("");
  return `<div style="overflow-x:auto">${`<table>${head}${rows}</table>`}</div>`;
}

/** One, two or three plots per row use the card's width (1160 px of drawing at full size). */
function smallMultipleWidth(count: number): number {
  return Math.floor((1160 - 8 * (Math.min(3, count) - 1)) / Math.min(3, count));
}

/** 1234567 → "1.23M": counters stay short. */
function compact(v: number): string {
  const a = Math.abs(v);
  return a >= 1e6
    ? `${+(v / 1e6).toPrecision(3)}M`
    : a >= 1e4
      ? `${+(v / 1e3).toPrecision(3)}k`
      : v.toLocaleString("en-US");
}

/** The whole report as one self-contained HTML page (inline CSS and SVG, no scripts). */
export function renderReportHtml(d: ReportData): string {
  const colours = new Map(d.algos.map((a, i) => [a, colourFor(i)]));
  const colour = (algo: string) => colours.get(algo) ?? "#555";
  const legendTop = d.algos.map((a) => `<span><i style="background:${colour(a)}"></i>${esc(a)}</span>`).join("");
  const parts: string[] = [];
  parts.push(`<header class="card"><h1>${esc(d.title)}</h1>
<p class="sub">Suite <b>${esc(d.suite)}</b>${d.description ? ` — ${esc(d.description)}` : ""} · ${d.algos.length} algorithms × ${d.envs.length} envs · generated ${esc(d.generatedAt)}</p>
<div class="legend-top">${legendTop}</div>
<h2 style="margin-top:14px">What was matched</h2>${matchedHeader(d)}
${d.notes.length > 0 ? `<ul class="notes">${d.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}</header>`);

  if (d.fewRuns) parts.push(`<p class="warn">⚠ ${esc(d.fewRuns)}</p>`);
  if (d.aggregates.length > 0) {
    parts.push(
      section(
        "Aggregate metrics",
        `Min–max normalised final scores over ${d.envs.length} envs (${d.envs.map(esc).join(", ")}); bars are ${Math.round(d.bootstrap.confidence * 100)}% stratified-bootstrap CIs, ticks the point estimates. Higher is better except the optimality gap.`,
        responsive(
          aggregatePlot(d.aggregates, d.algos, colours),
          [
            ["median", "iqm"],
            ["mean", "optimalityGap"],
          ]
            .map((pair) =>
              aggregatePlot(
                d.aggregates.filter((a) => pair.includes(a.metric)),
                d.algos,
                colours,
                620,
              ),
            )
            .join(""),
        ),
      ),
    );
    const profileSeries: Series[] = d.profiles.curves.map((c) => ({
      label: c.algo,
      colour: colour(c.algo),
      steps: d.profiles.taus,
      point: c.profile,
      lo: c.lo,
      hi: c.hi,
    }));
    parts.push(
      `<div class="row">${section(
        "Performance profile",
        "Fraction of runs × envs whose normalised final score is strictly above τ, with bootstrap bands.",
        curvePlot(profileSeries, {
          title: "Score distribution",
          xLabel: "Normalised score (τ)",
          yLabel: "Fraction of runs with score > τ",
          fixedX: [d.profiles.taus[0] as number, d.profiles.taus.at(-1) as number],
          fixedY: [0, 1],
          id: "profile",
        }),
      )}${section(
        "Probability of improvement",
        "Chance that a run of X beats a run of Y on a random env (Mann–Whitney, ties count ½). 0.5 = no difference.",
        d.improvement.length > 0
          ? improvementPlot(d.improvement, colours)
          : "<p>One algorithm only: nothing to compare.</p>",
      )}</div>`,
    );
  }
  if (d.sampleEfficiency.length > 0 && (d.sampleEfficiency[0]?.steps.length ?? 0) > 0) {
    parts.push(
      section(
        "Sample efficiency",
        "IQM of the min–max normalised evaluation return across runs × envs at each evaluation step, with bootstrap CIs.",
        responsive(
          ...(([1160, 620] as const).map((width) =>
            curvePlot(
              d.sampleEfficiency.map((c) => ({ ...c, label: c.algo, colour: colour(c.algo) })),
              {
                title: "IQM normalised score vs env steps",
                xLabel: "Env steps",
                yLabel: "IQM normalised score",
                width,
                height: width > 1000 ? 340 : 330,
                id: `sample-efficiency-${width}`,
              },
            ),
          ) as [string, string]),
        ),
      ),
    );
  }
  const envs = [...new Set(d.learningCurves.map((c) => c.env))];
  if (envs.length > 0) {
    const plots = (width: number, tag: string) =>
      envs
        .map((env) =>
          curvePlot(
            d.learningCurves
              .filter((c) => c.env === env)
              .map((c) => ({ ...c, label: `${c.algo} (${c.seeds.length})`, colour: colour(c.algo) })),
            {
              title: env,
              xLabel: "Env steps",
              yLabel: scoreLabel(d),
              width,
              height: 270,
              showLegend: false,
              id: `lc-${tag}-${envs.indexOf(env)}`,
            },
          ),
        )
        .join("");
    parts.push(
      section(
        "Learning curves",
        d.multiTask
          ? `${scoreLabel(d)} (each task's own policy, deterministic episodes) over finished seeds with ${Math.round(d.bootstrap.confidence * 100)}% bootstrap CIs, per task set.`
          : `Mean evaluation return over finished seeds with ${Math.round(d.bootstrap.confidence * 100)}% bootstrap CIs, per env (raw returns).`,
        `<div class="legend-top">${legendTop}</div>${responsive(
          `<div class="grid3">${plots(smallMultipleWidth(envs.length), "w")}</div>`,
          `<div class="grid1">${plots(620, "n")}</div>`,
        )}`,
      ),
    );
  }
  if (d.trainingMetrics.length > 0) {
    const plots = (width: number, tag: string) =>
      d.trainingMetrics
        .map((m, i) =>
          curvePlot(
            m.series.map((s) => ({
              label: s.algo,
              colour: colour(s.algo),
              steps: s.steps,
              point: s.mean,
              lo: s.mean,
              hi: s.mean,
            })),
            {
              title: `${m.metric} — ${m.env}`,
              xLabel: "Env steps",
              yLabel: m.metric,
              width,
              height: 250,
              showLegend: false,
              id: `tm-${tag}-${i}`,
            },
          ),
        )
        .join("");
    parts.push(
      section(
        "Training metrics",
        "What the learners logged while training (losses, entropy coefficients, …): each algorithm's mean over its finished seeds at each logged step.",
        `<div class="legend-top">${legendTop}</div>${responsive(
          `<div class="grid3">${plots(smallMultipleWidth(d.trainingMetrics.length), "w")}</div>`,
          `<div class="grid1">${plots(620, "n")}</div>`,
        )}`,
      ),
    );
  }
  if (d.clips && d.clips.length > 0) {
    const figures = d.clips
      .map(
        (c) =>
          `<figure class="clip"><img src="${esc(c.href)}" alt="${esc(c.algo)} on ${esc(c.env)}" loading="lazy"><figcaption>${esc(c.algo)} — ${esc(c.env)}</figcaption></figure>`,
      )
      .join("");
    parts.push(
      section(
        "Final policies",
        "One deterministic episode of each algorithm's trained policy on each env (first seed), rendered by the env.",
        `<div class="grid3">${figures}</div>`,
      ),
    );
  }
  for (const split of d.actionSplits ?? []) parts.push(...actionSplitSections(d, split, colours, legendTop));
  if (d.multiTask) parts.push(...multiTaskSections(d, d.multiTask, colour, legendTop));
  if (d.representations) {
    const rows = d.representations
      .map(
        (r) =>
          `<tr><td>${esc(r.algo)}</td><td>${esc(r.env)}</td><td>${r.seed}</td><td>${esc(REPRESENTATION_NAMES[r.model])}</td><td>${r.size}</td><td><code>${r.digest}</code></td><td>${r.finalLoss === null ? "—" : r.finalLoss.toFixed(3)}</td></tr>`,
      )
      .join("");
    parts.push(
      section(
        "Action representations",
        "The representations each run's policy read, as its first update reported them: learned from the actions' play data (trained with the run's seed, kept in its checkpoint) or the env's own features. Equal digests mean the same table.",
        `<table><thead><tr><th>algorithm</th><th>env</th><th>seed</th><th>representation</th><th>size</th><th>digest</th><th>final −ELBO</th></tr></thead><tbody>${rows}</tbody></table>`,
      ),
    );
  }
  if (d.paperStats.length > 0) {
    parts.push(
      section(
        "Paper statistics",
        "TD3 Table 1: across-seed mean at each evaluation, max over evaluations, ± population std there. TD3 Table 2: each seed's mean of its last evaluations, averaged over seeds.",
        paperTable(d),
      ),
    );
  }
  parts.push(section("Runs", "Every run of the suite; only finished runs enter the statistics.", runsTable(d)));
  parts.push(
    `<footer>Every number in this report is also in report.json and report.csv. Statistics follow rliable (Agarwal et al., 2021).</footer>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(d.title)}</title><style>${CSS}</style></head><body><main>${parts.join("\n")}</main></body></html>`;
}
