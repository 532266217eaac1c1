/**
 * SQLite schema of the results store. One row per run; evaluations keep the raw per-episode
 * returns (every aggregate is recomputed from them); metrics are long-format (run, step, name,
 * value); timings hold per-phase totals. `split_evaluations` holds the same evaluations made with
 * another action split (unseen test actions, new-actions §A8 / AGILE §B6) beside the training one.
 *
 * Version 2 added `split_evaluations`; a version-1 store gains it (and nothing else changes) the
 * first time a writer opens it.
 */
export const SCHEMA_VERSION = 2;
export const FORMAT_NAME = "qscape-results";

export const SPLIT_EVALUATIONS_SQL = `
CREATE TABLE split_evaluations (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  split TEXT NOT NULL,
  step INTEGER NOT NULL,
  episode_returns TEXT NOT NULL,
  mean_return REAL NOT NULL,
  success REAL,
  PRIMARY KEY (run_id, split, step)
);`;

export const SCHEMA_SQL = `
CREATE TABLE qscape_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE suites (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  protocol TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  suite TEXT NOT NULL REFERENCES suites(name),
  algo TEXT NOT NULL,
  env TEXT NOT NULL,
  seed INTEGER NOT NULL,
  config TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  backend TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'finished', 'failed')),
  error TEXT,
  started_at TEXT,
  finished_at TEXT,
  wall_clock_s REAL,
  counters TEXT NOT NULL DEFAULT '{}',
  UNIQUE (suite, algo, env, seed, config_hash)
);
CREATE TABLE evaluations (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  episode_returns TEXT NOT NULL,
  mean_return REAL NOT NULL,
  success REAL,
  PRIMARY KEY (run_id, step)
);
${SPLIT_EVALUATIONS_SQL}
CREATE TABLE metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (run_id, name, step)
);
CREATE TABLE timings (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  phase TEXT NOT NULL,
  seconds REAL NOT NULL,
  calls INTEGER NOT NULL,
  PRIMARY KEY (run_id, phase)
);
CREATE INDEX runs_by_suite ON runs (suite, status);
`;
