import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openResults } from "../src/db/results.js";
import { buildReportData } from "../src/report/data.js";
import { writeReport } from "../src/report/export.js";
import { decodePng } from "./png.js";
import { fillSyntheticSuite } from "./synthetic-suite.js";

/**
 * Renders a report in headless Chromium and checks what a reader would see. CI must install the
 * Debian packages `chromium` and `fonts-dejavu-core`.
 */
const CHROMIUM = "/usr/bin/chromium";

function chromium(args: string[], userDataDir: string): string {
  return execFileSync(
    CHROMIUM,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${userDataDir}`,
      ...args,
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
  );
}

describe("report rendered in headless Chromium", () => {
  let dir: string;
  let url: string;
  let data: ReturnType<typeof buildReportData>;

  beforeAll(() => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found: the report rendering test needs headless Chromium. CI must install it (apt-get install -y chromium fonts-dejavu-core).`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), "qscape-render-"));
    const db = openResults(join(dir, "results.sqlite"));
    try {
      fillSyntheticSuite(db);
      data = buildReportData(db, "synthetic", { intervalReps: 500, profileReps: 200, curveReps: 100 });
      url = pathToFileURL(writeReport(join(dir, "out"), data).html).href;
    } finally {
      db.close();
    }
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the rendered DOM holds every plot with its lines and interval bars", () => {
    const dom = chromium(["--dump-dom", url], join(dir, "profile-dom"));
    // Wide figures (aggregates, profile, PoI, sample efficiency, one per env and per training metric)
    // and their narrow-window versions (aggregates as two figures, sample efficiency, small multiples).
    const envs = 4;
    const metrics = data.trainingMetrics.length;
    expect(dom.match(/<svg /g)).toHaveLength(4 + envs + metrics + (3 + envs + metrics));
    // 4 algorithms × (profile + 2 × sample efficiency + 2 × 4 learning curves) bands, plus the metric lines' (flat) bands.
    const metricSeries = data.trainingMetrics.reduce((n, m) => n + m.series.length, 0);
    expect(dom.match(/<path class="band"/g)?.length).toBe(4 * (1 + 2 + 2 * envs) + 2 * metricSeries);
    // 16 aggregate bars, twice (wide and narrow), + 6 PoI bars.
    expect(dom.match(/<rect [^>]*fill-opacity="0.75"/g)?.length).toBe(2 * 16 + 6);
    expect(dom).toContain("What was matched");
  });

  it.each([1400, 800])("the screenshot at %i px is not blank and shows the palette's colours", (windowWidth) => {
    const png = join(dir, `shot-${windowWidth}.png`);
    chromium(
      [`--screenshot=${png}`, `--window-size=${windowWidth},2400`, url],
      join(dir, `profile-shot-${windowWidth}`),
    );
    const { width, height, channels, data } = decodePng(readFileSync(png));
    expect([width, height]).toEqual([windowWidth, 2400]);
    let nonBackground = 0;
    let blue = 0;
    let vermillion = 0;
    for (let i = 0; i < width * height * channels; i += channels) {
      const [r, g, b] = [data[i] as number, data[i + 1] as number, data[i + 2] as number];
      if (Math.abs(r - 0xf4) + Math.abs(g - 0xf5) + Math.abs(b - 0xf7) > 12 && r + g + b < 740) nonBackground++;
      if (Math.abs(r - 0x00) < 20 && Math.abs(g - 0x72) < 20 && Math.abs(b - 0xb2) < 20) blue++;
      if (Math.abs(r - 0xd5) < 20 && Math.abs(g - 0x5e) < 20 && Math.abs(b - 0x00) < 20) vermillion++;
    }
    expect(nonBackground / (width * height)).toBeGreaterThan(0.02);
    expect(blue).toBeGreaterThan(500);
    expect(vermillion).toBeGreaterThan(500);
  });
});
