/**
 * The one module that touches the MuJoCo WebAssembly bindings (`@mujoco/mujoco`). Everything else in qscape
 * sees `MujocoSim`: a model + data pair built from an MJCF string, stepped with a control vector, read out as
 * typed-array copies, and freed with `dispose()`.
 *
 * Why the care with views: `data.qpos` etc. are live views into the WASM heap. When the heap grows (another
 * model is compiled, say) the old ArrayBuffer is detached and every cached view reads as length 0, so views
 * are re-fetched whenever the heap buffer changed.
 */
import loadMujocoModule, { type MainModule, type MjData, type MjModel } from "@mujoco/mujoco";
import { QscapeError } from "@qscape/core";

export type MujocoModule = MainModule;

let modulePromise: Promise<MujocoModule> | null = null;
let loadedModule: MujocoModule | null = null;

/** Loads (once) and returns the WASM module. Await it before constructing any `MujocoSim` or MuJoCo env. */
export function loadMujoco(): Promise<MujocoModule> {
  if (modulePromise === null) {
    modulePromise = loadMujocoModule().then((m) => {
      loadedModule = m;
      return m;
    });
    // A failed load must not be cached, so a later call can retry.
    modulePromise.catch(() => {
      modulePromise = null;
    });
  }
  return modulePromise;
}

/** The loaded module; throws a clear error when `loadMujoco()` has not finished. */
export function mujocoModule(): MujocoModule {
  if (loadedModule === null) {
    throw new QscapeError("MuJoCo WASM module is not loaded: call `await loadMujoco()` before creating MuJoCo envs");
  }
  return loadedModule;
}

/** Bytes in the WASM linear memory (it only grows; a leak shows up as growth over a long run). */
export function wasmHeapBytes(): number {
  const m = mujocoModule();
  const probe = new m.DoubleBuffer(1);
  try {
    return (probe.GetView() as Float64Array).buffer.byteLength;
  } finally {
    probe.delete();
  }
}

/** `MjData` arrays exposed for reading. Sizes follow MuJoCo: per-body rows are flattened row-major. */
export type SimField =
  | "qpos"
  | "qvel"
  | "ctrl"
  | "qacc"
  | "xpos"
  | "xipos"
  | "subtree_com"
  | "cinert"
  | "cvel"
  | "cfrc_ext"
  | "qfrc_actuator"
  | "xfrc_applied"
  | "qfrc_constraint"
  | "site_xpos"
  | "geom_xpos"
  | "geom_xmat"
  | "sensordata"
  | "ten_length"
  | "ten_velocity";

type ObjectKind = "body" | "geom" | "joint" | "site" | "actuator";

/** MuJoCo's `mjtGeom` values for the shapes the renderer draws (fixed by the C API, so safe to hard-code). */
export const GeomType = { plane: 0, sphere: 2, capsule: 3, ellipsoid: 4, cylinder: 5, box: 6 } as const;

/** What a renderer needs to know about each geom, fixed for the model's lifetime (copies). */
export interface GeomTable {
  count: number;
  /** `mjtGeom` per geom (see `GeomType`). */
  type: Int32Array;
  /** 3 numbers per geom, meaning per type as in MJCF `size` (e.g. capsule: radius, half-length). */
  size: Float64Array;
  /** RGBA in [0, 1], 4 per geom. */
  rgba: Float32Array;
  /** Visibility group (MuJoCo shows groups 0–2 by default). */
  group: Int32Array;
  /** Name of the body each geom belongs to ("" when unnamed). */
  bodyName: string[];
}

export class MujocoSim {
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  readonly nbody: number;
  readonly timestep: number;
  /** Actuator control ranges, [low0, high0, low1, high1, …] (copy). */
  readonly ctrlRange: Float64Array;
  /** Body masses (copy), index = body id. */
  readonly bodyMass: Float64Array;
  readonly geoms: GeomTable;
  /** `qpos`/`qvel` right after `mj_resetData` (the model's default pose), like Gymnasium's init_qpos/init_qvel. */
  readonly initQpos: Float64Array;
  readonly initQvel: Float64Array;

  private readonly mj: MujocoModule;
  private model: MjModel | null;
  private data: MjData | null;
  private readonly views = new Map<SimField, Float64Array>();

