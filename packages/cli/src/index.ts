/** `@qscape/cli` as a library: the commands behind `qscape`, for scripts and tests. */
export { algorithm, algorithms } from "./algorithms.js";
export { main } from "./cli.js";
export { UsageError } from "./errors.js";
export { describeSpace, hyperparameterHelp } from "./help.js";
export { findPreset, Preset, PresetFile, readPresetFile } from "./hyperparams.js";
export { applySets, parseSets, parseValue } from "./overrides.js";
export { EnjoyOptions, EvaluateOptions, EvaluationOutput, enjoy, evaluate } from "./policy.js";
export { EvaluationRecord, ModelMeta, paths, RunSpec, readEvaluations, resolveModel } from "./run.js";
export { planRun, TrainOptions } from "./settings.js";
export { train } from "./train.js";
