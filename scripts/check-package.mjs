// `npm run release:check`: everything a release needs, in one command.
// Runs lint, types, the whole test suite (the browser test may not skip
// here), the API docs with validation, the real build, a check of what
// `npm pack` would publish from it, and the bundle-size benchmark; prints
// a summary and exits non-zero if any step failed. Every step runs, so
// one report shows every problem. `--only a,b` or `--skip a,b` (step
// names as in the summary) narrow it while fixing one thing.
/* global process, console */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** What may be published besides dist/. */
const TOP_LEVEL = ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'];

function sh(cmd, args, env = {}) {
  const child = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (child.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${child.status}`);
  }
}

/** Checks the files `npm pack` would publish from the fresh build. */
function checkPack() {
  const child = spawnSync(
    npm,
    ['pack', '--dry-run', '--json', '--ignore-scripts'],
    { cwd: root, encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`npm pack failed:\n${child.stderr}`);
  const paths = JSON.parse(child.stdout)[0].files.map((f) => f.path);
  const extra = paths.filter(
    (p) => !p.startsWith('dist/') && !TOP_LEVEL.includes(p),
  );
  if (extra.length) throw new Error(`unexpected files: ${extra.join(', ')}`);

  const targets = new Set();
  const walk = (v) => {
    if (typeof v === 'string') targets.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk([pkg.main, pkg.module, pkg.types, pkg.exports]);
  const missing = [...TOP_LEVEL, ...targets].filter(
    (p) => !paths.includes(p) || !existsSync(join(root, p)),
  );
  if (missing.length) {
    throw new Error(`missing from the package: ${missing.join(', ')}`);
  }
  console.log(`${paths.length} files, all expected; every entry present`);
}

const steps = [
  ['lint', () => sh(npm, ['run', 'lint'])],
  ['types', () => sh(npm, ['run', 'typecheck'])],
  [
    'tests',
    () => sh(npx, ['vitest', 'run'], { MODALFUSE_REQUIRE_BROWSER: '1' }),
  ],
  ['docs', () => sh(npm, ['run', 'docs'])],
  ['build', () => sh(npm, ['run', 'build'])],
  ['pack', checkPack],
  ['bundle-size', () => sh(npx, ['tsx', 'bench/bundle-size.ts'])],
];

const arg = (flag) => {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '').split(',');
};
const only = arg('--only');
const skip = arg('--skip') ?? [];
const unknown = [...(only ?? []), ...skip].filter(
  (n) => !steps.some(([name]) => name === n),
);
if (unknown.length) {
  console.error(`unknown steps ${unknown.join(', ')}`);
  process.exit(2);
}

const results = [];
for (const [name, step] of steps) {
  if ((only && !only.includes(name)) || skip.includes(name)) continue;
  console.log(`\n== release:check: ${name}`);
  const t0 = Date.now();
  let error;
  try {
    step();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  results.push({ name, seconds: (Date.now() - t0) / 1000, error });
}

console.log(`\n== release:check summary for ${pkg.name}@${pkg.version}`);
for (const r of results) {
  const status = r.error ? `FAILED: ${r.error}` : 'ok';
  console.log(
    `${r.name.padEnd(12)} ${r.seconds.toFixed(0).padStart(5)} s  ${status}`,
  );
}
const failed = results.filter((r) => r.error).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
