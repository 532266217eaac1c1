/**
 * Q-landscape analysis (the paper's Figures 5 and 9 for your own runs): for given states, evaluate
 * Q, the exact truncated landscapes Ψi = max{Q, τi} (Eq. 7) and the learned surrogates Ψ̂i over a
 * 1-D or 2-D grid of actions, count strict local maxima of each (Theorem 4.2 says the exact counts
 * never increase along the chain), mark every actor's proposal, and draw it all as an SVG.
 *
 * The grid varies the chosen action dimensions over the normalised box [−1, 1]; the remaining
 * dimensions are held at the maximizer's action μM(s) (or a given base action), so for a 1- or
 * 2-D action space the picture is the whole landscape and otherwise a slice through μM(s).
 */
import { writeFileSync } from "node:fs";
import { QscapeError, tf } from "@qscape/core";
import type { SavoAgent } from "./agent.js";

/** What the analysis needs: Q, the noise-free chain and the surrogates, all in normalised units. */
export interface LandscapeSource {
  obsDim: number;
  actionDim: number;
  /** Q(s, a) → [B, 1] (the critic the maximizer ranks by). */
  q(obs: tf.Tensor2D, action: tf.Tensor2D): tf.Tensor2D;
  /** The noise-free proposals a0..ak−1 for states [B, S], each [B, D]. */
  chain(obs: tf.Tensor2D): tf.Tensor2D[];
  /** Ψ̂1..Ψ̂k−1 (empty when the surrogates are exact). */
  surrogates: ((obs: tf.Tensor2D, action: tf.Tensor2D, previous: tf.Tensor2D[]) => tf.Tensor2D)[];
}

export interface LandscapeOptions {
  /** Action dimensions on the grid: one (a curve) or two (a heat map). Default [0] (or [0, 1]). */
  dims?: number[];
  /** Grid points per dimension (default 201 for 1-D, 61 for 2-D). */
  resolution?: number;
  /** Values of the other action dimensions (normalised); default: the maximizer's action. */
  base?: Float32Array;
  /** Write the SVG here as well as returning it. */
  svgPath?: string;
  title?: string;
}

export interface LandscapeCounts {
  q: number;
  /** Exact Ψ1..Ψk−1. */
  exact: number[];
  /** Learned Ψ̂1..Ψ̂k−1 (empty for exact surrogates). */
  learned: number[];
}

export interface StateLandscape {
  state: Float32Array;
  dims: number[];
  /** Grid coordinates per plotted dimension (normalised units). */
  axes: Float32Array[];
  /** Row-major values over the grid (first plotted dimension varies slowest). */
  q: Float32Array;
  exact: Float32Array[];
  learned: Float32Array[];
  /** Noise-free proposals a0..ak−1 (full action vectors) and Q at each. */
  proposals: Float32Array[];
  proposalQ: number[];
  thresholds: number[];
  /** Index of μM(s) among the proposals. */
  maximizer: number;
  localOptima: LandscapeCounts;
}

export interface LandscapeReport {
  states: StateLandscape[];
  svg: string;
}

/**
 * Strict local maxima of a grid function: points strictly above every existing neighbour (two in
 * 1-D, eight in 2-D). A flat plateau, such as the region of Ψi below its threshold, has none.
 */
export function countStrictLocalMaxima(values: ArrayLike<number>, shape: number[]): number {
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n)
    throw new QscapeError(`countStrictLocalMaxima: ${values.length} values for shape [${shape}]`);
  const [rows, cols] = shape.length === 1 ? [1, shape[0] as number] : [shape[0] as number, shape[1] as number];
  if (shape.length > 2) throw new QscapeError("countStrictLocalMaxima: only 1-D and 2-D grids are supported");
  let count = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c] as number;
      let isMax = true;
      for (let dr = -1; dr <= 1 && isMax; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          if (dr === 0 && dc === 0) continue;
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
          if (!(v > (values[rr * cols + cc] as number))) {
            isMax = false;
            break;
          }
        }
      }
      if (isMax) count += 1;
    }
  }
  return count;
}

