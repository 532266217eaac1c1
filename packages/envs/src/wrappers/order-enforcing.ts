import type { Env, Info, RenderFrame, ResetArgs, StepResult } from "../env.js";
import { envLabel, Wrapper } from "../env.js";
import { ResetNeededError } from "../errors.js";

/** Throws when `step()` or `render()` is called before the first `reset()` (there is no state to draw yet). */
export class OrderEnforcing<Obs, Act> extends Wrapper<Obs, Act> {
  private resetCalled = false;

  constructor(env: Env<Obs, Act>) {
    super(env);
  }

  get hasReset(): boolean {
    return this.resetCalled;
  }

  override reset(args?: ResetArgs): [Obs, Info] {
    this.resetCalled = true;
    return this.env.reset(args);
  }

  override step(action: Act): StepResult<Obs> {
    if (!this.resetCalled) {
      throw new ResetNeededError(`${envLabel(this)}: cannot call step() before reset()`);
    }
    return this.env.step(action);
  }

  override render(): RenderFrame {
    if (!this.resetCalled) {
      throw new ResetNeededError(`${envLabel(this)}: cannot call render() before reset()`);
    }
    return this.env.render();
  }
}
