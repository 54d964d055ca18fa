// Summarize MCP conformance results written by `conformance server ... -o DIR`.
//
// Usage: conformance/node conformance/summarize.mjs [--results DIR] [--expected-failures FILE]
//
// Layout read (as produced by run-server-suites.sh):
//   DIR/2025-11-25/server-<scenario>-<timestamp>/checks.json     (--requirements 2025-11-25)
//   DIR/2026-07-28/server-<scenario>-<timestamp>/checks.json     (--requirements 2026-07-28)
//   DIR/pending/<scenario>@<wire>/server-<scenario>-<timestamp>/checks.json   (single --scenario runs)
//
// A scenario PASSES when none of its checks has status FAILURE (WARNING/INFO/SKIPPED do not fail it).
// The scored set per revision is read from the installed package's requirements/<rev>.yaml.
// Exit status: 0 = every scored scenario passed (or failed and is listed in the expected-failures
// baseline); 1 = an unexpected scored failure, a stale baseline entry, or a missing results dir;
// 2 = usage error. Pending and not_scored scenarios are reported but never affect the exit status.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const REVISIONS = ['2025-11-25', '2026-07-28'];

function usage(msg) {
  if (msg) console.error(`summarize.mjs: ${msg}`);
  console.error('usage: summarize.mjs [--results DIR] [--expected-failures FILE]');
  process.exit(2);
}

