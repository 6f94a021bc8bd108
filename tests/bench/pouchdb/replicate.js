#!/usr/bin/env node
// The PouchDB peer of tests/bench/bench_command_sync.py.
//
//   node replicate.js --docs FILE.ndjson [--runs 3] [--modes tuned,default] [--work DIR]
//
// Starts pouchdb-server (its own process, LevelDB on disk, like a real CouchDB-style
// centre), fills its database `requests` with the documents of FILE (one JSON
// document a line: a request with its history entries inside, written by the Python
// benchmark from the very rows it syncs), then, for each run and each mode, times
// the replication of the whole database into a fresh local PouchDB (LevelDB on
// disk) until it completes, checks the local doc_count, and destroys it.
//
//   tuned:   {batch_size: 500, batches_limit: 10}
//   default: PouchDB's own defaults (batch_size 100, batches_limit 10)
//
// Prints one JSON object on stdout: seconds per mode per run, the CPU seconds of
// this process and of pouchdb-server per run, the fill time, the versions, and the
// node process's peak RSS during replication. Progress lines go
// to stderr.

"use strict";

const { spawn } = require("child_process");
const fs = require("fs");
const net = require("net");
const os = require("os");
const path = require("path");
const readline = require("readline");

const PouchDB = require("pouchdb");

const MODES = {
  tuned: { batch_size: 500, batches_limit: 10 },
  default: {},
};

function parseArgs(argv) {
  const args = { runs: 3, modes: ["tuned", "default"], work: null, docs: null };
  for (let i = 2; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case "--docs": args.docs = value; i++; break;
      case "--runs": args.runs = parseInt(value, 10); i++; break;
      case "--modes": args.modes = value.split(",").filter(Boolean); i++; break;
      case "--work": args.work = value; i++; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!args.docs) throw new Error("--docs FILE.ndjson is required");
  for (const mode of args.modes) {
    if (!(mode in MODES)) throw new Error(`unknown mode ${mode} (tuned, default)`);
  }
  return args;
}

function log(message) {
  process.stderr.write(`[pouchdb] ${message}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(base, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`pouchdb-server exited with ${child.exitCode}`);
    try {
      const response = await fetch(base + "/");
      if (response.ok) return;
    } catch (_) {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("pouchdb-server did not answer within 60 s");
}

async function fill(remote, file) {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let batch = [];
  let count = 0;
  for await (const line of lines) {
    if (!line) continue;
    batch.push(JSON.parse(line));
    if (batch.length === 2000) {
      await bulk(remote, batch);
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length) {
    await bulk(remote, batch);
    count += batch.length;
  }
  return count;
}

async function bulk(remote, docs) {
  const results = await remote.bulkDocs(docs);
  const failed = results.filter((r) => r.error);
  if (failed.length) throw new Error(`bulkDocs failed: ${JSON.stringify(failed[0])}`);
}

// CPU seconds (user + system) process `pid` has used so far (Linux /proc; 0 elsewhere).
function cpuSecondsOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(")").pop().trim().split(/\s+/);
    return (Number(fields[11]) + Number(fields[12])) / 100;  // USER_HZ, 100 on Linux
  } catch (_) {
    return 0;
  }
}

async function replicateOnce(remote, folder, options, expected, serverPid) {
  const local = new PouchDB(folder);
  const cpuStarted = process.cpuUsage();
  const serverCpuStarted = cpuSecondsOf(serverPid);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 100);
  const started = process.hrtime.bigint();
  try {
    const result = await local.replicate.from(remote, options);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const serverCpuSeconds = cpuSecondsOf(serverPid) - serverCpuStarted;
    const info = await local.info();
    if (!result.ok || info.doc_count !== expected) {
      throw new Error(`replication incomplete: ok=${result.ok}, ${info.doc_count} of ${expected} docs`);
    }
    return { seconds, peakRss: peak, cpuSeconds, serverCpuSeconds };
  } finally {
    clearInterval(sampler);
    await local.destroy();
  }
}

function versionOf(name) {
  return require(path.join(name, "package.json")).version;
}

async function main() {
  const args = parseArgs(process.argv);
  const work = args.work || fs.mkdtempSync(path.join(os.tmpdir(), "daftar-pouchdb-"));
  const ownWork = !args.work;
  const serverDir = path.join(work, "server");
  fs.mkdirSync(serverDir, { recursive: true });
  const port = await freePort();
  const serverBin = require.resolve("pouchdb-server/bin/pouchdb-server");
  const server = spawn(process.execPath, [serverBin, "--port", String(port), "--host", "127.0.0.1",
    "--dir", serverDir, "--config", path.join(serverDir, "config.json"), "--no-stdout-logs"],
  { cwd: serverDir, stdio: ["ignore", "ignore", "inherit"] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForServer(base, server);
    const remote = new PouchDB(`${base}/requests`);
    const fillStarted = process.hrtime.bigint();
    const count = await fill(remote, args.docs);
    const fillSeconds = Number(process.hrtime.bigint() - fillStarted) / 1e9;
    log(`pouchdb-server filled with ${count} documents in ${fillSeconds.toFixed(1)} s`);
    const seconds = Object.fromEntries(args.modes.map((m) => [m, []]));
    const peakRss = Object.fromEntries(args.modes.map((m) => [m, 0]));
    const cpuSeconds = Object.fromEntries(args.modes.map((m) => [m, []]));
    const serverCpuSeconds = Object.fromEntries(args.modes.map((m) => [m, []]));
    for (let run = 0; run < args.runs; run++) {
      for (const mode of args.modes) {  // interleaved: both modes meet the same load
        const result = await replicateOnce(remote, path.join(work, `local-${mode}-${run}`),
          MODES[mode], count, server.pid);
        seconds[mode].push(result.seconds);
        cpuSeconds[mode].push(result.cpuSeconds);
        serverCpuSeconds[mode].push(result.serverCpuSeconds);
        peakRss[mode] = Math.max(peakRss[mode], result.peakRss);
        log(`${mode} run ${run + 1}: ${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(2)} s, ` +
          `pouchdb-server CPU ${result.serverCpuSeconds.toFixed(2)} s); load average ` +
          `${os.loadavg()[0].toFixed(1)}`);
      }
    }
    process.stdout.write(JSON.stringify({
      docs: count, fill_seconds: fillSeconds, seconds, cpu_seconds: cpuSeconds,
      server_cpu_seconds: serverCpuSeconds, options: MODES,
      peak_rss_mb: Object.fromEntries(Object.entries(peakRss).map(([m, v]) => [m, v / 2 ** 20])),
      versions: { node: process.versions.node, pouchdb: versionOf("pouchdb"),
        "pouchdb-server": versionOf("pouchdb-server") },
    }) + "\n");
  } finally {
    server.kill("SIGTERM");
    await new Promise((resolve) => (server.exitCode !== null ? resolve() : server.once("exit", resolve)));
    if (ownWork) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`[pouchdb] error: ${error.stack || error}\n`);
  process.exit(1);
});
