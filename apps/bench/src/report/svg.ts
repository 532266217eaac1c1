/**
 * Small SVG plotting helpers: linear scales, nice ticks, axes with grid, lines, CI bands, interval
 * bars and legends. Output is plain SVG markup with no scripts or external assets.
 */

/** Okabe–Ito colour-blind-safe palette (yellow last: weakest contrast on white). */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

export function colourFor(index: number): string {
  return PALETTE[index % PALETTE.length] as string;
}

export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

/** Rounds coordinates so the markup stays small and stable. */
function r(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export interface Scale {
  domain: [number, number];
  range: [number, number];
  (v: number): number;
}

export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  const f = ((v: number) => r0 + ((v - d0) / span) * (r1 - r0)) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** Tick step of 1, 2 or 5 × 10^k giving about `count` ticks over [lo, hi]. */
export function niceStep(lo: number, hi: number, count: number): number {
  const raw = Math.abs(hi - lo) / Math.max(1, count) || 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

/** A domain widened to whole tick steps, with the ticks inside it. */
export function niceDomain(
  lo: number,
  hi: number,
  count = 5,
): { domain: [number, number]; ticks: number[]; step: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return niceDomain(0, 1, count);
  if (lo === hi) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceDomain(lo - pad, hi + pad, count);
  }
  const step = niceStep(lo, hi, count);
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  // Integer multiples, rounded to 12 digits, so ticks read 0.6 rather than 0.6000000000000001.
  const at = (k: number) => Number((k * step).toPrecision(12)) + 0;
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(at(k));
  return { domain: [at(first), at(last)], ticks, step };
}

/** Tick label: SI suffix for large values (env steps), decimals matched to the tick step. */
export function formatTick(v: number, step: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e6 && step >= 1e5) return `${trimZeros((v / 1e6).toFixed(step >= 1e6 ? 0 : 1))}M`;
  if (abs >= 1e4 && step >= 1e3) return `${trimZeros((v / 1e3).toFixed(step >= 1e3 ? 0 : 1))}k`;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals).replace(/^-0(\.0*)?$/, "0");
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** A number for tables: 4 significant digits, thousands kept whole. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const abs = Math.abs(v);
  if (abs >= 1000) return v.toFixed(0);
  if (abs >= 100) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export interface Frame {
  x: Scale;
  y: Scale;
  xTicks: number[];
  yTicks: number[];
  xStep: number;
  yStep: number;
}

/** A plot frame: scales over nice domains fitted into [left, right] × [top, bottom]. */
export function frame(
  xRange: [number, number],
  yRange: [number, number],
  box: { left: number; right: number; top: number; bottom: number },
  options: { xTickCount?: number; yTickCount?: number; fixedX?: [number, number]; fixedY?: [number, number] } = {},
): Frame {
  const xs = niceDomain(...(options.fixedX ?? xRange), options.xTickCount ?? 5);
  const ys = niceDomain(...(options.fixedY ?? yRange), options.yTickCount ?? 5);
  const xDomain = options.fixedX ?? xs.domain;
  const yDomain = options.fixedY ?? ys.domain;
  const inside = (d: [number, number]) => (t: number) => t >= d[0] - 1e-9 && t <= d[1] + 1e-9;
  return {
    x: linearScale(xDomain, [box.left, box.right]),
    y: linearScale(yDomain, [box.bottom, box.top]),
    xTicks: xs.ticks.filter(inside(xDomain)),
    yTicks: ys.ticks.filter(inside(yDomain)),
    xStep: xs.step,
    yStep: ys.step,
  };
}

