import { z } from "zod";

/**
 * What every run of a suite shares and the report states as "matched": the env-step budget, the
 * seeds, the evaluation schedule and any compute caps.
 */
export const SuiteProtocolSchema = z.object({
  envSteps: z.number().int().positive(),
  seeds: z.array(z.number().int()).min(1),
  evaluation: z.object({
    everySteps: z.number().int().positive(),
    episodes: z.number().int().positive(),
    /** Deterministic evaluation episodes (no exploration noise) or training returns. */
    deterministic: z.boolean(),
    /** Evaluation episodes sampled from the policy (a ∼ π); absent keeps older protocols unchanged. */
    sampled: z.boolean().optional(),
  }),
  /** Gradient updates per env step, when matched. */
  updatesPerStep: z.number().positive().optional(),
  /** e.g. { maxWallClockS: 3600, hiddenWidth: 64 }. */
  computeCaps: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  notes: z.string().optional(),
  /**
   * What a run's score is: the mean evaluation return, or (multi-task suites over task sets) the
   * mean success over tasks stored in each evaluation's `success`. Absent means "return" (and keeps
   * the protocols stored before this field existed unchanged).
   */
  score: z.enum(["return", "success"]).optional(),
});
export type SuiteProtocol = z.input<typeof SuiteProtocolSchema>;
export type ParsedSuiteProtocol = z.output<typeof SuiteProtocolSchema>;

export const RunSpecSchema = z.object({
  suite: z.string().min(1),
  algo: z.string().min(1),
  env: z.string().min(1),
  seed: z.number().int(),
  /** The full hyperparameter config; its hash tells configs apart. */
  config: z.record(z.string(), z.unknown()),
  backend: z.string().optional(),
});
export type RunSpec = z.input<typeof RunSpecSchema>;

export type RunStatus = "pending" | "running" | "finished" | "failed";

export interface RunRecord {
  id: number;
  suite: string;
  algo: string;
  env: string;
  seed: number;
  config: Record<string, unknown>;
  configHash: string;
  backend: string | null;
  status: RunStatus;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  wallClockS: number | null;
  /** e.g. { envSteps, updates, episodes }. */
  counters: Record<string, number>;
}

export interface EvaluationInput {
  step: number;
  episodeReturns: readonly number[];
  /** Success rate over the episodes, for tasks that define success. */
  success?: number;
  /** The action split evaluated on, when not the training env's (e.g. "test": unseen actions). */
  split?: string;
}

export interface EvaluationRecord {
  step: number;
  episodeReturns: number[];
  meanReturn: number;
  success: number | null;
}

export interface MetricInput {
  step: number;
  name: string;
  value: number;
}

export interface TimingRecord {
  phase: string;
  seconds: number;
  calls: number;
}

/** seeds × evaluations returns of one (algo, env), over finished runs, on the steps all seeds share. */
export interface LearningCurves {
  algo: string;
  env: string;
  steps: number[];
  seeds: number[];
  returns: number[][];
}
