import { describe, expect, it } from 'vitest';

import { readDoc, sectionSnippets, typeCheck } from './snippets';

/** Every runnable section of the docs: file and heading. */
const SECTIONS: [string, string][] = [
  ['README.md', 'Quick start'],
  ['docs/guides/getting-started.md', 'Example'],
  ['docs/guides/data.md', 'Example'],
  ['docs/guides/building-models.md', 'Example'],
  ['docs/guides/fusion.md', 'Example'],
  ['docs/guides/choosing-fusion.md', 'Example'],
  ['docs/guides/alignment.md', 'A runnable example'],
  ['docs/guides/colearning.md', 'A runnable example'],
  ['docs/guides/explaining.md', 'A first explanation'],
  ['docs/guides/text.md', 'Example'],
  ['docs/guides/backends.md', 'Example'],
  ['docs/guides/saving-and-loading.md', 'Example'],
  ['docs/guides/stock-prediction.md', 'Example'],
];

describe('the runnable sections of the README and the guides', () => {
  it('type-check against the sources with the project settings', async () => {
    const files: Record<string, string> = {};
    for (const [path, heading] of SECTIONS) {
      const code = sectionSnippets(await readDoc(path), heading, path);
      expect(code.length, `${path}: ts blocks under '## ${heading}'`).toBe(1);
      // The trailing export makes each one a module, as it is when run.
      const name = path.replace(/^docs\/guides\//, '').replace(/\.md$/, '');
      files[name] = `${code.join('\n')}\nexport {};\n`;
    }
    expect(typeCheck(files)).toEqual([]);
  });
});
