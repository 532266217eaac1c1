/**
 * Stage 1 of Ch. 2's two-stage framework (Algorithm 1, first loop): train the HVAE (or the flat
 * VAE) on the play observations of the training actions with Adam, then encode every action of
 * the inventory, held-out ones included (Algorithm 2: a new action needs only its observations),
 * as the mean of its posterior. The result is an artefact the policy stage reads: a
 * `[numActions × size]` Float32Array fed to `SkillGridWorld-v0`'s `representations` kwarg (or read by
 * `NewActionsAgent`). Play data: SkillGridWorld's skill trajectories (App. A.1) and CREATE's probe-ball
 * trajectories per tool (App. A.3), both (x, y) sequences.
 */
import { Adam, parseConfig, QscapeError, Rng, tf } from "@qscape/core";
import {
  type ActionSplit,
  CREATE_LEVELS,
  CreateEnv,
  checkSplit,
  collectSkillPlayObservations,
  make,
  NUM_SKILLS,
  playObservations,
  SkillGridWorldEnv,
  type SkillPlayObservations,
} from "@qscape/envs";
import { RepresentationSizeError } from "../errors.js";
import { RepresentationConfig, type RepresentationConfigInput, type RepresentationSettings } from "./config.js";
import {
  type ElboTerms,
  makeRepresentationModel,
  type ObservationSets,
  type RepresentationModelNet,
} from "./networks.js";

/** A split to train on holds no action (e.g. a tiny `splitRatio` entry). */
export class EmptySplitError extends QscapeError {
  override name = "EmptySplitError";
}

/** The representation stage supports an env only through its play data (SkillGridWorld-v0, the CREATE levels). */
export class UnsupportedRepresentationEnvError extends QscapeError {
  override name = "UnsupportedRepresentationEnvError";
}

/** The envs whose play data this module reads: App. A.1's skill trajectories, App. A.3's tool probes. */
export const REPRESENTATION_ENVS: readonly string[] = [
  "SkillGridWorld-v0",
  ...CREATE_LEVELS.map((level) => `Create${level}-v0`),
];

export interface TrainRepresentationsOptions extends RepresentationConfigInput {
  /** Registered env id with play data: `SkillGridWorld-v0` or a CREATE level without activators. */
  env: string;
  /** The env's split settings; the policy stage must use the same ones (they fix which actions are unseen). */
  splitSeed?: number;
  splitRatio?: [number, number, number];
  /** Splits whose actions train the model: ["train"] (Ours); all three is the Oracle HVAE analysis. */
  trainOn?: readonly ActionSplit[];
  /**
   * The training split's actions as an env built elsewhere holds them (`env.inventory.ids("train")`),
   * instead of cutting the splits again from `splitSeed`/`splitRatio`; not together with `trainOn`.
   */
  trainActions?: ArrayLike<number>;
  /**
   * SkillGridWorld only: play data already collected for all 1,024 skills in inventory order;
   * otherwise collected with `playSeed` (CREATE's comes from the on-disk play cache of `@qscape/envs`).
   */
  play?: SkillPlayObservations;
  /** Seed of the play data (default: `seed` when this collects it). */
  playSeed?: number;
  /** Called after every gradient step with its per-observation ELBO parts. */
  onEpoch?: (epoch: number, terms: EpochTerms) => void;
}

/** Per-observation values of one step: loss = −reconstruction + klZ + klC (the negative ELBO, Eq. 2.2). */
export interface EpochTerms {
  loss: number;
  reconstruction: number;
  klZ: number;
  klC: number;
}

/** What the artefact says about how it was made (everything but the numbers). */
export interface RepresentationMeta {
  format: typeof ARTEFACT_FORMAT;
  version: typeof ARTEFACT_VERSION;
  env: string;
  model: RepresentationSettings["model"];
  seed: number;
  /** Seed of the play data; null when it was handed in without one. */
  playSeed: number | null;
  numActions: number;
  size: number;
  splitSeed: number | null;
  splitRatio: [number, number, number] | null;
  trainedOn: ActionSplit[];
  /** Training actions (the union of `trainedOn`'s splits). */
  trainedActions: number;
  config: RepresentationSettings;
  /** Mean ELBO parts over the last min(100, epochs) steps. */
  final: EpochTerms;
}

export interface ActionRepresentations {
  meta: RepresentationMeta;
  /** Row-major [numActions × size]: row k is action k's representation. */
  values: Float32Array;
}

