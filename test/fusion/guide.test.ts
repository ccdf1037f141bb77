import { mkdir, readFile, writeFile } from 'node:fs/promises';

import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { FUSION_KINDS } from '../../src/fusion/create-fusion';

const root = new URL('../../', import.meta.url);
const guide = () => readFile(new URL('docs/guides/fusion.md', root), 'utf8');

describe('docs/guides/fusion.md', () => {
  it('runs its example as written', async () => {
    const text = await guide();
    const start = text.indexOf('## Example');
    const end = text.indexOf('\n## ', start + 1);
    const [code] = [
      ...text.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g),
    ].map((m) => m[1]!);
    expect(code).toBeDefined();
    const dir = new URL('test/.generated/', root);
    await mkdir(dir, { recursive: true });
    const file = new URL('fusion-guide.ts', dir);
    await writeFile(file, `${code}\nexport { model, prediction };\n`);
    const { model, prediction } = await import(/* @vite-ignore */ file.href);
    expect(model.inputNames).toEqual(['news', 'presence', 'price']);
    expect((prediction as tf.Tensor).shape).toEqual([2, 1]);
  });

  it('has one line on when to use each operator', async () => {
    const text = await guide();
    for (const kind of FUSION_KINDS) {
      expect(text).toMatch(
        new RegExp(`\\| \`${kind}\` \\| \`\\w+\` \\| .+ \\|`),
      );
    }
  });
});
