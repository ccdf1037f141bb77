import { mkdir, readFile, writeFile } from 'node:fs/promises';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);

/** The fenced ts blocks under a README heading. */
async function snippets(heading: string): Promise<string[]> {
  const text = await readFile(new URL('README.md', root), 'utf8');
  const start = text.indexOf(`## ${heading}`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('README', () => {
  it('has a quick start that builds and trains a two-modality model as written', async () => {
    const [code] = await snippets('Quick start');
    expect(code).toBeDefined();
    const dir = new URL('test/.generated/', root);
    await mkdir(dir, { recursive: true });
    const file = new URL('quick-start.ts', dir);
    await writeFile(file, `${code}\nexport { model, history };\n`);
    const { model, history } = await import(/* @vite-ignore */ file.href);
    expect(model.inputNames).toEqual(['prices', 'table']);
    expect(history.epochs).toHaveLength(5);
    expect(history.epochs[4].loss).toBeLessThan(history.epochs[0].loss * 1.5);
    expect(tf.getBackend()).toBe('wasm');
  });
});