export interface TrainRepresentationsResult extends ActionRepresentations {
  /** Every step's ELBO parts. */
  history: EpochTerms[];
  seconds: number;
}

export const ARTEFACT_FORMAT = "qscape-action-representations";
export const ARTEFACT_VERSION = 1;

/** The width of a play observation's states: (x, y) (a grid cell, or the probe ball's screen position). */
const STATE_SIZE = 2;

interface PlayData {
  positions: Float32Array;
  perAction: number;
  length: number;
  /** Maps a recorded coordinate x to x·scale + shift in [−1, 1]. */
  scale: number;
  shift: number;
}

/**
 * Where an env's play data and splits come from. SkillGridWorld: 1,024 skills, 6 grid cells per
 * trajectory. CREATE: the 2,110 general tools (the No-Op and activators have no play data), 7 probe
 * positions per trajectory, already in the screen's [−1, 1] units.
 */
interface PlaySource {
  numActions: number;
  /** The inventory whose splits `trainOn` names. */
  ids(split: ActionSplit): Int32Array;
  /** A play data set for every action, in inventory order. */
  collect(seed: number, perAction: number): PlayData;
}

/** SkillGridWorld's play data with its cells 0 … G − 1 mapped to [−1, 1] (the Gaussian decoder's unit is the grid, not a cell). */
function skillPlayData(d: SkillPlayObservations, gridSize: number): PlayData {
  return {
    positions: d.positions,
    perAction: d.trajectoriesPerSkill,
    length: d.length,
    scale: 2 / Math.max(1, gridSize - 1),
    shift: -1,
  };
}

function playSource(
  env: string,
  split: { splitSeed?: number; splitRatio?: [number, number, number] },
  playGridSize: number,
): PlaySource {
  if (env === "SkillGridWorld-v0") {
    const { inventory } = new SkillGridWorldEnv({ ...split, actionsPerEpisode: 1 });
    return {
      numActions: NUM_SKILLS,
      ids: (s) => inventory.ids(s),
      collect: (seed, perAction) =>
        skillPlayData(
          collectSkillPlayObservations({ seed, trajectoriesPerSkill: perAction, gridSize: playGridSize }),
          playGridSize,
        ),
    };
  }
  const created = make(env, { ...split, actionsPerEpisode: 1 }).unwrapped;
  if (!(created instanceof CreateEnv) || created.config.activators) {
    throw new UnsupportedRepresentationEnvError(
      `trainRepresentations: env ${JSON.stringify(env)} has no trajectory play data here; supported: ${REPRESENTATION_ENVS.join(", ")}`,
    );
  }
  const { inventory, noOp } = created;
  return {
    numActions: noOp,
    ids: (s) => inventory.ids(s),
    collect: (seed, perAction) => {
      const { data } = playObservations({ envId: env, split: "all", seed, perAction });
      return { positions: data.positions, perAction, length: data.length, scale: 1, shift: 0 };
    },
  };
}

/** Copies the chosen observations of `actions` into a [actions, n, T, 2] batch, coordinates in [−1, 1]. */
function observationSets(play: PlayData, actions: ArrayLike<number>, observations: ArrayLike<number>): ObservationSets {
  const stride = play.length * STATE_SIZE;
  const n = observations.length;
  const out = new Float32Array(actions.length * n * stride);
  let o = 0;
  for (let i = 0; i < actions.length; i++) {
    const base = (actions[i] as number) * play.perAction * stride;
    for (let j = 0; j < n; j++) {
      const from = base + (observations[j] as number) * stride;
      for (let k = 0; k < stride; k++) out[o++] = (play.positions[from + k] as number) * play.scale + play.shift;
    }
  }
  return tf.tensor4d(out, [actions.length, n, play.length, STATE_SIZE]);
}

