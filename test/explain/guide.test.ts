import { mkdir, readFile, writeFile } from 'node:fs/promises';

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('the explaining guide', () => {
  it('runs its first snippet as written and draws three pictures', async () => {
    const text = await readFile(
      new URL('docs/guides/explaining.md', root),
      'utf8',
    );
    const code = /```ts\n([\s\S]*?)```/.exec(text)?.[1];
    expect(code).toBeDefined();
    const dir = new URL('test/.generated/', root);
    await mkdir(dir, { recursive: true });
    const file = new URL('explaining-guide.ts', dir);
    await writeFile(
      file,
      `${code!.replace("from 'modalfuse'", "from '../explain/modalfuse-shim'")}\n` +
        'export { pictures, parts, cells, cam };\n',
    );
    const before = tf.memory().numTensors;
    const { pictures, parts, cells, cam } = await import(
      /* @vite-ignore */ file.href
    );
    expect(tf.getBackend()).toBe('wasm');
    expect(parts.labels).toEqual(['chart', 'price']);
    expect(cells.shape).toEqual([20, 13]);
    expect(cam.mapShape).toEqual([64, 64]);
    for (const svg of Object.values(pictures)) {
      expect(svg).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
    }
    // The snippet disposes what it made (the model's weights remain).
    expect(tf.memory().numTensors - before).toBeLessThan(20);
    await tf.setBackend('cpu');
  });
});
