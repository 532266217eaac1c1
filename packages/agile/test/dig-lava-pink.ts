/**
 * Dig Lava with the orange river already crossed, for learning tests that must fit a CPU minute.
 * Each reset plays the fixed no-dig prefix up ×4, right ×5, down ×4 (13 steps, through the orange
 * river's top gap, collecting its subgoal) with the always-available moves, so the agent starts at
 * (6, 5), just left of the pink river, with 37 of the 50 steps left. The rest is the unchanged
 * DigLava-v0: dig-pink is offered in half of the episodes; with it the shortcut right, dig, right,
 * right reaches the goal at step 17 (return ≈ 66.3), without it the detour through the bottom gap
 * takes 11 steps (goal at step 24, ≈ 52.5), and stepping into the river without dig-pink is death.
 */
import { type ActionSetObservation, type Info, make, type ResetArgs, Wrapper } from "@qscape/envs";

const MOVE_RIGHT = 0;
const MOVE_DOWN = 1;
const MOVE_UP = 3;
/** The prefix to (6, 1 + downs). */
export const pinkPrefix = (downs = 4): number[] => [
  ...Array<number>(4).fill(MOVE_UP),
  ...Array<number>(5).fill(MOVE_RIGHT),
  ...Array<number>(downs).fill(MOVE_DOWN),
];
/** Inventory id of dig-pink (Table B.1 order). */
export const DIG_PINK = 8;

export class DigLavaAtPinkRiver extends Wrapper<ActionSetObservation, number> {
  private readonly prefix: number[];
  constructor(downs = 4) {
    super(make("DigLava-v0"));
    this.prefix = pinkPrefix(downs);
  }
  override reset(args?: ResetArgs): [ActionSetObservation, Info] {
    let [obs, info] = this.env.reset(args);
    for (const action of this.prefix) {
      const [next, , terminated, truncated, stepInfo] = this.env.step(action);
      if (terminated || truncated) throw new Error("DigLavaAtPinkRiver: the prefix ended the episode");
      obs = next;
      info = { ...info, ...stepInfo };
    }
    return [obs, info];
  }
}

export const digPinkOffered = (obs: ActionSetObservation): boolean => obs.actionIds.includes(DIG_PINK);
