import { MAZE_LARGE_MT3_TASKS, MAZE_LARGE_TASKS, mazeLargeTaskSet } from "./maze.js";
import { multistageReacherTaskSet } from "./multistage-reacher.js";
import { type PointReachMTOptions, pointReachTaskSet } from "./point-reach.js";
import { registerTaskSet } from "./task-set.js";
import { type WalkerMTOptions, walkerTaskSet } from "./walker.js";

export * from "./maze.js";
export * from "./multistage-reacher.js";
export * from "./point-reach.js";
export * from "./task-set.js";
export * from "./walker.js";

registerTaskSet("PointReachMT-v0", (kwargs) => pointReachTaskSet("PointReachMT-v0", kwargs as PointReachMTOptions));
registerTaskSet("MazeLargeMT10-v0", () =>
  mazeLargeTaskSet(
    "MazeLargeMT10-v0",
    MAZE_LARGE_TASKS.map((_, i) => i),
  ),
);
registerTaskSet("MazeLargeMT3-v0", () => mazeLargeTaskSet("MazeLargeMT3-v0", MAZE_LARGE_MT3_TASKS));
registerTaskSet("MultistageReacherMT5-v0", () => multistageReacherTaskSet("MultistageReacherMT5-v0"));
// MuJoCo: `await loadMujoco()` before making it. Scored by return, as Table D.2 reports Walker.
registerTaskSet("Walker2dMT4-v0", (kwargs) => walkerTaskSet("Walker2dMT4-v0", kwargs as WalkerMTOptions), {
  score: "return",
});
