import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

/** The fenced ts blocks under a heading of the alignment guide. */
async function snippets(heading: string): Promise<string[]> {
  const text = await readFile(
    new URL('docs/guides/alignment.md', root),
    'utf8',
  );
  const start = text.indexOf(`## ${heading}`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('docs/guides/alignment.md', () => {
  it('has a runnable example that works as written', async () => {
    const [code] = await snippets('A runnable example');
    expect(code).toBeDefined();
    const dir = new URL('test/.generated/', root);
    await mkdir(dir, { recursive: true });
    // Resolve 'modalfuse' to the sources of the names the guide uses.
    const src = (path: string) => fileURLToPath(new URL(`src/${path}`, root));
    const shim = new URL('alignment-guide-modalfuse.ts', dir);
    await writeFile(
      shim,
      `export * from '${src('alignment/index.ts')}';\n` +
        `export * from '${src('encoders/index.ts')}';\n`,
    );
    const file = new URL('alignment-guide.ts', dir);
    const body = code!
      .replace("from 'modalfuse'", "from './alignment-guide-modalfuse'")
      .replace(/console\.log\([^;]*\);\n/, '');
    await writeFile(file, `${body}\nexport { cca, corr, history, metrics };\n`);
    const before = tf.memory().numTensors;
    const { cca, corr, history, metrics } = await import(
      /* @vite-ignore */ file.href
    );
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    expect(cca.correlations[0]).toBeGreaterThan(0.9);
    expect(cca.correlations[1]).toBeGreaterThan(0.9);
    expect(cca.correlations[2]).toBeLessThan(0.3);
    expect(corr).toBeCloseTo(cca.correlations[0] + cca.correlations[1], 2);
    expect(history.epochs).toHaveLength(6);
    expect(metrics.aToB.recallAtK[1]).toBeGreaterThan(5 / 64);
    expect(metrics.bToA.medianRank).toBeLessThan(10);
  });
});
