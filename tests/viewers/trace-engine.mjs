// Load Chrome trace files with Chrome DevTools' trace engine (npm @paulirish/trace_engine,
// the Performance panel's model) and print what it made of them: one JSON line per file,
//   {"file", "importer", "logs": [warnings and errors logged], "processes": [{"pid", "name",
//    "threads": [{"tid", "name", "slices": [{"name", "depth", "ts", "dur"}]}]}]}
// where depth 0 is a slice at the top of its track's tree (a sibling of the other top ones).
//
//   node tests/viewers/trace-engine.mjs NODE_MODULES_DIR TRACE.json...
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, ...files] = process.argv.slice(2);
const logs = [];
const record = (level) => (...args) => logs.push(`${level}: ${args.join(' ')}`);
console.warn = record('warn');
console.error = record('error');
if (!globalThis.DOMRect) {
  // what the engine's own analyze-trace.mjs polyfills
  globalThis.DOMRect = class DOMRect {
    constructor(x = 0, y = 0, width = 0, height = 0) {
      Object.assign(this, { x, y, width, height, left: x, top: y, right: x + width, bottom: y + height });
    }
  };
}
const Trace = await import(
  pathToFileURL(path.join(modules, '@paulirish', 'trace_engine', 'models', 'trace', 'trace.js')).href);

for (const file of files) {
  logs.length = 0;
  const out = { file, importer: 'trace_engine', logs, processes: [] };
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    const model = Trace.TraceModel.Model.createWithAllHandlers();
    await model.parse(json.traceEvents ?? json);
    const parsed = model.parsedTrace()?.data ?? model.parsedTrace();
    if (!parsed) throw new Error('no parsed trace');
    for (const [pid, proc] of parsed.Renderer.processes) {
      const p = { pid, name: parsed.Meta?.processNames?.get(pid)?.args?.name ?? proc.name ?? null, threads: [] };
      for (const [tid, thread] of proc.threads) {
        const t = { tid, name: thread.name ?? null, slices: [] };
        const walk = (nodes, depth) => {
          for (const node of nodes) {
            const e = node.entry;
            t.slices.push({ name: e.name, depth, ts: e.ts, dur: e.dur ?? 0 });
            walk(node.children, depth + 1);
          }
        };
        if (thread.tree) walk(thread.tree.roots, 0);
        p.threads.push(t);
      }
      out.processes.push(p);
    }
  } catch (e) {
    logs.push(`exception: ${e && e.stack ? e.stack : e}`);
  }
  console.log(JSON.stringify(out));
}