  private constructor(mj: MujocoModule, model: MjModel, data: MjData) {
    this.mj = mj;
    this.model = model;
    this.data = data;
    this.nq = model.nq;
    this.nv = model.nv;
    this.nu = model.nu;
    this.nbody = model.nbody;
    const opt = model.opt;
    this.timestep = opt.timestep;
    opt.delete();
    this.ctrlRange = Float64Array.from(model.actuator_ctrlrange as Float64Array);
    this.bodyMass = Float64Array.from(model.body_mass as Float64Array);
    const bodyOf = model.geom_bodyid as Int32Array;
    const bodyType = mj.mjtObj.mjOBJ_BODY.value;
    this.geoms = {
      count: model.ngeom,
      type: Int32Array.from(model.geom_type as Int32Array),
      size: Float64Array.from(model.geom_size as Float64Array),
      rgba: Float32Array.from(model.geom_rgba as Float32Array),
      group: Int32Array.from(model.geom_group as Int32Array),
      bodyName: Array.from(bodyOf, (b) => mj.mj_id2name(model, bodyType, b) ?? ""),
    };
    mj.mj_resetData(model, data);
    mj.mj_forward(model, data);
    this.initQpos = this.read("qpos");
    this.initQvel = this.read("qvel");
  }

  /** Compiles an MJCF document. Throws a `QscapeError` carrying MuJoCo's message when the XML is invalid. */
  static fromXml(xml: string, name = "model"): MujocoSim {
    const mj = mujocoModule();
    let model: MjModel;
    try {
      model = mj.MjModel.from_xml_string(xml);
    } catch (err) {
      throw new QscapeError(`MuJoCo could not compile ${name}: ${describe(err)}`);
    }
    if (!model) throw new QscapeError(`MuJoCo could not compile ${name}`);
    const data = new mj.MjData(model);
    return new MujocoSim(mj, model, data);
  }

  get disposed(): boolean {
    return this.model === null;
  }

  get time(): number {
    return this.liveData().time;
  }

  /** Writes `ctrl` (length nu), runs `frameSkip` × `mj_step`. MuJoCo clamps ctrl to the ctrlrange itself. */
  step(ctrl: ArrayLike<number>, frameSkip = 1): void {
    const { model, data } = this.live();
    if (ctrl.length !== this.nu) {
      throw new QscapeError(`MujocoSim.step: ctrl has length ${ctrl.length}, the model has ${this.nu} actuators`);
    }
    const view = this.view("ctrl");
    for (let i = 0; i < this.nu; i++) view[i] = ctrl[i] as number;
    for (let k = 0; k < frameSkip; k++) this.mj.mj_step(model, data);
  }

  /**
   * Computes `cacc`, `cfrc_int` and `cfrc_ext` for the current state. MuJoCo ≥ 2.0 leaves them stale after
   * `mj_step`; Gymnasium calls this after every step, we call it only where an env reads them.
   */
  rnePostConstraint(): void {
    const { model, data } = this.live();
    this.mj.mj_rnePostConstraint(model, data);
  }

  /** Sets qpos and qvel and recomputes derived quantities (`mj_forward`), like Gymnasium's `set_state`. */
  setState(qpos: ArrayLike<number>, qvel: ArrayLike<number>): void {
    const { model, data } = this.live();
    if (qpos.length !== this.nq)
      throw new QscapeError(`MujocoSim.setState: qpos has length ${qpos.length}, nq is ${this.nq}`);
    if (qvel.length !== this.nv)
      throw new QscapeError(`MujocoSim.setState: qvel has length ${qvel.length}, nv is ${this.nv}`);
    const qp = this.view("qpos");
    const qv = this.view("qvel");
    for (let i = 0; i < this.nq; i++) qp[i] = qpos[i] as number;
    for (let i = 0; i < this.nv; i++) qv[i] = qvel[i] as number;
    this.mj.mj_forward(model, data);
  }

  /** `mj_resetData` (default pose, zero velocity, time 0, zero ctrl) followed by `mj_forward`. */
  reset(): void {
    const { model, data } = this.live();
    this.mj.mj_resetData(model, data);
    this.mj.mj_forward(model, data);
  }

