/** Test helper: opens a results store for writing and holds it until killed. */
import { openResults } from "../src/db/index.js";

const file = process.argv[2];
if (!file) throw new Error("usage: hold-store.ts <results.db>");
openResults(file);
process.stdout.write("held\n");
setInterval(() => {}, 1000);
