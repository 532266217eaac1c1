import type { Curve, IntervalRow } from "./data.js";
import { axes, bandPath, esc, frame, intervalBar, legend, linePath, svg } from "./svg.js";

export interface Series extends Curve {
  label: string;
  colour: string;
}

const METRIC_TITLES: Record<string, string> = {
  median: "Median",
  iqm: "IQM",
  mean: "Mean",
  optimalityGap: "Optimality Gap",
};

/**
 * rliable's interval-estimate figure: one panel per aggregate metric, one row per algorithm, a bar
 * over the CI and a tick at the point estimate.
 */
export function aggregatePlot(
  rows: readonly ({ algo: string; metric: string } & IntervalRow)[],
  algos: readonly string[],
  colours: ReadonlyMap<string, string>,
  width = 1160,
): string {
  const metrics = ["median", "iqm", "mean", "optimalityGap"].filter((m) => rows.some((r) => r.metric === m));
  const labelWidth = Math.min(180, 30 + Math.max(...algos.map((a) => a.length)) * 7.5);
  const gap = 44;
  const panelWidth = (width - labelWidth - gap * (metrics.length - 1) - 24) / metrics.length;
  const rowH = 30;
  const top = 34;
  const bottom = top + rowH * algos.length;
  const height = bottom + 50;
  const parts: string[] = [];
  algos.forEach((algo, i) => {
    parts.push(
      `<text class="rowlabel" x="${labelWidth - 10}" y="${top + rowH * (i + 0.5)}" text-anchor="end" dominant-baseline="middle">${esc(algo)}</text>`,
    );
  });
  metrics.forEach((metric, k) => {
    const left = labelWidth + k * (panelWidth + gap);
    const mine = rows.filter((r) => r.metric === metric);
    const lo = Math.min(...mine.map((r) => r.lo));
    const hi = Math.max(...mine.map((r) => r.hi));
    const f = frame(
      [lo, hi],
      [0, 1],
      { left, right: left + panelWidth, top, bottom },
      { xTickCount: 3, fixedY: [0, 1] },
    );
    f.yTicks = [];
    parts.push(
      `<text class="paneltitle" x="${left + panelWidth / 2}" y="${top - 14}" text-anchor="middle">${METRIC_TITLES[metric] ?? esc(metric)}</text>`,
    );
    parts.push(axes(f, {}, { xGrid: true, yGrid: false }));
    algos.forEach((algo, i) => {
      const row = mine.find((r) => r.algo === algo);
      if (row) parts.push(intervalBar(f.x, top + rowH * (i + 0.5), rowH * 0.55, row, colours.get(algo) ?? "#555"));
    });
  });
  parts.push(
    `<text class="label" x="${labelWidth + (width - labelWidth) / 2}" y="${height - 8}" text-anchor="middle">Min–max normalised score</text>`,
  );
  return svg(width, height, "Aggregate metrics with 95% CIs", parts.join(""));
}