  /** A copy of an `MjData` array; pass `out` (right length) to reuse a buffer. */
  read(field: SimField, out?: Float64Array): Float64Array;
  read(field: SimField, out: Float32Array): Float32Array;
  read(field: SimField, out?: Float64Array | Float32Array): Float64Array | Float32Array {
    const view = this.view(field);
    if (out === undefined) return Float64Array.from(view);
    if (out.length !== view.length) {
      throw new QscapeError(`MujocoSim.read(${field}): out has length ${out.length}, expected ${view.length}`);
    }
    out.set(view);
    return out;
  }

  /** One element of an `MjData` array without copying the whole array. */
  at(field: SimField, index: number): number {
    const view = this.view(field);
    if (index < 0 || index >= view.length) {
      throw new QscapeError(`MujocoSim.at(${field}, ${index}): index out of range [0, ${view.length})`);
    }
    return view[index] as number;
  }

  /**
   * Sets the Cartesian wrench (force xyz, torque xyz, world frame) that the next steps apply to body `body`
   * (`MjData.xfrc_applied`); it stays until changed or `clearBodyWrenches()`. `mj_resetData` zeroes it too.
   */
  setBodyWrench(body: number, wrench: ArrayLike<number>): void {
    if (!Number.isInteger(body) || body < 0 || body >= this.nbody) {
      throw new QscapeError(`MujocoSim.setBodyWrench: body ${body} is not in [0, ${this.nbody})`);
    }
    if (wrench.length !== 6)
      throw new QscapeError(`MujocoSim.setBodyWrench: wrench has length ${wrench.length}, not 6`);
    const view = this.view("xfrc_applied");
    for (let k = 0; k < 6; k++) view[6 * body + k] = wrench[k] as number;
  }

  clearBodyWrenches(): void {
    this.view("xfrc_applied").fill(0);
  }

  /**
   * Whether any active contact involves geom `geom` (after the last step's collision detection). The
   * contact list is an Embind vector of Embind structs: each handle is `.delete()`d after reading.
   */
  touches(geom: number): boolean {
    const data = this.liveData();
    if (data.ncon === 0) return false;
    const contacts = data.contact;
    try {
      const n = Math.min(data.ncon, contacts.size());
      for (let i = 0; i < n; i++) {
        const c = contacts.get(i);
        if (!c) continue;
        const hit = c.geom1 === geom || c.geom2 === geom;
        c.delete();
        if (hit) return true;
      }
      return false;
    } finally {
      contacts.delete();
    }
  }

  /** Length of an `MjData` array for this model. */
  size(field: SimField): number {
    return this.view(field).length;
  }

  bodyId(name: string): number {
    return this.id("body", name);
  }

  geomId(name: string): number {
    return this.id("geom", name);
  }

  jointId(name: string): number {
    return this.id("joint", name);
  }

  siteId(name: string): number {
    return this.id("site", name);
  }

  actuatorId(name: string): number {
    return this.id("actuator", name);
  }

  /** Frees the MjData and MjModel. Safe to call twice; any later use throws. */
  dispose(): void {
    this.views.clear();
    this.data?.delete();
    this.model?.delete();
    this.data = null;
    this.model = null;
  }

  private id(kind: ObjectKind, name: string): number {
    const { model } = this.live();
    const obj = this.mj.mjtObj;
    const type = {
      body: obj.mjOBJ_BODY,
      geom: obj.mjOBJ_GEOM,
      joint: obj.mjOBJ_JOINT,
      site: obj.mjOBJ_SITE,
      actuator: obj.mjOBJ_ACTUATOR,
    }[kind].value;
    const id = this.mj.mj_name2id(model, type, name);
    if (id < 0) throw new QscapeError(`MujocoSim: no ${kind} named "${name}" in the model`);
    return id;
  }

  private live(): { model: MjModel; data: MjData } {
    if (this.model === null || this.data === null) throw new QscapeError("MujocoSim: used after dispose()");
    return { model: this.model, data: this.data };
  }

  private liveData(): MjData {
    if (this.data === null) throw new QscapeError("MujocoSim: used after dispose()");
    return this.data;
  }

  private view(field: SimField): Float64Array {
    const data = this.liveData();
    let view = this.views.get(field);
    // A grown heap detaches the old ArrayBuffer (byteLength 0): fetch a fresh view over the new one.
    if (view === undefined || view.buffer.byteLength === 0) {
      view = data[field] as Float64Array;
      this.views.set(field, view);
    }
    return view;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "number") return `WASM exception ${err} (see MuJoCo's stderr)`;
  return String(err);
}
