// Copies the role scripts next to the compiled code (lib/scripts), where
// src/scripts/index.ts looks for them at run time.
const fs = require("fs");
const path = require("path");

const from = path.join(__dirname, "..", "src", "scripts");
const to = path.join(__dirname, "..", "lib", "scripts");
fs.mkdirSync(to, { recursive: true });
const copied = fs.readdirSync(from).filter((f) => f.endsWith(".sh"));
for (const file of copied) fs.copyFileSync(path.join(from, file), path.join(to, file));
if (copied.length === 0) throw new Error(`no scripts in ${from}`);
console.error(`copy-assets: ${copied.length} scripts -> lib/scripts`);