/** A `LandscapeSource` reading a SAVO agent's online critic Q1, its chain and its surrogates. */
export function agentLandscapeSource(agent: SavoAgent): LandscapeSource {
  return {
    obsDim: agent.obsDim,
    actionDim: agent.actionDim,
    q: (obs, action) => agent.td3.critics.q1(obs, action),
    chain: (obs) => agent.cleanChain(obs),
    surrogates: agent.chain.surrogates.map((psi) => (obs, action, previous) => psi.apply(obs, action, previous)),
  };
}

/** Analyse a SAVO agent's landscapes at `states` (observations in env units). */
export function analyzeLandscape(
  agent: SavoAgent,
  states: Float32Array[],
  opts: LandscapeOptions = {},
): LandscapeReport {
  return analyzeSourceLandscape(agentLandscapeSource(agent), states, opts);
}

export function analyzeSourceLandscape(
  source: LandscapeSource,
  states: Float32Array[],
  opts: LandscapeOptions = {},
): LandscapeReport {
  const dims = opts.dims ?? (source.actionDim >= 2 ? [0, 1] : [0]);
  if (dims.length < 1 || dims.length > 2 || dims.some((d) => !Number.isInteger(d) || d < 0 || d >= source.actionDim)) {
    throw new QscapeError(
      `analyzeLandscape: dims must be one or two action dimensions in 0..${source.actionDim - 1}, got [${dims}]`,
    );
  }
  if (dims.length === 2 && dims[0] === dims[1]) throw new QscapeError("analyzeLandscape: the two dims must differ");
  const resolution = opts.resolution ?? (dims.length === 1 ? 201 : 61);
  if (!Number.isInteger(resolution) || resolution < 3) {
    throw new QscapeError(`analyzeLandscape: resolution must be an integer ≥ 3, got ${resolution}`);
  }
  if (opts.base && opts.base.length !== source.actionDim) {
    throw new QscapeError(`analyzeLandscape: base has ${opts.base.length} values, expected ${source.actionDim}`);
  }
  const result = states.map((state) => {
    if (state.length !== source.obsDim) {
      throw new QscapeError(`analyzeLandscape: a state has ${state.length} values, expected ${source.obsDim}`);
    }
    let analysed: StateLandscape | undefined;
    tf.tidy(() => {
      analysed = analyzeState(source, state, dims, resolution, opts.base);
    });
    return analysed as StateLandscape;
  });
  const svg = renderLandscapeSvg(result, opts.title ?? "SAVO Q-landscape");
  if (opts.svgPath) writeFileSync(opts.svgPath, svg);
  return { states: result, svg };
}

