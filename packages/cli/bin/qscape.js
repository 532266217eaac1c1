#!/usr/bin/env node
// The published entry point runs the compiled CLI; in the repository, `pnpm qscape …` runs the source.
import "../dist/main.js";
