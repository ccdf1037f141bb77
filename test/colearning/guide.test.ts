import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

/** The fenced ts blocks under a heading of the co-learning guide. */
async function snippets(heading: string): Promise<string[]> {
  const text = await readFile(
    new URL('docs/guides/colearning.md', root),
    'utf8',
  );
  const start = text.indexOf(`## ${heading}`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('docs/guides/colearning.md', () => {
  it('has a runnable example that works as written', async () => {
    const [code] = await snippets('A runnable example');
    expect(code).toBeDefined();
    const dir = new URL('test/.generated/', root);
    await mkdir(dir, { recursive: true });
    // Resolve 'modalfuse' to the sources of the names the guide uses.
    const src = (path: string) => fileURLToPath(new URL(`src/${path}`, root));
    const shim = new URL('colearning-guide-modalfuse.ts', dir);
    await writeFile(
      shim,
      `export * from '${src('colearning/index.ts')}';\n` +
        `export * from '${src('model/index.ts')}';\n` +
        `export { Random } from '${src('internal/random.ts')}';\n`,
    );
    const file = new URL('colearning-guide.ts', dir);
    const body = code!
      .replace("from 'modalfuse'", "from './colearning-guide-modalfuse'")
      .replace(/console\.log\([^;]*\);\n/, '');
    await writeFile(file, `${body}\nexport { co, history, stop, a, b };\n`);
    const { co, history, stop, a, b } = await import(
      /* @vite-ignore */ file.href
    );
    expect(stop).toBe('maxRounds');
    expect(history).toHaveLength(16);
    const first = history[0].combined.accuracy;
    const last = history.at(-1).combined.accuracy;
    // As the guide says: 0.74 → 0.915.
    expect(first).toBeCloseTo(0.74, 2);
    expect(last).toBeCloseTo(0.915, 2);
    co.dispose();
    tf.dispose([a, b]);
  });
});
