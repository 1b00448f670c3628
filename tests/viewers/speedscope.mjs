// Import Chrome trace files with speedscope's own importer, as its web app does, and print
// what it made of them: one JSON line per file,
//   {"file", "importer", "logs": [warnings and errors logged], "profiles": [{"name",
//    "slices": [{"name", "depth", "start", "end"}]}]}
// where depth 0 is a slice at the top of its track (a sibling of the other top slices).
//
//   node tests/viewers/speedscope.mjs NODE_MODULES_DIR TRACE.json...
//
// speedscope ships as one browser bundle, not a library: its importer functions are not
// exported. The driver evaluates the bundle in a vm context and hands out the Trace Event
// Format import function (the one that logs "Tried to end ...") and the lazy initialiser of
// its module, found by the shape of their code. The app's own start-up then fails for want
// of a DOM, which is expected and ignored.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const [modules, ...files] = process.argv.slice(2);
const dist = path.join(modules, 'speedscope', 'dist', 'release');
const bundle = fs.readdirSync(dist).find((f) => /^speedscope-\w+\.js$/.test(f));
if (!bundle) throw new Error(`no speedscope bundle in ${dist}`);
let src = fs.readFileSync(path.join(dist, bundle), 'utf8');

const imp = /function (\w+)\(t\)\{return \w+\(t\)\?\w+\(t\):\w+\(t\)\?\w+\(t\.traceEvents\)/.exec(src);
const builder = /let\[\w+,\w+\]=\w+\(t\),\w+=new (\w+);\w+\.setValueFormatter/.exec(src);
const init = /var \w+,(\w+)=re\(\(\)=>\{"use strict";[^}]*\["line","column","name","category"[^}]*\}\);/.exec(src);
if (!imp || !init || !builder) throw new Error(`${bundle}: trace event importer not found`);
src = src.replace(init[0], `${init[0]}globalThis.__speedscope={init:${init[1]},importTrace:${imp[1]},get Builder(){return ${builder[1]}}};`);

const logs = [];
const record = (level) => (...args) => logs.push(`${level}: ${args.join(' ')}`);
const quiet = () => {};
const sandbox = {
  console: { log: quiet, info: quiet, debug: quiet, warn: record('warn'), error: record('error') },
  setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, URL, TextDecoder,
  TextEncoder, Uint8Array, ArrayBuffer, DataView, Promise,
};
sandbox.window = sandbox;
sandbox.self = sandbox;
vm.createContext(sandbox);
process.on('unhandledRejection', () => {});
try {
  vm.runInContext(src, sandbox, { filename: bundle });
} catch {
  // the app's start-up: no DOM here
}
const ss = sandbox.__speedscope;
if (!ss) throw new Error(`${bundle}: importer not reached`);
ss.init();
// Every slice as the importer opens and closes it, zero-length ones included (a profile's
// calls leave those out): the builder's enterFrame and leaveFrame, watched.
let current = null;
const { enterFrame, leaveFrame } = ss.Builder.prototype;
ss.Builder.prototype.enterFrame = function (frame, at) {
  if (current) {
    current.stack.push(current.slices.length);
    current.slices.push({ name: frame.name, depth: current.stack.length - 1, start: at, end: null });
  }
  return enterFrame.call(this, frame, at);
};
ss.Builder.prototype.leaveFrame = function (frame, at) {
  if (current && current.stack.length) current.slices[current.stack.pop()].end = at;
  return leaveFrame.call(this, frame, at);
};
logs.length = 0; // what the start-up logged is not about our traces

for (const file of files) {
  logs.length = 0;
  const out = { file, importer: 'speedscope', logs, profiles: [] };
  try {
    const tracks = [];
    const origSetName = ss.Builder.prototype.setName;
    ss.Builder.prototype.setName = function (name) {
      current = { name, slices: [], stack: [] };
      tracks.push(current);
      return origSetName.call(this, name);
    };
    const group = ss.importTrace(JSON.parse(fs.readFileSync(file, 'utf8')));
    ss.Builder.prototype.setName = origSetName;
    current = null;
    for (const t of tracks) out.profiles.push({ name: t.name, slices: t.slices });
    if (group.profiles.length !== tracks.length) logs.push('driver: profiles not all seen');
  } catch (e) {
    logs.push(`exception: ${e && e.stack ? e.stack : e}`);
  }
  console.log(JSON.stringify(out));
}
