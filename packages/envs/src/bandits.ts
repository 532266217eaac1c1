/**
 * One-step continuous bandits whose true Q-function is known in closed form: sums of Gaussian
 * bumps with several separated optima (environments.md §11). Each episode is a single step from a
 * single state: observation [0], reward q(action), terminated. The env exposes `q`, `gradQ`, the
 * strict local maxima (`optima`, best first), `globalOptimum` and `localOptima`, so actor tests can
 * check which optimum a method converges to.
 */
import type { BoxAction, Info, ResetArgs, StepResult } from "./env.js";
import { Env, envLabel } from "./env.js";
import { EnvError, InvalidActionError } from "./errors.js";
import { register } from "./registry.js";
import type { RgbFrame } from "./render/frame.js";
import { Landscape2dRenderer, renderLandscape1d } from "./render/landscape.js";
import { Box } from "./spaces.js";

/** "rgb_array" makes `render()` draw the landscape and the last action (1-D and 2-D actions only). */
type BanditRenderMode = "rgb_array" | undefined;

export interface GaussianBump {
  weight: number;
  center: number[];
  /** Standard deviation of the (isotropic) bump. */
  width: number;
}

export interface Optimum {
  action: Float64Array;
  value: number;
}

export interface GaussianBumpBanditOptions {
  bumps: GaussianBump[];
  /** Action bounds (scalars apply to every dimension); ±Infinity allowed. */
  low?: number;
  high?: number;
  /** Bumps are normalised Gaussian densities w·N(a | c, s²I) instead of w·exp(−‖a − c‖²/2s²). */
  normalized?: boolean;
  renderMode?: BanditRenderMode;
}

/** Sum-of-Gaussians bandit (see the module comment). */
export class GaussianBumpBandit extends Env<Float32Array, BoxAction> {
  readonly bumps: GaussianBump[];
  readonly dim: number;
  readonly normalized: boolean;
  readonly observationSpace = new Box(0, 1, [1]);
  readonly actionSpace: Box;
  /** Strict local maxima inside the action bounds, best first. */
  readonly optima: Optimum[];
  /** The last action stepped, drawn by `render()`; null after reset. */
  private lastAction: Float64Array | null = null;
  private heatMap: Landscape2dRenderer | null = null;

  constructor({ bumps, low = -1, high = 1, normalized = false, renderMode }: GaussianBumpBanditOptions) {
    super();
    if (bumps.length === 0) throw new EnvError("GaussianBumpBandit: needs at least one bump");
    const dim = bumps[0]?.center.length ?? 0;
    bumps.forEach((b, i) => {
      if (b.center.length !== dim)
        throw new EnvError(`GaussianBumpBandit: bump ${i} has ${b.center.length} dims, expected ${dim}`);
      if (!(b.width > 0)) throw new EnvError(`GaussianBumpBandit: bump ${i} width must be positive, got ${b.width}`);
    });
    this.bumps = bumps.map((b) => ({ ...b, center: [...b.center] }));
    this.dim = dim;
    this.normalized = normalized;
    this.actionSpace = new Box(low, high, [dim]);
    this.optima = this.findOptima();
    this.metadata = { renderModes: dim <= 2 ? ["rgb_array"] : [] };
    this.initRenderMode(renderMode);
  }

  get globalOptimum(): Optimum {
    return this.optima[0] as Optimum;
  }

  /** Every strict local maximum except the global one, best first. */
  get localOptima(): Optimum[] {
    return this.optima.slice(1);
  }

  private scale(b: GaussianBump, variance = b.width ** 2): number {
    return this.normalized ? b.weight / (2 * Math.PI * variance) ** (this.dim / 2) : b.weight;
  }

  /** The true Q-value (= expected reward) of an action. */
  q(action: ArrayLike<number>): number {
    let total = 0;
    for (const b of this.bumps) total += this.scale(b) * Math.exp(-sqDist(action, b.center) / (2 * b.width ** 2));
    return total;
  }

  /** ∇_a q(a). */
  gradQ(action: ArrayLike<number>): Float64Array {
    const g = new Float64Array(this.dim);
    for (const b of this.bumps) {
      const s2 = b.width ** 2;
      const f = this.scale(b) * Math.exp(-sqDist(action, b.center) / (2 * s2));
      for (let i = 0; i < this.dim; i++)
        g[i] = (g[i] as number) - (f * ((action[i] as number) - (b.center[i] as number))) / s2;
    }
    return g;
  }

