import { initBackend, tf } from "@qscape/core";
import { beforeAll, expect, it } from "vitest";
import { Td3ShapedLearner } from "../src/index.js";

beforeAll(async () => {
  await initBackend();
});

it("a TD3-shaped learner keeps tf.memory().numTensors flat over 2,000 updates", () => {
  const learner = new Td3ShapedLearner({ hidden: 32, batch: 32, rows: 1000, seed: 1 });
  for (let i = 0; i < 10; i++) learner.update();
  const before = tf.memory().numTensors;
  const bytes = tf.memory().numBytes;
  let last = 0;
  for (let i = 0; i < 2000; i++) last = learner.update();
  expect(Number.isFinite(last)).toBe(true);
  expect(tf.memory().numTensors).toBe(before);
  expect(tf.memory().numBytes).toBe(bytes);
});
