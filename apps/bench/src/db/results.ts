import { createHash } from "node:crypto";
import { closeSync, existsSync, openSync, readSync, rmdirSync, statSync } from "node:fs";
import { QscapeError } from "@qscape/core";
import Database from "better-sqlite3";
import type { z } from "zod";
import { OwnerLock } from "./lock.js";
import { FORMAT_NAME, SCHEMA_SQL, SCHEMA_VERSION, SPLIT_EVALUATIONS_SQL } from "./schema.js";
import {
  type EvaluationInput,
  type EvaluationRecord,
  type LearningCurves,
  type MetricInput,
  type ParsedSuiteProtocol,
  type RunRecord,
  type RunSpec,
  RunSpecSchema,
  type RunStatus,
  type SuiteProtocol,
  SuiteProtocolSchema,
  type TimingRecord,
} from "./types.js";

type Row = Record<string, unknown>;
type SqlValue = string | number | bigint | null;

/** The file is not an intact qscape results store; it was left untouched. */
export class ResultsCorruptError extends QscapeError {}

/** What recordEval did with an evaluation. */
export type RecordOutcome = "inserted" | "already-stored" | "differs-from-stored";

/**
 * The benchmark's results store: one SQLite file (better-sqlite3: real SQLite with the operating
 * system's file locks) in WAL mode.
 *
 * - One writer: the process that schedules the runs (workers report to it over IPC). It holds an
 *   owner file `<db>.owner` naming its pid, host and start time for as long as it is open; a
 *   second writer is refused with those details, and an owner file left by a process that no
 *   longer exists (a SIGKILL) is detected and replaced.
 * - Any number of readers, at any time, also other programs (`sqlite3 results.db`, pandas): WAL
 *   readers never block the writer and never see half a transaction.
 * - No transaction or statement stays open between writes; every multi-row write is one
 *   transaction, committed with synchronous=FULL, so a kill leaves whole evaluations or none.
 */
