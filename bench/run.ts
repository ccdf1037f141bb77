/**
 * `npm run bench`: runs every benchmark in its own process (fresh tfjs
 * state), then merges their results into bench/results/latest.json.
 */
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { machine } from './harness';

const here = fileURLToPath(new URL('.', import.meta.url));
const benches = (await readdir(here))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'harness.ts'].includes(f))
  .sort();

const merged: Record<string, unknown> = {};
for (const file of benches) {
  console.log(`\n== ${file}`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: here,
    stdio: 'inherit',
  });
  if (child.status !== 0) {
    console.error(`${file} failed with exit code ${child.status}`);
    process.exitCode = 1;
    continue;
  }
  const name = file.replace(/\.ts$/, '');
  try {
    merged[name] = JSON.parse(
      await readFile(
        new URL(`./results/${name}.json`, import.meta.url),
        'utf8',
      ),
    );
  } catch {
    merged[name] = null;
  }
}
await writeFile(
  new URL('./results/latest.json', import.meta.url),
  `${JSON.stringify({ machine: machine(), benches: merged }, null, 2)}\n`,
);
console.log('\nWrote bench/results/latest.json');
