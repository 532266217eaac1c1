/**
 * Benchmarks for `rgb_array` rendering in @qscape/envs:
 * - frames/s of `render()` alone (the env is stepped between frames, untimed, so every frame differs),
 *   for Hopper-v5 and Walker2d-v5 (MuJoCo renderer, 480 × 480) and CartPole-v1 and Acrobot-v1 (classic, 600 × 400
 *   and 500 × 500);
 * - frames/s of the GIF encoder on those frames, the cost of writing an episode to disk.
 * Each figure is the best of `rounds` rounds, since other processes share the machine.
 *
 *   tsx --conditions=@qscape/source packages/envs/bench/render.ts [--quick]
 */
import type { AnyEnv, RgbFrame } from "../src/index.js";
import { encodeGif, loadMujoco, make } from "../src/index.js";

export interface RenderBenchOptions {
  /** Frames per round. */
  frames?: number;
  rounds?: number;
  log?: (line: string) => void;
}

export interface RenderFigure {
  id: string;
  width: number;
  height: number;
  renderFramesPerSec: number;
  gifFramesPerSec: number;
}

export const RENDER_IDS = ["Hopper-v5", "Walker2d-v5", "CartPole-v1", "Acrobot-v1"];

/** Seconds spent in `render()` over `frames` frames, stepping with random actions in between. */
function timeRender(env: AnyEnv, frames: number, out: RgbFrame[]): number {
  env.actionSpace.seed(0);
  env.reset({ seed: 0 });
  out.length = 0;
  let seconds = 0;
  for (let i = 0; i < frames; i++) {
    const [, , terminated, truncated] = env.step(env.actionSpace.sample());
    if (terminated || truncated) env.reset();
    const start = performance.now();
    out.push(env.render() as RgbFrame);
    seconds += (performance.now() - start) / 1000;
  }
  return seconds;
}

export function benchRender(frames: number, rounds: number): RenderFigure[] {
  return RENDER_IDS.map((id) => {
    const env = make(id, { renderMode: "rgb_array" });
    const rendered: RgbFrame[] = [];
    let renderBest = Number.POSITIVE_INFINITY;
    let gifBest = Number.POSITIVE_INFINITY;
    for (let r = 0; r < rounds; r++) {
      renderBest = Math.min(renderBest, timeRender(env, frames, rendered));
      const start = performance.now();
      encodeGif(rendered, { fps: env.metadata.renderFps ?? 30 });
      gifBest = Math.min(gifBest, (performance.now() - start) / 1000);
    }
    env.close();
    const { width, height } = rendered[0] as RgbFrame;
    return { id, width, height, renderFramesPerSec: frames / renderBest, gifFramesPerSec: frames / gifBest };
  });
}

export async function runRenderBench(options: RenderBenchOptions = {}): Promise<RenderFigure[]> {
  const { frames = 200, rounds = 3, log = console.log } = options;
  await loadMujoco();
  log("# rgb_array rendering — absolute figures were measured on a shared, contended machine");
  const figures = benchRender(frames, rounds);
  log(`\nframes/s (best of ${rounds} rounds of ${frames} frames):`);
  log(`  ${"env".padEnd(14)} ${"size".padEnd(9)} ${"render()".padStart(9)} ${"GIF encode".padStart(11)}`);
  for (const f of figures) {
    const size = `${f.width}×${f.height}`;
    log(
      `  ${f.id.padEnd(14)} ${size.padEnd(9)} ${f.renderFramesPerSec.toFixed(0).padStart(9)} ${f.gifFramesPerSec.toFixed(0).padStart(11)}`,
    );
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRenderBench(process.argv.includes("--quick") ? { frames: 50, rounds: 1 } : {});
}