/** Grid lines, tick labels and axis titles for a frame. */
export function axes(
  f: Frame,
  labels: { x?: string; y?: string },
  options: { yGrid?: boolean; xGrid?: boolean } = {},
): string {
  const [left, right] = f.x.range;
  const [bottom, top] = f.y.range;
  const parts: string[] = [];
  for (const t of f.yTicks) {
    const y = f.y(t);
    if (options.yGrid !== false)
      parts.push(`<line class="grid" x1="${r(left)}" x2="${r(right)}" y1="${r(y)}" y2="${r(y)}"/>`);
    parts.push(
      `<text class="tick" x="${r(left - 6)}" y="${r(y)}" text-anchor="end" dominant-baseline="middle">${formatTick(t, f.yStep)}</text>`,
    );
  }
  for (const t of f.xTicks) {
    const x = f.x(t);
    if (options.xGrid) parts.push(`<line class="grid" x1="${r(x)}" x2="${r(x)}" y1="${r(top)}" y2="${r(bottom)}"/>`);
    parts.push(`<line class="axis" x1="${r(x)}" x2="${r(x)}" y1="${r(bottom)}" y2="${r(bottom + 4)}"/>`);
    parts.push(
      `<text class="tick" x="${r(x)}" y="${r(bottom + 16)}" text-anchor="middle">${formatTick(t, f.xStep)}</text>`,
    );
  }
  parts.push(`<line class="axis" x1="${r(left)}" x2="${r(right)}" y1="${r(bottom)}" y2="${r(bottom)}"/>`);
  parts.push(`<line class="axis" x1="${r(left)}" x2="${r(left)}" y1="${r(top)}" y2="${r(bottom)}"/>`);
  if (labels.x)
    parts.push(
      `<text class="label" x="${r((left + right) / 2)}" y="${r(bottom + 34)}" text-anchor="middle">${esc(labels.x)}</text>`,
    );
  if (labels.y) {
    const cy = (top + bottom) / 2;
    parts.push(
      `<text class="label" transform="translate(${r(left - 46)} ${r(cy)}) rotate(-90)" text-anchor="middle">${esc(labels.y)}</text>`,
    );
  }
  return parts.join("");
}

export function linePath(f: Frame, xs: readonly number[], ys: readonly number[], colour: string, width = 2): string {
  if (xs.length === 0) return "";
  const d = xs.map((x, i) => `${i === 0 ? "M" : "L"}${r(f.x(x))},${r(f.y(ys[i] as number))}`).join("");
  return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="${width}" stroke-linejoin="round"/>`;
}

/** A filled CI band between lo and hi. */
export function bandPath(
  f: Frame,
  xs: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  colour: string,
  opacity = 0.2,
): string {
  if (xs.length === 0) return "";
  const upper = xs.map((x, i) => `${i === 0 ? "M" : "L"}${r(f.x(x))},${r(f.y(hi[i] as number))}`).join("");
  const lower = xs
    .map((x, i) => [x, lo[i] as number] as const)
    .reverse()
    .map(([x, v]) => `L${r(f.x(x))},${r(f.y(v))}`)
    .join("");
  return `<path class="band" d="${upper}${lower}Z" fill="${colour}" fill-opacity="${opacity}" stroke="none"/>`;
}

/** A horizontal interval bar [lo, hi] with a tick at the point estimate. */
export function intervalBar(
  x: Scale,
  y: number,
  height: number,
  iv: { point: number; lo: number; hi: number },
  colour: string,
): string {
  const x0 = x(iv.lo);
  const w = Math.max(1.5, x(iv.hi) - x0);
  return (
    `<rect x="${r(x0)}" y="${r(y - height / 2)}" width="${r(w)}" height="${r(height)}" fill="${colour}" fill-opacity="0.75" rx="2"/>` +
    `<line x1="${r(x(iv.point))}" x2="${r(x(iv.point))}" y1="${r(y - height / 2 - 2)}" y2="${r(y + height / 2 + 2)}" stroke="#111" stroke-width="2"/>`
  );
}

/** A horizontal legend of coloured swatches, wrapping at maxWidth. */
export function legend(
  items: readonly { label: string; colour: string }[],
  x: number,
  y: number,
  maxWidth: number,
): string {
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  for (const item of items) {
    const w = 26 + item.label.length * 7.2 + 16;
    if (cx + w > x + maxWidth && cx > x) {
      cx = x;
      cy += 18;
    }
    parts.push(
      `<rect x="${r(cx)}" y="${r(cy - 5)}" width="18" height="10" rx="2" fill="${item.colour}"/>` +
        `<text class="legend" x="${r(cx + 24)}" y="${r(cy)}" dominant-baseline="middle">${esc(item.label)}</text>`,
    );
    cx += w;
  }
  return `<g class="legend">${parts.join("")}</g>`;
}

export function svg(width: number, height: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body}</svg>`;
}