/** Lines with CI bands over a shared x axis (profiles, sample-efficiency and learning curves). */
export function curvePlot(
  series: readonly Series[],
  options: {
    title: string;
    xLabel: string;
    yLabel: string;
    width?: number;
    height?: number;
    fixedX?: [number, number];
    fixedY?: [number, number];
    showLegend?: boolean;
    /** Unique within the page (names the clip path); defaults to a slug of the title. */
    id?: string;
  },
): string {
  const width = options.width ?? 570;
  const height = options.height ?? 360;
  const legendRows =
    options.showLegend === false
      ? 0
      : Math.ceil(series.reduce((w, s) => w + 42 + s.label.length * 7.2, 0) / (width - 80));
  const top = 36 + legendRows * 18;
  const box = { left: 70, right: width - 18, top, bottom: height - 48 };
  const xs = series.flatMap((s) => s.steps);
  const ys = series.flatMap((s) => [...s.lo, ...s.hi, ...s.point]);
  const id = options.id ?? `clip-${options.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  const f = frame([Math.min(...xs), Math.max(...xs)], [Math.min(...ys), Math.max(...ys)], box, {
    fixedX: options.fixedX ?? [Math.min(...xs), Math.max(...xs)],
    ...(options.fixedY ? { fixedY: options.fixedY } : {}),
  });
  const parts = [
    `<text class="plottitle" x="${box.left}" y="18">${esc(options.title)}</text>`,
    axes(f, { x: options.xLabel, y: options.yLabel }),
    `<g clip-path="url(#${id})">`,
    ...series.map((s) => bandPath(f, s.steps, s.lo, s.hi, s.colour)),
    ...series.map((s) => linePath(f, s.steps, s.point, s.colour)),
    "</g>",
  ];
  if (options.showLegend !== false)
    parts.push(
      legend(
        series.map((s) => ({ label: s.label, colour: s.colour })),
        box.left,
        34,
        width - box.left - 10,
      ),
    );
  const clip = `<defs><clipPath id="${id}"><rect x="${box.left}" y="${box.top - 2}" width="${box.right - box.left}" height="${box.bottom - box.top + 4}"/></clipPath></defs>`;
  return svg(width, height, options.title, clip + parts.join(""));
}

/** Probability of improvement P(X > Y) per pair, with 0.5 (no difference) marked. */
export function improvementPlot(
  rows: readonly ({ x: string; y: string } & IntervalRow)[],
  colours: ReadonlyMap<string, string>,
  width = 570,
): string {
  const labels = rows.map((r) => `${r.x} vs ${r.y}`);
  const labelWidth = Math.min(260, 24 + Math.max(0, ...labels.map((l) => l.length)) * 7.2);
  const rowH = 30;
  const top = 12;
  const bottom = top + rowH * Math.max(1, rows.length);
  const height = bottom + 52;
  const f = frame(
    [0, 1],
    [0, 1],
    { left: labelWidth, right: width - 130, top, bottom },
    { fixedX: [0, 1], fixedY: [0, 1], xTickCount: 5 },
  );
  f.yTicks = [];
  const parts = [
    axes(f, { x: "P(X > Y)" }, { xGrid: true, yGrid: false }),
    `<line x1="${f.x(0.5)}" x2="${f.x(0.5)}" y1="${top}" y2="${bottom}" stroke="#444" stroke-dasharray="4 3"/>`,
  ];
  rows.forEach((row, i) => {
    const y = top + rowH * (i + 0.5);
    parts.push(
      `<text class="rowlabel" x="${labelWidth - 10}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(labels[i] as string)}</text>`,
    );
    parts.push(intervalBar(f.x, y, rowH * 0.55, row, colours.get(row.x) ?? "#555"));
    // The numbers themselves: with few runs the bars span most of [0, 1] and are hard to read.
    parts.push(
      `<text class="tick" x="${width - 14}" y="${y}" text-anchor="end" dominant-baseline="middle">${row.point.toFixed(2)} [${row.lo.toFixed(2)}, ${row.hi.toFixed(2)}]</text>`,
    );
  });
  return svg(width, height, "Probability of improvement", parts.join(""));
}

/**
 * One heat map of shares in [0, 1]: rows (e.g. tasks) × columns (e.g. the policy that acted), the
 * cell's share printed in it; white at 0, dark blue at 1.
 */
export function heatMap(
  values: readonly (readonly number[])[],
  options: { title: string; rows: readonly string[]; cols: readonly string[]; xLabel: string; yLabel: string },
): string {
  const cell = 34;
  const left = 24 + Math.max(...options.rows.map((r) => r.length)) * 7;
  const top = 40;
  const width = left + options.cols.length * cell + 12;
  const height = top + options.rows.length * cell + 40;
  const parts = [`<text class="plottitle" x="4" y="16">${esc(options.title)}</text>`];
  values.forEach((row, i) => {
    const y = top + i * cell;
    parts.push(
      `<text class="tick" x="${left - 6}" y="${y + cell / 2 + 4}" text-anchor="end">${esc(options.rows[i] ?? "")}</text>`,
    );
    row.forEach((v, j) => {
      const x = left + j * cell;
      const t = Math.max(0, Math.min(1, v));
      const shade = (a: number, b: number) => Math.round(a + (b - a) * t);
      const fill = `rgb(${shade(255, 8)},${shade(255, 48)},${shade(255, 107)})`;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"><title>${esc(`${options.rows[i]} → ${options.cols[j]}: ${(100 * v).toFixed(1)}%`)}</title></rect>`,
        `<text class="tick" x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" style="fill:${t > 0.5 ? "#fff" : "#2a3140"}">${Math.round(100 * v)}</text>`,
      );
    });
  });
  options.cols.forEach((c, j) => {
    parts.push(
      `<text class="tick" x="${left + j * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${esc(c)}</text>`,
    );
  });
  parts.push(
    `<text class="label" x="${left + (options.cols.length * cell) / 2}" y="${top + options.rows.length * cell + 18}" text-anchor="middle">${esc(options.xLabel)}</text>`,
    `<text class="label" x="4" y="${top + options.rows.length * cell + 34}">${esc(options.yLabel)}</text>`,
  );
  return svg(width, height, options.title, parts.join(""));
}
