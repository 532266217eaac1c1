import { describe, expect, it } from "vitest";
import { esc, formatNumber, formatTick, linearScale, niceDomain, PALETTE } from "./svg.js";

describe("svg helpers", () => {
  it("nice domains snap to 1/2/5 steps and cover the data", () => {
    expect(niceDomain(0.13, 0.97, 5)).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 });
    const big = niceDomain(-120, 9400, 5);
    expect(big.step).toBe(2000);
    expect(big.domain).toEqual([-2000, 10000]);
    expect(niceDomain(5, 5).domain[0]).toBeLessThan(5);
  });

  it("formats ticks with SI suffixes for env steps and decimals from the step", () => {
    expect(formatTick(1_000_000, 200_000)).toBe("1M");
    expect(formatTick(1_200_000, 200_000)).toBe("1.2M");
    expect(formatTick(20_000, 20_000)).toBe("20k");
    expect(formatTick(0.25, 0.05)).toBe("0.25");
    expect(formatTick(0.4, 0.2)).toBe("0.4");
    expect(formatTick(0, 0.2)).toBe("0.0");
    expect(formatTick(-0.00001, 0.2)).toBe("0");
    expect(formatNumber(9636.946)).toBe("9637");
    expect(formatNumber(-3.6985)).toBe("-3.70");
    expect(formatNumber(null)).toBe("–");
  });

  it("maps domains to pixel ranges (y flipped by swapping the range)", () => {
    const y = linearScale([0, 1], [300, 100]);
    expect(y(0)).toBe(300);
    expect(y(0.5)).toBe(200);
  });

  it("escapes markup and keeps a colour-blind-safe palette", () => {
    expect(esc(`a<b & "c" 'd'`)).toBe("a&lt;b &amp; &quot;c&quot; &#39;d&#39;");
    expect(PALETTE.slice(0, 3)).toEqual(["#0072B2", "#D55E00", "#009E73"]);
  });
});

describe("heat map", () => {
  it("draws one shaded cell per (row, column) with its share in percent, darker for larger shares", async () => {
    const { heatMap } = await import("./plots.js");
    const out = heatMap(
      [
        [0.75, 0.25],
        [0, 1],
      ],
      { title: "sel", rows: ["T0", "T1"], cols: ["T0", "T1"], xLabel: "policy", yLabel: "task" },
    );
    expect(out.match(/<rect /g)).toHaveLength(4);
    expect(out).toContain(">75<");
    expect(out).toContain("T1 → T1: 100.0%");
    expect(out).toContain('fill="rgb(255,255,255)"');
    expect(out).toContain('fill="rgb(8,48,107)"');
  });
});