  /** ∇²_a q(a), row-major dim×dim. */
  hessianQ(action: ArrayLike<number>): Float64Array {
    const d = this.dim;
    const h = new Float64Array(d * d);
    for (const b of this.bumps) {
      const s2 = b.width ** 2;
      const f = this.scale(b) * Math.exp(-sqDist(action, b.center) / (2 * s2));
      for (let i = 0; i < d; i++) {
        const di = (action[i] as number) - (b.center[i] as number);
        for (let j = 0; j < d; j++) {
          const dj = (action[j] as number) - (b.center[j] as number);
          h[i * d + j] = (h[i * d + j] as number) + f * ((di * dj) / (s2 * s2) - (i === j ? 1 / s2 : 0));
        }
      }
    }
    return h;
  }

  /**
   * Newton ascent from every bump centre (damped to plain gradient steps where the Hessian is not
   * negative definite), kept when the Hessian is negative definite, deduplicated. Bumps separated
   * by a few widths each contribute one maximum near their centre.
   */
  private findOptima(): Optimum[] {
    const found: Optimum[] = [];
    for (const b of this.bumps) {
      let x = Float64Array.from(b.center);
      for (let it = 0; it < 200; it++) {
        const g = this.gradQ(x);
        const step = newtonStep(this.hessianQ(x), g, this.dim) ?? g.map((v) => (v * b.width ** 2) / this.scale(b));
        let t = 1;
        let next = x.map((v, i) => v + t * (step[i] as number));
        while (this.q(next) < this.q(x) && t > 1e-8) {
          t /= 2;
          next = x.map((v, i) => v + t * (step[i] as number));
        }
        const moved = Math.sqrt(sqDist(next, x));
        x = next;
        if (moved < 1e-13) break;
      }
      if (
        !this.actionSpace.low.every(
          (lo, i) => (x[i] as number) >= lo && (x[i] as number) <= (this.actionSpace.high[i] as number),
        )
      )
        continue;
      if (newtonStep(this.hessianQ(x), this.gradQ(x), this.dim) === null) continue;
      if (found.some((o) => Math.sqrt(sqDist(o.action, x)) < 1e-6)) continue;
      found.push({ action: x, value: this.q(x) });
    }
    return found.sort((a, b) => b.value - a.value);
  }

  reset({ seed }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    this.lastAction = null;
    return [new Float32Array(1), {}];
  }

  step(action: BoxAction): StepResult<Float32Array> {
    if (action.length !== this.dim) {
      throw new InvalidActionError(`${envLabel(this)}: action has ${action.length} elements, expected ${this.dim}`);
    }
    this.lastAction = Float64Array.from(action);
    return [new Float32Array(1), this.q(action), true, false, {}];
  }

  override render(): RgbFrame {
    this.requireRenderMode();
    const optimum = this.globalOptimum.action;
    if (this.dim === 1) {
      // Unbounded actions (Smoothie) are plotted over the bumps ± 4 widths.
      const lo = Math.max(
        this.actionSpace.low[0] as number,
        Math.min(...this.bumps.map((b) => (b.center[0] as number) - 4 * b.width)),
      );
      const hi = Math.min(
        this.actionSpace.high[0] as number,
        Math.max(...this.bumps.map((b) => (b.center[0] as number) + 4 * b.width)),
      );
      const landscape = { q: (a: number) => this.q([a]), low: lo, high: hi, optimum: optimum[0] as number };
      return renderLandscape1d(landscape, this.lastAction === null ? null : (this.lastAction[0] as number));
    }
    this.heatMap ??= new Landscape2dRenderer({
      q: (a0, a1) => this.q([a0, a1]),
      low: this.actionSpace.low[0] as number,
      high: this.actionSpace.high[0] as number,
      optimum: [optimum[0] as number, optimum[1] as number],
    });
    return this.heatMap.render(this.lastAction);
  }
}

function sqDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += ((a[i] as number) - (b[i] as number)) ** 2;
  return s;
}

/**
 * The Newton ascent step −H⁻¹g when H is negative definite (Cholesky of −H succeeds), else null.
 */