function analyzeState(
  source: LandscapeSource,
  state: Float32Array,
  dims: number[],
  resolution: number,
  base: Float32Array | undefined,
): StateLandscape {
  const obs1 = tf.tensor2d(state, [1, source.obsDim]);
  const chain = source.chain(obs1);
  const proposals = chain.map((a) => a.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  const proposalQ = chain.map((a) => source.q(obs1, a).dataSync()[0] as number);
  let maximizer = 0;
  proposalQ.forEach((v, i) => {
    if (v > (proposalQ[maximizer] as number)) maximizer = i;
  });
  const thresholds = proposalQ.slice(1).map((_, j) => Math.max(...proposalQ.slice(0, j + 1)));

  const axes = dims.map(() => Float32Array.from({ length: resolution }, (_, i) => -1 + (2 * i) / (resolution - 1)));
  const points = resolution ** dims.length;
  const grid = new Float32Array(points * source.actionDim);
  const fill = base ?? (proposals[maximizer] as Float32Array);
  for (let p = 0; p < points; p++) {
    grid.set(fill, p * source.actionDim);
    if (dims.length === 1) grid[p * source.actionDim + (dims[0] as number)] = (axes[0] as Float32Array)[p] as number;
    else {
      const r = Math.floor(p / resolution);
      const c = p % resolution;
      grid[p * source.actionDim + (dims[0] as number)] = (axes[0] as Float32Array)[r] as number;
      grid[p * source.actionDim + (dims[1] as number)] = (axes[1] as Float32Array)[c] as number;
    }
  }
  const actions = tf.tensor2d(grid, [points, source.actionDim]);
  const obs = tf.tile(obs1, [points, 1]) as tf.Tensor2D;
  const q = Float32Array.from(source.q(obs, actions).dataSync());
  const exact = thresholds.map((tau) => q.map((v) => Math.max(v, tau)));
  const learned = source.surrogates.map((psi, j) => {
    const previous = chain.slice(0, j + 1).map((a) => tf.tile(a, [points, 1]) as tf.Tensor2D);
    return Float32Array.from(psi(obs, actions, previous).dataSync());
  });
  const shape = dims.map(() => resolution);
  return {
    state: Float32Array.from(state),
    dims,
    axes,
    q,
    exact,
    learned,
    proposals,
    proposalQ,
    thresholds,
    maximizer,
    localOptima: {
      q: countStrictLocalMaxima(q, shape),
      exact: exact.map((v) => countStrictLocalMaxima(v, shape)),
      learned: learned.map((v) => countStrictLocalMaxima(v, shape)),
    },
  };
}

// ---- SVG ------------------------------------------------------------------------------------

const PANEL_W = 260;
const PANEL_H = 200;
const PAD = 34;
const COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Viridis-like ramp from dark blue to yellow, t in [0, 1]. */
function colour(t: number): string {
  const stops = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i] as number[];
  const b = stops[i + 1] as number[];
  const c = a.map((v, j) => Math.round(v + f * ((b[j] as number) - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

interface Panel {
  label: string;
  values: Float32Array;
  /** Exact Ψ drawn dashed under a learned Ψ̂ (1-D only). */
  overlay?: Float32Array;
  optima: number;
  overlayOptima?: number;
}

function panelsOf(s: StateLandscape): Panel[] {
  const panels: Panel[] = [{ label: "Q", values: s.q, optima: s.localOptima.q }];
  s.exact.forEach((exact, j) => {
    const learned = s.learned[j];
    panels.push(
      learned
        ? {
            label: `Ψ̂${j + 1} (dashed: Ψ${j + 1})`,
            values: learned,
            overlay: exact,
            optima: s.localOptima.learned[j] as number,
            overlayOptima: s.localOptima.exact[j] as number,
          }
        : { label: `Ψ${j + 1}`, values: exact, optima: s.localOptima.exact[j] as number },
    );
  });
  return panels;
}

function panel1d(s: StateLandscape, p: Panel, x0: number, y0: number): string {
  const axis = s.axes[0] as Float32Array;
  const all = p.overlay ? [...p.values, ...p.overlay] : [...p.values];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const span = hi - lo || 1;
  const px = (a: number) => x0 + PAD + ((a + 1) / 2) * (PANEL_W - PAD - 8);
  const py = (v: number) => y0 + PANEL_H - PAD + 10 - ((v - lo) / span) * (PANEL_H - PAD - 18);
  const path = (v: Float32Array) =>
    Array.from(v, (y, i) => `${i === 0 ? "M" : "L"}${px(axis[i] as number).toFixed(1)},${py(y).toFixed(1)}`).join("");
  const d = s.dims[0] as number;
  const parts = [
    `<rect x="${x0 + PAD}" y="${y0 + 8}" width="${PANEL_W - PAD - 8}" height="${PANEL_H - PAD - 2}" fill="none" stroke="#999"/>`,
    p.overlay ? `<path d="${path(p.overlay)}" fill="none" stroke="#888" stroke-dasharray="4 3"/>` : "",
    `<path d="${path(p.values)}" fill="none" stroke="#222" stroke-width="1.5"/>`,
    `<text x="${x0 + PAD}" y="${y0 + PANEL_H - 8}" font-size="10">a[${d}] ∈ [−1, 1]</text>`,
    `<text x="${x0 + 2}" y="${y0 + 16}" font-size="9">${fmt(hi)}</text>`,
    `<text x="${x0 + 2}" y="${y0 + PANEL_H - PAD + 10}" font-size="9">${fmt(lo)}</text>`,
    `<text x="${x0 + PAD + 4}" y="${y0 + 20}" font-size="11">${esc(p.label)}: ${p.optima} local max${p.overlayOptima !== undefined ? ` (Ψ: ${p.overlayOptima})` : ""}</text>`,
  ];
  s.proposals.forEach((a, i) => {
    const x = px(a[d] as number);
    const width = i === s.maximizer ? 2.5 : 1.2;
    parts.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y0 + 8}" y2="${y0 + PANEL_H - PAD + 6}" stroke="${COLORS[i % COLORS.length]}" stroke-width="${width}"/>`,
      `<text x="${(x + 2).toFixed(1)}" y="${y0 + 34 + 11 * i}" font-size="10" fill="${COLORS[i % COLORS.length]}">a${i}${i === s.maximizer ? " = μM" : ""}</text>`,
    );
  });
  return parts.join("");
}

function panel2d(s: StateLandscape, p: Panel, x0: number, y0: number): string {
  const n = (s.axes[0] as Float32Array).length;
  const lo = Math.min(...p.values);
  const hi = Math.max(...p.values);
  const span = hi - lo || 1;
  const size = Math.min(PANEL_W - PAD - 8, PANEL_H - PAD - 8);
  const cell = size / n;
  const parts: string[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const v = p.values[r * n + c] as number;
      // First plotted dimension on the x axis, second on y (up).
      parts.push(
        `<rect x="${(x0 + PAD + r * cell).toFixed(1)}" y="${(y0 + 8 + (n - 1 - c) * cell).toFixed(1)}" width="${(cell + 0.3).toFixed(2)}" height="${(cell + 0.3).toFixed(2)}" fill="${colour((v - lo) / span)}"/>`,
      );
    }
  }
  const [dx, dy] = s.dims as [number, number];
  s.proposals.forEach((a, i) => {
    const x = x0 + PAD + (((a[dx] as number) + 1) / 2) * size;
    const y = y0 + 8 + (1 - ((a[dy] as number) + 1) / 2) * size;
    parts.push(
      `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${i === s.maximizer ? 5 : 3.5}" fill="${COLORS[i % COLORS.length]}" stroke="white"/>`,
      `<text x="${(x + 5).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="10" fill="white">a${i}</text>`,
    );
  });
  parts.push(
    `<text x="${x0 + PAD}" y="${y0 + PANEL_H - 10}" font-size="10">${esc(p.label)}: ${p.optima} local max, [${fmt(lo)}, ${fmt(hi)}]</text>`,
    `<text x="${x0 + 2}" y="${y0 + 20}" font-size="9">a[${dy}]</text>`,
    `<text x="${x0 + PAD + size - 20}" y="${y0 + size + 20}" font-size="9">a[${dx}]</text>`,
  );
  return parts.join("");
}

/** All states as rows of panels: Q, then each Ψ̂i (or Ψi), proposals marked, μM emphasised. */
export function renderLandscapeSvg(states: StateLandscape[], title: string): string {
  const columns = Math.max(1, ...states.map((s) => panelsOf(s).length));
  const width = columns * PANEL_W + 10;
  const rowH = PANEL_H + 18;
  const height = 30 + states.length * rowH;
  const body = states.map((s, row) => {
    const y0 = 30 + row * rowH;
    const caption = `state ${row}: Q(a0..) = ${s.proposalQ.map(fmt).join(", ")}; μM = a${s.maximizer}`;
    const panels = panelsOf(s)
      .map((p, col) =>
        s.dims.length === 1 ? panel1d(s, p, 5 + col * PANEL_W, y0 + 12) : panel2d(s, p, 5 + col * PANEL_W, y0 + 12),
      )
      .join("");
    return `<text x="8" y="${y0 + 8}" font-size="11">${esc(caption)}</text>${panels}`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="18" font-size="14">${esc(title)}</text>`,
    ...body,
    "</svg>",
  ].join("\n");
}