/** `k` distinct entries of `pool`, uniformly (a partial Fisher–Yates on a copy). */
function drawDistinct(pool: ArrayLike<number>, k: number, rng: Rng): Int32Array {
  const a = Int32Array.from(pool);
  for (let i = 0; i < k; i++) {
    const j = rng.int(i, a.length);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
  return a.slice(0, k);
}

/** −ELBO per observation; `flipKl` is the test hook of a wrongly signed KL. */
export function negativeElbo(terms: ElboTerms, flipKl = false): tf.Scalar {
  const kl = tf.add(terms.klZ, terms.klC);
  return tf.sub(flipKl ? tf.neg(kl) : kl, terms.reconstruction) as tf.Scalar;
}

/**
 * Checks everything about a run before any data is collected or any weight drawn: the config
 * (errors name the field), the env, the splits and that none of them is empty.
 */
function prepare(opts: TrainRepresentationsOptions) {
  const { env, splitSeed, splitRatio, trainOn, trainActions, play, playSeed, onEpoch, ...config } = opts;
  const settings = parseConfig(RepresentationConfig, config, "trainRepresentations");
  if (!REPRESENTATION_ENVS.includes(env)) {
    throw new UnsupportedRepresentationEnvError(
      `trainRepresentations: env ${JSON.stringify(env)} has no trajectory play data here; supported: ${REPRESENTATION_ENVS.join(", ")}`,
    );
  }
  const splitOptions = {
    ...(splitSeed !== undefined ? { splitSeed } : {}),
    ...(splitRatio !== undefined ? { splitRatio } : {}),
  };
  const source = playSource(env, splitOptions, settings.playGridSize);
  const n = source.numActions;
  if (play && env !== "SkillGridWorld-v0") {
    throw new QscapeError(`trainRepresentations: play is SkillGridWorld's; ${env}'s comes from the play cache`);
  }
  const splits = [...new Set((trainOn ?? ["train"]).map((s) => checkSplit(s, "trainRepresentations trainOn")))];
  if (splits.length === 0) throw new EmptySplitError("trainRepresentations: trainOn lists no split");
  let trainIds: Int32Array;
  if (trainActions !== undefined) {
    if (trainOn !== undefined) throw new QscapeError("trainRepresentations: give trainOn or trainActions, not both");
    if (trainActions.length === 0) throw new EmptySplitError("trainRepresentations: trainActions is empty");
    trainIds = Int32Array.from(new Set(Array.from(trainActions))).sort();
    for (const k of trainIds) {
      if (!Number.isInteger(k) || k < 0 || k >= n)
        throw new QscapeError(`trainRepresentations: trainActions holds ${k}, not an action in 0..${n - 1}`);
    }
  } else {
    const ids: number[] = [];
    for (const split of splits) {
      const inSplit = source.ids(split);
      if (inSplit.length === 0) {
        throw new EmptySplitError(
          `trainRepresentations: the ${split} split holds no action (splitRatio ${JSON.stringify(splitRatio ?? "default")})`,
        );
      }
      ids.push(...inSplit);
    }
    trainIds = Int32Array.from(new Set(ids)).sort();
  }
  if (play) {
    const expected = NUM_SKILLS * play.trajectoriesPerSkill * play.length * STATE_SIZE;
    const inOrder = play.skills.length === NUM_SKILLS && play.skills.every((k, i) => k === i);
    if (!inOrder || play.positions.length !== expected) {
      throw new QscapeError(
        `trainRepresentations: play must hold every one of the ${NUM_SKILLS} skills in inventory order (${play.skills.length} given)`,
      );
    }
    if (play.trajectoriesPerSkill !== settings.observationsPerAction) {
      throw new QscapeError(
        `trainRepresentations: observationsPerAction is ${settings.observationsPerAction} but play holds ${play.trajectoriesPerSkill} per skill`,
      );
    }
  }
  if (settings.setSize !== undefined && settings.setSize > settings.observationsPerAction) {
    throw new QscapeError(
      `trainRepresentations config: setSize: ${settings.setSize} exceeds observationsPerAction (${settings.observationsPerAction})`,
    );
  }
  // Play data handed in was collected elsewhere: its seed is unknown unless the caller says it.
  const seedOfPlay = playSeed ?? (play ? null : settings.seed);
  return { env, source, settings, splits, trainIds, splitSeed, splitRatio, play, playSeed: seedOfPlay, onEpoch };
}

/**
 * Trains the representation model (`model`: HVAE or flat VAE) on the training actions' play data
 * and returns every action's representation with the metadata that says how it was made.
 * Deterministic: the same options give the same numbers.
 */
export function trainRepresentations(opts: TrainRepresentationsOptions): TrainRepresentationsResult {
  const p = prepare(opts);
  const s = p.settings;
  const start = performance.now();
  const play = p.play
    ? skillPlayData(p.play, s.playGridSize)
    : p.source.collect(p.playSeed ?? s.seed, s.observationsPerAction);
  const rng = new Rng(s.seed);
  const model = makeRepresentationModel(rng, STATE_SIZE, s);
  const adam = new Adam("representations", model, { lr: s.lr });
  const setSize = s.setSize ?? s.observationsPerAction;
  const allObservations = Int32Array.from({ length: play.perAction }, (_, i) => i);
  const batch = Math.min(s.batchSize, p.trainIds.length);
  const history: EpochTerms[] = [];
  try {
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const actions = drawDistinct(p.trainIds, batch, rng);
      // One draw of observations per step, shared by the batch's sets (fewer Rng calls; each set is still a uniform subset).
      const observations = setSize === play.perAction ? allObservations : drawDistinct(allObservations, setSize, rng);
      const cNoise = rng.fillNormal(new Float32Array(batch * s.representationSize)) as Float32Array;
      const zNoise = rng.fillNormal(new Float32Array(batch * setSize * model.latentSize)) as Float32Array;
      let parts: ArrayLike<number> = [0, 0, 0];
      tf.tidy(() => {
        const sets = observationSets(play, actions, observations);
        const noise = {
          c: tf.tensor2d(cNoise, [batch, s.representationSize]),
          z: tf.tensor2d(zNoise, [batch * setSize, model.latentSize]),
        };
        const loss = adam.minimize(() => {
          const terms = model.terms(sets, noise, true);
          parts = tf.stack([terms.reconstruction, terms.klZ, terms.klC]).dataSync();
          return negativeElbo(terms, s.flipKl);
        });
        const [reconstruction, klZ, klC] = Array.from(parts) as [number, number, number];
        const terms = { loss, reconstruction, klZ, klC };
        history.push(terms);
        p.onEpoch?.(epoch, terms);
      });
    }
    const values = encodeAll(model, play, p.source.numActions);
    const tail = history.slice(-Math.min(100, history.length));
    const mean = (key: keyof EpochTerms) => tail.reduce((a, t) => a + t[key], 0) / tail.length;
    return {
      meta: {
        format: ARTEFACT_FORMAT,
        version: ARTEFACT_VERSION,
        env: p.env,
        model: s.model,
        seed: s.seed,
        playSeed: p.playSeed,
        numActions: p.source.numActions,
        size: s.representationSize,
        splitSeed: p.splitSeed ?? null,
        splitRatio: p.splitRatio ?? null,
        trainedOn: p.splits,
        trainedActions: p.trainIds.length,
        config: s,
        final: { loss: mean("loss"), reconstruction: mean("reconstruction"), klZ: mean("klZ"), klC: mean("klC") },
      },
      values,
      history,
      seconds: (performance.now() - start) / 1000,
    };
  } finally {
    adam.dispose();
    for (const v of [...model.parameters(), ...model.statistics()]) v.dispose();
  }
}

