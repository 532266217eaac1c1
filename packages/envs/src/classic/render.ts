/**
 * `rgb_array` frames of the classic-control tasks, drawing what Gymnasium's pygame renderers draw: the
 * same canvas sizes, scales, shapes and colours (its arrow sprite for Pendulum's torque is left out).
 * Gymnasium draws with y up and flips the surface at the end; here each point's y is flipped as it is
 * placed (`H − y`), which gives the same picture.
 */
import type { Rgb, RgbFrame } from "../render/frame.js";
import { Raster } from "../render/raster.js";

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/**
 * Corners of the rectangle [l, r] × [b, t], rotated by `angle` (counter-clockwise with y up, as pygame's
 * `rotate_rad`), moved by (tx, ty), then flipped into image rows of a canvas `h` pixels high.
 */
function rect(l: number, r: number, t: number, b: number, angle: number, tx: number, ty: number, h: number): number[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const out: number[] = [];
  for (const [x, y] of [
    [l, b],
    [l, t],
    [r, t],
    [r, b],
  ] as const) {
    out.push(x * c - y * s + tx, h - (x * s + y * c + ty));
  }
  return out;
}

/** CartPole: 600 × 400, the ±xThreshold track filling the width (125 px per metre by default). */
export function renderCartPole(x: number, theta: number, xThreshold: number, halfPoleLength: number): RgbFrame {
  const W = 600;
  const H = 400;
  const scale = W / (2 * xThreshold);
  const poleLen = scale * 2 * halfPoleLength;
  const cartX = x * scale + W / 2;
  const cartY = 100; // top of the ground line, y up
  const axleY = cartY + 30 / 4;
  const img = new Raster(W, H);
  img.clear(WHITE);
  img.fillPolygon(rect(-25, 25, 15, -15, 0, cartX, cartY, H), BLACK);
  // The pole stands along +y and is turned by −θ, so a positive θ leans it to the right.
  img.fillPolygon(rect(-5, 5, poleLen - 5, -5, -theta, cartX, axleY, H), [202, 152, 101]);
  img.fillCircle(cartX, H - axleY, 5, [129, 132, 203]);
  img.line(0, H - cartY, W, H - cartY, 1, BLACK);
  return img;
}

/** Pendulum: 500 × 500, pivot in the centre, θ = 0 pointing up. */
export function renderPendulum(theta: number): RgbFrame {
  const S = 500;
  const scale = S / 4.4;
  const offset = S / 2;
  const rodLength = scale;
  const rodWidth = 0.2 * scale;
  const angle = theta + Math.PI / 2;
  const red: Rgb = [204, 77, 77];
  const img = new Raster(S, S);
  img.clear(WHITE);
  img.fillPolygon(rect(0, rodLength, rodWidth / 2, -rodWidth / 2, angle, offset, offset, S), red);
  img.fillCircle(offset, S - offset, rodWidth / 2, red);
  img.fillCircle(offset + rodLength * Math.cos(angle), S - (offset + rodLength * Math.sin(angle)), rodWidth / 2, red);
  img.fillCircle(offset, S - offset, 0.05 * scale, BLACK);
  return img;
}

/** MountainCar (discrete and continuous): 600 × 400, the hill sin(3x)·0.45 + 0.55 over [minPos, maxPos]. */
export function renderMountainCar(position: number, minPos: number, maxPos: number, goalPos: number): RgbFrame {
  const W = 600;
  const H = 400;
  const scale = W / (maxPos - minPos);
  const hill = (x: number) => Math.sin(3 * x) * 0.45 + 0.55;
  const img = new Raster(W, H);
  img.clear(WHITE);
  for (let i = 0; i < 99; i++) {
    const xa = minPos + ((maxPos - minPos) * i) / 99;
    const xb = minPos + ((maxPos - minPos) * (i + 1)) / 99;
    img.line((xa - minPos) * scale, H - hill(xa) * scale, (xb - minPos) * scale, H - hill(xb) * scale, 1, BLACK);
  }
  const clearance = 10;
  const tilt = Math.cos(3 * position);
  const carX = (position - minPos) * scale;
  const carY = clearance + hill(position) * scale;
  img.fillPolygon(rect(-20, 20, 20, 0, tilt, carX, carY, H), BLACK);
  for (const wx of [10, -10]) {
    const cx = wx * Math.cos(tilt) + carX;
    const cy = wx * Math.sin(tilt) + carY;
    img.fillCircle(cx, H - cy, 8, [128, 128, 128]);
  }
  const flagX = (goalPos - minPos) * scale;
  const flagY1 = hill(goalPos) * scale;
  const flagY2 = flagY1 + 50;
  img.line(flagX, H - flagY1, flagX, H - flagY2, 1, BLACK);
  img.fillPolygon([flagX, H - flagY2, flagX, H - (flagY2 - 10), flagX + 25, H - (flagY2 - 5)], [204, 204, 0]);
  return img;
}

/** Acrobot: 500 × 500, pivot in the centre, the goal height (one link above the pivot) as a line. */
export function renderAcrobot(theta1: number, theta2: number, link1: number, link2: number): RgbFrame {
  const S = 500;
  const bound = link1 + link2 + 0.2;
  const scale = S / (2 * bound);
  const offset = S / 2;
  // Joint positions with y up: the chain hangs down at θ = 0.
  const x1 = link1 * Math.sin(theta1);
  const y1 = -link1 * Math.cos(theta1);
  const joints: [number, number, number, number][] = [
    [0, 0, theta1 - Math.PI / 2, link1],
    [x1, y1, theta1 + theta2 - Math.PI / 2, link2],
  ];
  const img = new Raster(S, S);
  img.clear(WHITE);
  img.line(offset - bound * scale, S - (scale + offset), offset + bound * scale, S - (scale + offset), 1, BLACK);
  for (const [x, y, angle, length] of joints) {
    const tx = x * scale + offset;
    const ty = y * scale + offset;
    img.fillPolygon(rect(0, length * scale, 0.1 * scale, -0.1 * scale, angle, tx, ty, S), [0, 204, 204]);
    img.fillCircle(tx, S - ty, 0.1 * scale, [204, 204, 0]);
  }
  return img;
}