function newtonStep(h: Float64Array, g: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = -(h[i * d + j] as number);
      for (let k = 0; k < j; k++) s -= (l[i * d + k] as number) * (l[j * d + k] as number);
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / (l[j * d + j] as number);
    }
  }
  // Solve (−H) x = g with L Lᵀ = −H; then x = −H⁻¹ g is the ascent step.
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = g[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * d + k] as number) * (y[k] as number);
    y[i] = s / (l[i * d + i] as number);
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < d; k++) s -= (l[k * d + i] as number) * (x[k] as number);
    x[i] = s / (l[i * d + i] as number);
  }
  return x;
}

/** SAVO surrogate-test landscape (§11.3): three bumps on [−1, 1], global optimum near 0.7. */
export const BANDIT_1D_BUMPS: GaussianBump[] = [
  { weight: 0.6, center: [-0.6], width: 0.1 },
  { weight: 0.8, center: [0.1], width: 0.1 },
  { weight: 1.0, center: [0.7], width: 0.1 },
];

/** A 2-D analogue with five separated bumps on [−1, 1]² (§11.3), global optimum near (0.65, 0.6). */
export const BANDIT_2D_BUMPS: GaussianBump[] = [
  { weight: 0.5, center: [-0.6, -0.6], width: 0.15 },
  { weight: 0.7, center: [0.6, -0.5], width: 0.15 },
  { weight: 0.6, center: [-0.5, 0.6], width: 0.15 },
  { weight: 0.8, center: [0.05, 0.0], width: 0.15 },
  { weight: 1.0, center: [0.65, 0.6], width: 0.15 },
];

/** QMLE's deterministic bimodal 2-D bandit instance (§11.2). */
export const BIMODAL_2D_BUMPS: GaussianBump[] = [
  { weight: 0.6, center: [-0.5, -0.5], width: 0.15 },
  { weight: 1.0, center: [0.6, 0.6], width: 0.15 },
];

/** Smoothie's two-Gaussian bandit instance (§11.1): r(a) = 0.5·N(a | −0.5, 0.25²) + 1.0·N(a | 1, 0.25²). */
export const SMOOTHIE_BUMPS: GaussianBump[] = [
  { weight: 0.5, center: [-0.5], width: 0.25 },
  { weight: 1.0, center: [1.0], width: 0.25 },
];

/**
 * The Smoothie bandit: unbounded 1-D action, normalised Gaussian densities, plus the exact
 * Gaussian-smoothed Q̃(a; σ²) = Σ w_k N(a | m_k, s_k² + σ²) and its first two derivatives in a.
 */
export interface SmoothieBanditOptions {
  /**
   * Translates the landscape by this much. 0.5 puts the worse mode at a = 0, where a freshly
   * initialised policy's mean starts for the constant observation: the paper's set-up, "the policy
   * mean initialised centred on the worse Gaussian" (Nachum et al. 2018, §3), without reaching into
   * the learner.
   */
  offset?: number;
  /** Action box ±bound (default unbounded); learners with a bounded action head need one. */
  bound?: number;
  renderMode?: BanditRenderMode;
}

export class SmoothieBandit extends GaussianBumpBandit {
  constructor({ offset = 0, bound = Number.POSITIVE_INFINITY, renderMode }: SmoothieBanditOptions = {}) {
    if (!Number.isFinite(offset)) throw new EnvError(`SmoothieBandit: offset must be finite, got ${offset}`);
    if (!(bound > 0)) throw new EnvError(`SmoothieBandit: bound must be positive, got ${bound}`);
    super({
      bumps: SMOOTHIE_BUMPS.map((b) => ({ ...b, center: b.center.map((c) => c + offset) })),
      low: -bound,
      high: bound,
      normalized: true,
      renderMode,
    });
  }

  /** Q̃(a; σ²) = E_{ε∼N(0,σ²)} q(a + ε). */
  qTilde(a: number, sigma2: number): number {
    return this.smoothed(a, sigma2, 0);
  }

  /** ∂Q̃/∂a. */
  qTildeGrad(a: number, sigma2: number): number {
    return this.smoothed(a, sigma2, 1);
  }