export class ResultsDb {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly lock: OwnerLock | null,
  ) {}

  /** Opens (or creates) a store; see openResults. */
  static open(path: string, options: { readonly?: boolean } = {}): ResultsDb {
    const readonly = options.readonly ?? false;
    const existing = existsSync(path) && statSync(path).size > 0;
    if (readonly && !existing) throw new QscapeError(`results store ${path}: no such file`);
    if (existing) assertSqliteHeader(path);
    const lock = readonly ? null : OwnerLock.acquire(`${path}.owner`, `results store ${path}`);
    let db: Database.Database | undefined;
    try {
      removeWasmLockDir(path);
      try {
        db = new Database(path, { readonly, fileMustExist: existing, timeout: 10_000 });
      } catch (e) {
        throw new QscapeError(`results store ${path}: cannot open (${(e as Error).message})`);
      }
      if (existing) verifyExisting(db, path, readonly);
      if (!readonly) {
        // Checked before the first write, so a file that is not ours is never modified.
        db.pragma("journal_mode = WAL");
        db.pragma("synchronous = FULL");
        if (!existing) initialise(db);
      }
      db.pragma("foreign_keys = ON");
      return new ResultsDb(db, path, lock);
    } catch (e) {
      db?.close();
      lock?.release();
      throw e;
    }
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
    this.lock?.release();
  }

  /**
   * Runs fn in a transaction (a savepoint when nested): everything it wrote is rolled back if it
   * throws, and the error is rethrown.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ---- suites ----

  /**
   * Creates a suite or checks that an existing one has the same protocol: a suite's matched budget
   * must not drift between invocations.
   */
  ensureSuite(name: string, options: { protocol: SuiteProtocol; description?: string }): ParsedSuiteProtocol {
    const protocol = parse(SuiteProtocolSchema, options.protocol, `suite '${name}' protocol`);
    const existing = this.get("SELECT protocol FROM suites WHERE name = ?", [name]);
    const json = canonicalJson(protocol);
    if (existing) {
      if (
        existing.protocol !== json &&
        protocolGrows(
          parse(SuiteProtocolSchema, JSON.parse(existing.protocol as string), `suite '${name}' stored protocol`),
          protocol,
        )
      ) {
        // More seeds or envs: the stored runs' protocol is unchanged, so the suite takes the larger one.
        this.run("UPDATE suites SET protocol = ? WHERE name = ?", [json, name]);
        return protocol;
      }
      if (existing.protocol !== json) {
        throw new QscapeError(
          `suite '${name}' already exists with protocol ${existing.protocol}; refusing to change it to ${json} (use a new suite name)`,
        );
      }
      return protocol;
    }
    this.run("INSERT INTO suites (name, description, protocol, created_at) VALUES (?, ?, ?, ?)", [
      name,
      options.description ?? "",
      json,
      new Date().toISOString(),
    ]);
    return protocol;
  }

  suite(name: string): { name: string; description: string; protocol: ParsedSuiteProtocol; createdAt: string } {
    const row = this.get("SELECT * FROM suites WHERE name = ?", [name]);
    if (!row)
      throw new QscapeError(
        `results store ${this.path}: no suite named '${name}' (known: ${this.suiteNames().join(", ") || "none"})`,
      );
    return {
      name,
      description: row.description as string,
      protocol: JSON.parse(row.protocol as string) as ParsedSuiteProtocol,
      createdAt: row.created_at as string,
    };
  }

  suiteNames(): string[] {
    return this.all("SELECT name FROM suites ORDER BY name").map((r) => r.name as string);
  }

  // ---- runs ----

  /**
   * Returns the run for (suite, algo, env, seed, config), creating it as 'pending' when new. An
   * existing run is returned unchanged (check `status` to skip finished ones). The suite must exist.
   */
  upsertRun(spec: RunSpec): RunRecord {
    const s = parse(RunSpecSchema, spec, "run spec");
    this.suite(s.suite);
    const configJson = canonicalJson(s.config);
    const hash = configHash(s.config);
    this.run(
      `INSERT INTO runs (suite, algo, env, seed, config, config_hash, backend, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
       ON CONFLICT (suite, algo, env, seed, config_hash) DO NOTHING`,
      [s.suite, s.algo, s.env, s.seed, configJson, hash, s.backend ?? null],
    );
    const row = this.get(
      "SELECT * FROM runs WHERE suite = ? AND algo = ? AND env = ? AND seed = ? AND config_hash = ?",
      [s.suite, s.algo, s.env, s.seed, hash],
    );
    return toRunRecord(row as Row);
  }

  getRun(id: number): RunRecord {
    const row = this.get("SELECT * FROM runs WHERE id = ?", [id]);
    if (!row) throw new QscapeError(`results store ${this.path}: no run with id ${id}`);
    return toRunRecord(row);
  }

  listRuns(suite: string, filter: { status?: RunStatus; algo?: string; env?: string } = {}): RunRecord[] {
    const rows = this.all(
      `SELECT * FROM runs WHERE suite = ? AND (? IS NULL OR status = ?) AND (? IS NULL OR algo = ?) AND (? IS NULL OR env = ?)
       ORDER BY algo, env, seed, id`,
      [
        suite,
        filter.status ?? null,
        filter.status ?? null,
        filter.algo ?? null,
        filter.algo ?? null,
        filter.env ?? null,
        filter.env ?? null,
      ],
    );
    return rows.map(toRunRecord);
  }

  /**
   * Starts or resumes a run: status 'running', the backend it runs on, no error. What an earlier
   * attempt stored (evaluations, metrics, timings) is kept: a resumed run continues it.
   */
  markRunning(runId: number, options: { backend?: string } = {}): void {
    this.getRun(runId);
    this.run(
      `UPDATE runs SET status = 'running', backend = COALESCE(?, backend), error = NULL,
       started_at = COALESCE(started_at, ?), finished_at = NULL WHERE id = ?`,
      [options.backend ?? null, new Date().toISOString(), runId],
    );
  }

  /** A run stopped on request (Ctrl-C) after its checkpoint: pending again, resumed by the next invocation. */
  markInterrupted(runId: number): void {
    this.getRun(runId);
    this.run("UPDATE runs SET status = 'pending' WHERE id = ?", [runId]);
  }

  markFinished(runId: number, result: { wallClockS: number; counters?: Record<string, number> }): void {
    this.finish(runId, "finished", null, result);
  }

  markFailed(
    runId: number,
    error: unknown,
    result: { wallClockS?: number; counters?: Record<string, number> } = {},
  ): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.finish(runId, "failed", message, result);
  }

  private finish(
    runId: number,
    status: RunStatus,
    error: string | null,
    result: { wallClockS?: number; counters?: Record<string, number> },
  ): void {
    const run = this.getRun(runId);
    if (result.wallClockS !== undefined) checkFinite(result.wallClockS, `run ${runId} wallClockS`);
    for (const [k, v] of Object.entries(result.counters ?? {})) checkFinite(v, `run ${runId} counter '${k}'`);
    this.run("UPDATE runs SET status = ?, error = ?, finished_at = ?, wall_clock_s = ?, counters = ? WHERE id = ?", [
      status,
      error,
      new Date().toISOString(),
      result.wallClockS ?? null,
      JSON.stringify({ ...run.counters, ...result.counters }),
      runId,
    ]);
  }

  /** Keys (see runKey) of the suite's finished runs, so a resumed suite can skip them. */
  finishedRunKeys(suite: string): Set<string> {
    return new Set(this.listRuns(suite, { status: "finished" }).map(runKey));
  }

  // ---- evaluations, metrics, timings ----

  /**
   * Records one evaluation (raw episode returns; the mean is derived) and, optionally, metrics
   * logged at the same step — atomically: on any error nothing of it is stored.
   *
   * A stored evaluation is never changed: a resumed run re-reaches the evaluations made after its
   * last checkpoint, and those already stored are kept as they are ("already-stored" when the
   * new one is identical, "differs-from-stored" when it is not — resume was not exact).
   */
  recordEval(runId: number, evaluation: EvaluationInput, metrics: readonly MetricInput[] = []): RecordOutcome {
    const { step, episodeReturns, success, split } = evaluation;
    if (split !== undefined && !/^[a-z][a-z0-9-]*$/.test(split))
      throw new QscapeError(
        `run ${runId} evaluation at step ${step}: split ${JSON.stringify(split)} is not a split name`,
      );
    checkStep(step, `run ${runId} evaluation`);
    if (episodeReturns.length === 0)
      throw new QscapeError(`run ${runId} evaluation at step ${step}: no episode returns`);
    episodeReturns.forEach((r, i) => {
      checkFinite(r, `run ${runId} evaluation at step ${step}: episode return ${i}`);
    });
    if (success !== undefined && !(success >= 0 && success <= 1)) {
      throw new QscapeError(`run ${runId} evaluation at step ${step}: success rate ${success} is outside [0, 1]`);
    }
    const meanReturn = episodeReturns.reduce((a, b) => a + b, 0) / episodeReturns.length;
    const returnsJson = JSON.stringify(episodeReturns);
    // The training split's evaluations (the run's score) and other splits' live in separate tables.
    const [table, where, key] =
      split === undefined
        ? (["evaluations", "run_id = ? AND step = ?", [runId, step]] as const)
        : (["split_evaluations", "run_id = ? AND split = ? AND step = ?", [runId, split, step]] as const);
    return this.transaction(() => {
      const stored = this.get(`SELECT episode_returns, success FROM ${table} WHERE ${where}`, [...key]);
      if (stored) {
        this.insertMetrics(runId, metrics, { skipExisting: true });
        return stored.episode_returns === returnsJson && (stored.success ?? null) === (success ?? null)
          ? "already-stored"
          : "differs-from-stored";
      }
      if (split === undefined)
        this.run(
          "INSERT INTO evaluations (run_id, step, episode_returns, mean_return, success) VALUES (?, ?, ?, ?, ?)",
          [runId, step, returnsJson, meanReturn, success ?? null],
        );
      else
        this.run(
          "INSERT INTO split_evaluations (run_id, split, step, episode_returns, mean_return, success) VALUES (?, ?, ?, ?, ?, ?)",
          [runId, split, step, returnsJson, meanReturn, success ?? null],
        );
      this.insertMetrics(runId, metrics);
      return "inserted";
    });
  }

  /**
   * Records a batch of metrics in one transaction; a (name, step) may be logged once per run. With
   * skipExisting (a resumed run re-logging steps after its checkpoint) stored values are kept.
   */
  recordMetrics(runId: number, metrics: readonly MetricInput[], options: { skipExisting?: boolean } = {}): void {
    this.transaction(() => this.insertMetrics(runId, metrics, options));
  }

  private insertMetrics(
    runId: number,
    metrics: readonly MetricInput[],
    options: { skipExisting?: boolean } = {},
  ): void {
    const conflict = options.skipExisting ? " ON CONFLICT (run_id, name, step) DO NOTHING" : "";
    for (const m of metrics) {
      checkStep(m.step, `run ${runId} metric '${m.name}'`);
      checkFinite(m.value, `run ${runId} metric '${m.name}' at step ${m.step}`);
      try {
        this.run(`INSERT INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)${conflict}`, [
          runId,
          m.step,
          m.name,
          m.value,
        ]);
      } catch (e) {
        throw new QscapeError(`run ${runId} metric '${m.name}' at step ${m.step}: ${(e as Error).message}`);
      }
    }
  }

  /** Adds seconds (and one call each) to per-phase totals, e.g. { env: 1.2, update: 3.4 }. */
  recordTimings(runId: number, secondsByPhase: Readonly<Record<string, number>>): void {
    const upsert = `INSERT INTO timings (run_id, phase, seconds, calls) VALUES (?, ?, ?, 1)
       ON CONFLICT (run_id, phase) DO UPDATE SET seconds = seconds + excluded.seconds, calls = calls + 1`;
    this.transaction(() => {
      for (const [phase, seconds] of Object.entries(secondsByPhase)) {
        checkFinite(seconds, `run ${runId} timing '${phase}'`);
        this.run(upsert, [runId, phase, seconds]);
      }
    });
  }

  /** A run's evaluations on its training env, or with `split` those made on that action split. */
  evaluations(runId: number, split?: string): EvaluationRecord[] {
    const rows =
      split === undefined
        ? this.all("SELECT * FROM evaluations WHERE run_id = ? ORDER BY step", [runId])
        : this.hasSplitTable()
          ? this.all("SELECT * FROM split_evaluations WHERE run_id = ? AND split = ? ORDER BY step", [runId, split])
          : [];
    return rows.map((r) => ({
      step: r.step as number,
      episodeReturns: JSON.parse(r.episode_returns as string) as number[],
      meanReturn: r.mean_return as number,
      success: (r.success as number | null) ?? null,
    }));
  }

  /** The action splits (besides training) the suite's runs were also evaluated on, sorted. */
  evaluationSplits(suite: string): string[] {
    if (!this.hasSplitTable()) return [];
    return this.all(
      "SELECT DISTINCT e.split FROM split_evaluations e JOIN runs r ON r.id = e.run_id WHERE r.suite = ? ORDER BY e.split",
      [suite],
    ).map((r) => r.split as string);
  }

  /** A version-1 store opened read-only has no split table (a writer adds it on open). */
  private hasSplitTable(): boolean {
    return (
      this.get("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = 'split_evaluations'", []) !== null
    );
  }

  metrics(runId: number, name?: string): MetricInput[] {
    return this.all(
      "SELECT step, name, value FROM metrics WHERE run_id = ? AND (? IS NULL OR name = ?) ORDER BY name, step",
      [runId, name ?? null, name ?? null],
    ).map((r) => ({ step: r.step as number, name: r.name as string, value: r.value as number }));
  }

  /** The distinct metric names a run has logged, sorted. */
  metricNames(runId: number): string[] {
    return this.all("SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name", [runId]).map(
      (r) => r.name as string,
    );
  }

  timings(runId: number): TimingRecord[] {
    return this.all("SELECT phase, seconds, calls FROM timings WHERE run_id = ? ORDER BY phase", [runId]).map((r) => ({
      phase: r.phase as string,
      seconds: r.seconds as number,
      calls: r.calls as number,
    }));
  }

  // ---- queries for the statistics ----

  /** Algorithms and envs with at least one finished run in the suite, sorted. */
  finishedAlgosAndEnvs(suite: string): { algos: string[]; envs: string[] } {
    const runs = this.listRuns(suite, { status: "finished" });
    return { algos: [...new Set(runs.map((r) => r.algo))].sort(), envs: [...new Set(runs.map((r) => r.env))].sort() };
  }

  /**
   * Learning curves (mean evaluation return per step) of the finished runs of one (algo, env),
   * seeds × steps, restricted to the steps every seed evaluated. Throws when one seed has finished
   * runs under two configs (give them different algo labels).
   */
  /** With `score: "success"`, the curves hold each evaluation's success rate instead of its mean return. */
  /** With `split`, the curves come from the evaluations made on that action split. */
  learningCurves(
    suite: string,
    algo: string,
    env: string,
    score: "return" | "success" = "return",
    split?: string,
  ): LearningCurves {
    const runs = this.listRuns(suite, { status: "finished", algo, env });
    const seen = new Map<number, RunRecord>();
    for (const run of runs) {
      const other = seen.get(run.seed);
      if (other) {
        throw new QscapeError(
          `suite '${suite}': ${algo} on ${env} seed ${run.seed} has finished runs with configs ${other.configHash} and ${run.configHash}; give each config its own algo label`,
        );
      }
      seen.set(run.seed, run);
    }
    const scoreValue = (e: EvaluationRecord, run: RunRecord): number => {
      if (score === "return") return e.meanReturn;
      if (e.success === null)
        throw new QscapeError(`run ${run.id} (${algo} on ${env}) has an evaluation at step ${e.step} without success`);
      return e.success;
    };
    const perSeed = runs.map(
      (run) => new Map(this.evaluations(run.id, split).map((e) => [e.step, scoreValue(e, run)] as [number, number])),
    );
    const steps =
      perSeed.length === 0
        ? []
        : [...(perSeed[0] as Map<number, number>).keys()].filter((s) => perSeed.every((m) => m.has(s)));
    steps.sort((a, b) => a - b);
    return {
      algo,
      env,
      steps,
      seeds: runs.map((r) => r.seed),
      returns: perSeed.map((m) => steps.map((s) => m.get(s) as number)),
    };
  }

  // ---- low-level helpers ----

  /** A cached prepared statement; better-sqlite3 resets it after every call, so none stays open. */
  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private run(sql: string, values: SqlValue[]): void {
    this.statement(sql).run(values);
  }

  private get(sql: string, values: SqlValue[]): Row | null {
    return (this.statement(sql).get(values) as Row | undefined) ?? null;
  }

  private all(sql: string, values: SqlValue[] = []): Row[] {
    return this.statement(sql).all(values) as Row[];
  }
}