const args = process.argv.slice(2);
let resultsDir = join(here, 'results');
let baselineFile = join(here, 'expected-failures.yml');
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--results') resultsDir = args[++i] ?? usage('--results needs a value');
  else if (a === '--expected-failures') baselineFile = args[++i] ?? usage('--expected-failures needs a value');
  else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument ${a}`);
}
resultsDir = resolve(resultsDir);

// ---------------------------------------------------------------------------------------------
function loadRequirements(rev) {
  const file = join(here, 'node_modules/@modelcontextprotocol/conformance/requirements', `${rev}.yaml`);
  const doc = YAML.parse(readFileSync(file, 'utf8'));
  const notScored = (doc.not_scored ?? []).filter((e) => e.leg === 'server');
  return { scored: doc.server ?? [], notScored };
}

/** Baseline for a revision: `<base>.<rev>.yml` next to the main file wins if it exists. */
function loadBaseline(rev) {
  const perRev = baselineFile.replace(/\.ya?ml$/, '') + `.${rev}.yml`;
  const file = existsSync(perRev) ? perRev : baselineFile;
  if (!existsSync(file)) return { file: null, whole: new Set(), checks: new Map() };
  const doc = YAML.parse(readFileSync(file, 'utf8')) ?? {};
  const whole = new Set();
  const checks = new Map();
  for (const raw of doc.server ?? []) {
    const entry = String(raw);
    const i = entry.indexOf(':');
    if (i === -1) whole.add(entry);
    else {
      const [scenario, id] = [entry.slice(0, i), entry.slice(i + 1)];
      if (!checks.has(scenario)) checks.set(scenario, new Set());
      checks.get(scenario).add(id);
    }
  }
  return { file, whole, checks };
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Latest `server-<scenario>-<timestamp>/checks.json` in dir, or null. */
function findChecks(dir, scenario) {
  if (!existsSync(dir)) return null;
  const re = new RegExp(`^server-${escapeRe(scenario)}-\\d{4}-\\d\\d-\\d\\dT[\\d-]+Z$`);
  const hits = readdirSync(dir).filter((d) => re.test(d) && statSync(join(dir, d)).isDirectory()).sort();
  for (let k = hits.length - 1; k >= 0; k--) {
    const f = join(dir, hits[k], 'checks.json');
    if (existsSync(f)) return f;
  }
  return null;
}

function score(file) {
  if (!file) return { missing: true, passed: 0, failed: 1, warnings: 0, failures: ['no results (scenario did not run or crashed)'], failedIds: new Set(), statusById: new Map() };
  let checks;
  try {
    checks = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { missing: true, passed: 0, failed: 1, warnings: 0, failures: [`unreadable checks.json: ${e.message}`], failedIds: new Set(), statusById: new Map() };
  }
  const r = { missing: false, passed: 0, failed: 0, warnings: 0, failures: [], failedIds: new Set(), statusById: new Map() };
  for (const c of checks) {
    if (c.status === 'SUCCESS') r.passed++;
    else if (c.status === 'FAILURE') {
      r.failed++;
      r.failedIds.add(c.id);
      r.failures.push(`[${c.id}] ${c.errorMessage ?? c.description ?? ''}`.trim());
    } else if (c.status === 'WARNING') r.warnings++;
    // worst status per id (FAILURE > WARNING > SUCCESS > others)
    const rank = { FAILURE: 3, WARNING: 2, SUCCESS: 1 };
    const prev = r.statusById.get(c.id);
    if (!prev || (rank[c.status] ?? 0) > (rank[prev] ?? 0)) r.statusById.set(c.id, c.status);
  }
  return r;
}

const line = (s) => `${s.passed} passed, ${s.failed} failed, ${s.warnings} warnings`;

// ---------------------------------------------------------------------------------------------
const machine = [];
let exitCode = 0;

for (const rev of REVISIONS) {
  const dir = join(resultsDir, rev);
  const { scored, notScored } = loadRequirements(rev);
  const baseline = loadBaseline(rev);
  console.log(`\n=== ${rev} (requirements set; ${scored.length} scored server scenarios) ===`);
  if (!existsSync(dir)) {
    console.log(`  (no results directory ${dir})`);
    machine.push(`CONFORMANCE ${rev} scored: passed 0/${scored.length} (NOT RUN)`);
    exitCode = 1;
    continue;
  }
  let passed = 0;
  const unexpected = [];
  const expected = [];
  const stale = [];
  for (const scenario of scored) {
    const s = score(findChecks(dir, scenario));
    const ok = s.failed === 0;
    if (ok) passed++;
    console.log(`  ${ok ? '✓' : '✗'} ${scenario}: ${line(s)}${s.missing ? ' (NO RESULTS)' : ''}`);
    if (!ok) for (const f of s.failures) console.log(`      ${f}`);
    // baseline judgement (FAILURE-only; warnings never fail our gate)
    if (baseline.whole.has(scenario)) {
      (ok ? stale : expected).push(scenario);
    } else if (baseline.checks.has(scenario)) {
      const allowed = baseline.checks.get(scenario);
      for (const id of s.failedIds) (allowed.has(id) ? expected : unexpected).push(`${scenario}:${id}`);
      if (s.missing) unexpected.push(scenario);
      for (const id of allowed) if (s.statusById.get(id) === 'SUCCESS') stale.push(`${scenario}:${id}`);
    } else if (!ok) unexpected.push(scenario);
  }
  // The tasks extension's scenarios are not scored, but reported as one set beside the scored ones.
  const tasks = { scenarios: 0, clean: 0, passed: 0, failed: 0, warnings: 0 };
  for (const e of notScored) {
    const s = score(findChecks(dir, e.scenario));
    console.log(`  - ${e.scenario} [not scored: ${e.reason}]: ${line(s)}${s.missing ? ' (NO RESULTS)' : ''}`);
    if (s.failed) for (const f of s.failures) console.log(`      ${f}`);
    machine.push(`NOTSCORED ${e.scenario} ${rev} (${e.reason}): ${line(s)}${s.missing ? ' (no results)' : ''}`);
    if (e.scenario.startsWith('tasks-')) {
      tasks.scenarios++;
      if (s.failed === 0) tasks.clean++;
      tasks.passed += s.passed;
      tasks.failed += s.failed;
      tasks.warnings += s.warnings;
    }
  }
  if (tasks.scenarios) {
    machine.push(`CONFORMANCE ${rev} extension tasks (not scored): ${tasks.clean}/${tasks.scenarios} scenarios ` +
      `without failure; ${tasks.passed} passed, ${tasks.failed} failed, ${tasks.warnings} warnings`);
  }
  if (expected.length) console.log(`  expected failures (${baseline.file}): ${expected.join(', ')}`);
  if (stale.length) console.log(`  STALE baseline entries (now passing, remove them): ${stale.join(', ')}`);
  if (unexpected.length) console.log(`  UNEXPECTED failures: ${unexpected.join(', ')}`);
  if (unexpected.length || stale.length) exitCode = 1;
  machine.unshift(`CONFORMANCE ${rev} scored: passed ${passed}/${scored.length}` +
    (expected.length ? ` (${expected.length} expected failure(s) baselined)` : ''));
}

// Pending scenarios run individually on their wire.
const pendingDir = join(resultsDir, 'pending');
if (existsSync(pendingDir)) {
  console.log('\n=== pending scenarios (reported, never scored) ===');
  for (const d of readdirSync(pendingDir).sort()) {
    const m = /^(.+)@(\d{4}-\d\d-\d\d)$/.exec(d);
    if (!m) continue;
    const [, scenario, wire] = m;
    const s = score(findChecks(join(pendingDir, d), scenario));
    console.log(`  ${s.failed === 0 ? '✓' : '✗'} ${scenario} @ ${wire}: ${line(s)}${s.missing ? ' (NO RESULTS)' : ''}`);
    for (const f of s.failures) console.log(`      ${f}`);
    machine.push(`PENDING ${scenario} ${wire}: ${line(s)}${s.missing ? ' (no results)' : ''}`);
  }
}

// Machine-readable block: CONFORMANCE lines first (in revision order), then the rest.
const conf = machine.filter((l) => l.startsWith('CONFORMANCE ')).sort();
const rest = machine.filter((l) => !l.startsWith('CONFORMANCE '));
console.log('\n--- BEGIN CONFORMANCE SUMMARY ---');
for (const l of [...conf, ...rest]) console.log(l);
console.log(`RESULT ${exitCode === 0 ? 'PASS' : 'FAIL'}`);
console.log('--- END CONFORMANCE SUMMARY ---');
process.exit(exitCode);