  /** ∂²Q̃/∂a². */
  qTildeHess(a: number, sigma2: number): number {
    return this.smoothed(a, sigma2, 2);
  }

  private smoothed(a: number, sigma2: number, order: 0 | 1 | 2): number {
    if (!(sigma2 >= 0)) throw new EnvError(`SmoothieBandit: sigma2 must be ≥ 0, got ${sigma2}`);
    let total = 0;
    for (const b of this.bumps) {
      const v = b.width ** 2 + sigma2;
      const d = a - (b.center[0] as number);
      const density = (b.weight / Math.sqrt(2 * Math.PI * v)) * Math.exp(-(d * d) / (2 * v));
      total += order === 0 ? density : order === 1 ? (-density * d) / v : density * ((d * d) / (v * v) - 1 / v);
    }
    return total;
  }
}

/**
 * Continuous two-agent climbing game (QMLE App. E.2; our definition, §11.4): each agent's action
 * in [−1, 1] selects a row/column bin (a < −1/3, |a| ≤ 1/3, a > 1/3) of the classic payoff matrix
 * [[11, −30, 0], [−30, 7, 6], [0, 0, 5]]; one step per episode. The global optimum is 11 at
 * bins (0, 0); the "safe" joint action (2, 2) pays 5.
 */
export class ClimbingGame extends Env<Float32Array, BoxAction> {
  static readonly PAYOFF = [
    [11, -30, 0],
    [-30, 7, 6],
    [0, 0, 5],
  ] as const;

  readonly observationSpace = new Box(0, 1, [1]);
  readonly actionSpace = new Box(-1, 1, [2]);
  private lastAction: Float64Array | null = null;
  private heatMap: Landscape2dRenderer | null = null;

  constructor({ renderMode }: { renderMode?: BanditRenderMode } = {}) {
    super();
    this.metadata = { renderModes: ["rgb_array"] };
    this.initRenderMode(renderMode);
  }

  static bin(a: number): 0 | 1 | 2 {
    return a < -1 / 3 ? 0 : a <= 1 / 3 ? 1 : 2;
  }

  payoff(action: ArrayLike<number>): number {
    return ClimbingGame.PAYOFF[ClimbingGame.bin(action[0] as number)][ClimbingGame.bin(action[1] as number)];
  }

  reset({ seed }: ResetArgs = {}): [Float32Array, Info] {
    this.seedRng(seed);
    this.lastAction = null;
    return [new Float32Array(1), {}];
  }

  step(action: BoxAction): StepResult<Float32Array> {
    this.lastAction = Float64Array.from(action);
    return [new Float32Array(1), this.payoff(action), true, false, {}];
  }

  /** The payoff matrix as a 3 × 3 heat map over the action square, the 11 cell marked, the last action in red. */
  override render(): RgbFrame {
    this.requireRenderMode();
    this.heatMap ??= new Landscape2dRenderer({
      q: (a0, a1) => this.payoff([a0, a1]),
      low: -1,
      high: 1,
      optimum: [-2 / 3, -2 / 3],
    });
    return this.heatMap.render(this.lastAction);
  }
}

const renderModeOf = (kwargs: Record<string, unknown>) => kwargs.renderMode as BanditRenderMode;
register({
  id: "Bandit1D-v0",
  entryPoint: (k) => new GaussianBumpBandit({ bumps: BANDIT_1D_BUMPS, renderMode: renderModeOf(k) }),
});
register({
  id: "Bandit2D-v0",
  entryPoint: (k) => new GaussianBumpBandit({ bumps: BANDIT_2D_BUMPS, renderMode: renderModeOf(k) }),
});
register({
  id: "BimodalBandit2D-v0",
  entryPoint: (k) => new GaussianBumpBandit({ bumps: BIMODAL_2D_BUMPS, renderMode: renderModeOf(k) }),
});
register({
  id: "SmoothieBandit-v0",
  entryPoint: (k) =>
    new SmoothieBandit({
      renderMode: renderModeOf(k),
      ...(typeof k.offset === "number" ? { offset: k.offset } : {}),
      ...(typeof k.bound === "number" ? { bound: k.bound } : {}),
    }),
});
register({ id: "ClimbingGame-v0", entryPoint: (k) => new ClimbingGame({ renderMode: renderModeOf(k) }) });