/** Every action's representation from all its observations, a few actions per pass to bound memory. */
function encodeAll(model: RepresentationModelNet, play: PlayData, numActions: number): Float32Array {
  const size = model.representationSize;
  const out = new Float32Array(numActions * size);
  const observations = Int32Array.from({ length: play.perAction }, (_, i) => i);
  const chunk = Math.max(1, Math.floor(16_384 / play.perAction));
  for (let first = 0; first < numActions; first += chunk) {
    const actions = Int32Array.from({ length: Math.min(chunk, numActions - first) }, (_, i) => first + i);
    const rows = tf.tidy(() => model.represent(observationSets(play, actions, observations)).dataSync());
    out.set(rows, first * size);
  }
  return out;
}

/**
 * The `SkillGridWorld-v0` kwargs that make its action features these representations (and its
 * splits the ones they were trained with). A representation table for another inventory, or
 * narrower/wider than `representationSize` when that is given, is a `RepresentationSizeError`.
 */
export function skillGridWorldOptions(
  reps: ActionRepresentations,
  expect: { representationSize?: number } = {},
): { representations: Float32Array; splitSeed?: number; splitRatio?: [number, number, number] } {
  const { meta, values } = reps;
  if (meta.numActions !== NUM_SKILLS || values.length !== NUM_SKILLS * meta.size) {
    throw new RepresentationSizeError(
      `SkillGridWorld-v0 has ${NUM_SKILLS} actions; these representations are ${meta.numActions} × ${meta.size} (${values.length} values)`,
    );
  }
  if (expect.representationSize !== undefined && expect.representationSize !== meta.size) {
    throw new RepresentationSizeError(
      `representationSize is ${expect.representationSize} but these representations are ${meta.size}-d`,
    );
  }
  return {
    representations: values,
    ...(meta.splitSeed !== null ? { splitSeed: meta.splitSeed } : {}),
    ...(meta.splitRatio !== null ? { splitRatio: meta.splitRatio } : {}),
  };
}