/**
 * Opens the results store at `path`, creating it (with its schema) when the file is missing or
 * empty. An existing file that is not an intact qscape results store is refused with an error and
 * left untouched. For writing, only one process at a time (see ResultsDb); `readonly` opens it
 * beside a running writer.
 */
export function openResults(path: string, options: { readonly?: boolean } = {}): ResultsDb {
  return ResultsDb.open(path, options);
}

/** Identity of a run across invocations: what finishedRunKeys returns. */
export function runKey(run: { algo: string; env: string; seed: number; configHash: string }): string {
  return `${run.algo}|${run.env}|${run.seed}|${run.configHash}`;
}

/** JSON with object keys sorted at every level, so equal configs serialise identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** First 16 hex digits of the SHA-256 of the canonical JSON of a config. */
export function configHash(config: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 16);
}

function assertSqliteHeader(path: string): void {
  const header = Buffer.alloc(16);
  const fd = openSync(path, "r");
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString("latin1") !== "SQLite format 3\0") {
    throw new ResultsCorruptError(
      `results store ${path}: not a SQLite database (bad file header); refusing to open or overwrite it`,
    );
  }
}

/** Earlier versions (a WASM SQLite without OS locks) locked with a directory `<db>.lock`; ours is gone. */
function removeWasmLockDir(path: string): void {
  try {
    rmdirSync(`${path}.lock`);
  } catch {
    // absent (or not an empty directory: not ours to remove)
  }
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

function verifyExisting(db: Database.Database, path: string, readonly: boolean): void {
  let check: string;
  let tables: string[];
  try {
    check = (db.pragma("quick_check(3)") as { quick_check: string }[])
      .map((r) => String(r.quick_check).replaceAll("\n", " | "))
      .join(" | ");
    tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
  } catch (e) {
    if (isBusy(e)) {
      throw new QscapeError(
        `results store ${path}: locked by another program for over 10 s (${(e as Error).message}); try again when it is done`,
      );
    }
    throw new ResultsCorruptError(
      `results store ${path}: corrupt SQLite file (${(e as Error).message}); left untouched`,
    );
  }
  if (check !== "ok")
    throw new ResultsCorruptError(`results store ${path}: corrupt SQLite file (quick_check: ${check}); left untouched`);
  if (tables.length === 0) {
    if (readonly) throw new QscapeError(`results store ${path}: an empty SQLite database, not a results store`);
    initialise(db);
    return;
  }
  if (!tables.includes("qscape_meta")) {
    throw new ResultsCorruptError(
      `results store ${path}: a SQLite database but not a qscape results store (tables: ${tables.join(", ")}); left untouched`,
    );
  }
  const meta = Object.fromEntries(
    (db.prepare("SELECT key, value FROM qscape_meta").all() as { key: string; value: string }[]).map((r) => [
      r.key,
      r.value,
    ]),
  );
  const version = Number(meta.schema_version);
  if (meta.format !== FORMAT_NAME || !(version === 1 || version === SCHEMA_VERSION)) {
    throw new ResultsCorruptError(
      `results store ${path}: format ${meta.format} schema ${meta.schema_version}, expected ${FORMAT_NAME} schema 1 or ${SCHEMA_VERSION}`,
    );
  }
  // Version 1 lacks only split_evaluations: a writer adds it in one transaction; a reader sees none.
  if (version === 1 && !readonly) {
    db.exec(`BEGIN; ${SPLIT_EVALUATIONS_SQL}
      UPDATE qscape_meta SET value = '${SCHEMA_VERSION}' WHERE key = 'schema_version';
      COMMIT;`);
  }
}

function initialise(db: Database.Database): void {
  db.exec(`BEGIN; ${SCHEMA_SQL}
    INSERT INTO qscape_meta (key, value) VALUES ('format', '${FORMAT_NAME}'), ('schema_version', '${SCHEMA_VERSION}');
    COMMIT;`);
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new QscapeError(
      `${what}: ${result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  }
  return result.data;
}

function checkFinite(v: number, what: string): void {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new QscapeError(`${what} is ${v}, expected a finite number`);
}

function checkStep(step: number, what: string): void {
  if (!Number.isInteger(step) || step < 0)
    throw new QscapeError(`${what}: step ${step} must be a non-negative integer`);
}

function toRunRecord(row: Row): RunRecord {
  return {
    id: Number(row.id),
    suite: row.suite as string,
    algo: row.algo as string,
    env: row.env as string,
    seed: Number(row.seed),
    config: JSON.parse(row.config as string) as Record<string, unknown>,
    configHash: row.config_hash as string,
    backend: (row.backend as string | null) ?? null,
    status: row.status as RunStatus,
    error: (row.error as string | null) ?? null,
    startedAt: (row.started_at as string | null) ?? null,
    finishedAt: (row.finished_at as string | null) ?? null,
    wallClockS: (row.wall_clock_s as number | null) ?? null,
    counters: JSON.parse(row.counters as string) as Record<string, number>,
  };
}

const BUDGETS = /^Budgets of their own: (.*?)\.(?= |$)/;
/** The envs' own budget lines of a protocol's notes ("Budgets of their own: A; B."), and the rest. */
function splitNotes(notes: string | undefined): { budgets: string[]; rest: string } {
  const m = BUDGETS.exec(notes ?? "");
  if (!m) return { budgets: [], rest: notes ?? "" };
  return { budgets: (m[1] as string).split("; "), rest: (notes ?? "").slice(m[0].length).trim() };
}

/**
 * Whether a suite stored under `stored` may continue under `next`: it may gain seeds and envs with
 * budgets of their own, and nothing its stored runs ran under may change (budget, evaluation, update
 * ratio, caps, backend, score, an env's own budget). Results of a grown suite stay comparable.
 */
export function protocolGrows(stored: ParsedSuiteProtocol, next: ParsedSuiteProtocol): boolean {
  const a = splitNotes(stored.notes);
  const b = splitNotes(next.notes);
  const fixed = (p: ParsedSuiteProtocol) => canonicalJson({ ...p, seeds: null, notes: null });
  return (
    fixed(stored) === fixed(next) &&
    stored.seeds.every((s) => next.seeds.includes(s)) &&
    a.rest === b.rest &&
    a.budgets.every((line) => b.budgets.includes(line))
  );
}
