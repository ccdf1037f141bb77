import { mkdir, readFile, writeFile } from 'node:fs/promises';

import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('docs/guides/text.md', () => {
  it('runs its example as written', async () => {
    const text = await readFile(new URL('docs/guides/text.md', root), 'utf8');
    const start = text.indexOf('## Example');
    const end = text.indexOf('\n## ', start + 1);
    const [code] = [
      ...text.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g),
    ].map((m) => m[1]!);
    expect(code).toBeDefined();
    const dir = new URL('test/.generated/', root);
    await mkdir(dir, { recursive: true });
    const file = new URL('text-guide.ts', dir);
    await writeFile(
      file,
      `${code!}\n` + 'export { history, prediction, restored, vocabulary };\n',
    );
    const { history, prediction, restored, vocabulary } = await import(
      /* @vite-ignore */ file.href
    );
    expect(restored.tokens).toEqual(vocabulary.tokens);
    expect(history.epochs).toHaveLength(30);
    expect(history.epochs[29].loss).toBeLessThan(history.epochs[0].loss / 2);
    expect((prediction as tf.Tensor).shape).toEqual([1, 1]);
    expect((prediction as tf.Tensor).dataSync()[0]).toBeGreaterThan(0);
  });
});
