import { describe, expect, it } from 'vitest';

import { FUSION_KINDS } from '../../src/index';
import {
  guideSnippets,
  readGuide,
  runGuideExample,
  runModule,
} from './snippets';

/** The validation losses the guide prints, by operator. */
async function printedLosses(): Promise<Record<string, number>> {
  const text = await readGuide('choosing-fusion');
  const header = FUSION_KINDS.map((k) => `\`${k}\``).join(' | ');
  const start = text.indexOf(`| ${header} |`);
  expect(start, 'the table of validation losses').toBeGreaterThan(0);
  const row = text.slice(start).split('\n')[2]!;
  const values = row.split('|').slice(1, -1).map(Number);
  return Object.fromEntries(FUSION_KINDS.map((k, i) => [k, values[i]!]));
}

/** Asserts that `printed` is `actual` rounded to two decimals. */
function expectRounded(actual: number, printed: number, what: string): void {
  expect(Math.abs(actual - printed), what).toBeLessThanOrEqual(0.005 + 1e-9);
}

describe('docs/guides/choosing-fusion.md', () => {
  it('prints the validation losses its example gives', async () => {
    const { valLoss } = (await runGuideExample('choosing-fusion', [
      'valLoss',
    ])) as { valLoss: Record<string, number> };
    const printed = await printedLosses();

    expect(Object.keys(valLoss)).toEqual([...FUSION_KINDS]);
    for (const kind of FUSION_KINDS) {
      expectRounded(valLoss[kind]!, printed[kind]!, kind);
    }
    // Concat with a linear head does worse than predicting 0 (variance 1).
    expect(valLoss.concat).toBeGreaterThan(1);
    for (const kind of ['bilinear', 'lowrank', 'tensor']) {
      expect(valLoss[kind]).toBeLessThan(0.1);
    }
  });

  it('states what a hidden layer in the head does for concat (10 and 40 epochs)', async () => {
    const text = await readGuide('choosing-fusion');
    expect(text).toContain('0.63 after the same ten epochs');
    expect(text).toContain('0.12 after forty');

    // The example with concat only and a hidden layer in the head.
    const [code] = await guideSnippets('choosing-fusion');
    const variant = (epochs: number) =>
      code!
        .replace('of FUSION_KINDS', "of ['concat'] as const")
        .replace("heads: { name: 'y' },", "heads: { name: 'y', hidden: [16] },")
        .replace('epochs: 10,', `epochs: ${epochs},`);
    expect(variant(40)).toContain('hidden: [16] }');
    expect(variant(40)).toContain('epochs: 40,');

    const loss = async (epochs: number) => {
      const { valLoss } = (await runModule(
        `docs-choosing-fusion-hidden-${epochs}`,
        variant(epochs),
        ['valLoss'],
      )) as { valLoss: Record<string, number> };
      return valLoss.concat!;
    };
    expectRounded(await loss(10), 0.63, '10 epochs');
    expectRounded(await loss(40), 0.12, '40 epochs');
  });

  it('has a measured row for every operator on the stock example', async () => {
    const text = await readGuide('choosing-fusion');
    const section = text.slice(text.indexOf('## What the choice did'));
    expect(section).toContain('--fusion all');
    for (const kind of FUSION_KINDS) {
      // parameters, best epoch, MAE and skill per output, val MSE
      expect(section, kind).toMatch(
        new RegExp(`\\| \`${kind}\`[^|]* \\|( [^|]+ \\|){7}\n`),
      );
    }
  });
});
