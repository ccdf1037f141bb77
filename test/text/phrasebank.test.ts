import { existsSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  classificationReport,
  predictClasses,
  trainClassifier,
  DEFAULT_CLASSIFIER,
} from '../../examples/phrasebank/classifier';
import {
  DEFAULT_PHRASEBANK,
  loadPhraseBank,
  parsePhraseBank,
  stratifiedSplit,
} from '../../examples/phrasebank/data';
import { parsePhraseBankArgs } from '../../examples/phrasebank/options';

// Latin-1 text re-encoded to UTF-8, as the shared copy is: the mojibake of
// the original is kept.
const SAMPLE = [
  'Operating profit rose to EUR 13.1 mn from EUR 8.7 mn .@positive',
  'Sepp+ñl+ñ said the company @ Helsinki has no plans .@neutral',
  'Net sales fell 5 % .@negative',
  'Net sales fell 5 % .@negative',
  'Shares were flat .@neutral',
  'Shares were flat .@positive',
  'Profit warning issued .@negative',
  'Orders grew strongly .@positive',
  'The meeting is on Monday .@neutral',
].join('\r\n');

describe('PhraseBank data', () => {
  it('splits on the last @, keeps one copy of repeats and drops conflicting ones', () => {
    const bank = parsePhraseBank(`${SAMPLE}\r\n`);
    expect(bank.texts).toEqual([
      'Operating profit rose to EUR 13.1 mn from EUR 8.7 mn .',
      'Sepp+ñl+ñ said the company @ Helsinki has no plans .',
      'Net sales fell 5 % .',
      'Profit warning issued .',
      'Orders grew strongly .',
      'The meeting is on Monday .',
    ]);
    expect(bank.labels).toEqual([2, 1, 0, 0, 2, 1]);
    expect([bank.lines, bank.duplicates, bank.conflicting]).toEqual([9, 2, 1]);
    expect(() => parsePhraseBank('no label here\nok@neutral', 'f.txt')).toThrow(
      /f.txt: expected 'sentence@label' with label negative, neutral, positive at line 1/,
    );
  });

  it('splits each class 70/15/15 with a seed, reproducibly', () => {
    const data = {
      texts: Array.from({ length: 100 }, (_, i) => `s${i}`),
      labels: Array.from({ length: 100 }, (_, i) =>
        i < 20 ? 0 : i < 60 ? 1 : 2,
      ),
    };
    const a = stratifiedSplit(data, 3);
    const b = stratifiedSplit(data, 3);
    expect(a).toEqual(b);
    const count = (labels: number[], c: number) =>
      labels.filter((l) => l === c).length;
    expect([0, 1, 2].map((c) => count(a.train.labels, c))).toEqual([
      14, 28, 28,
    ]);
    expect([0, 1, 2].map((c) => count(a.val.labels, c))).toEqual([3, 6, 6]);
    expect([0, 1, 2].map((c) => count(a.test.labels, c))).toEqual([3, 6, 6]);
    const all = [...a.train.texts, ...a.val.texts, ...a.test.texts].sort();
    expect(all).toEqual([...data.texts].sort());
  });

  it('scores accuracy and macro-F1 as scikit-learn does', () => {
    // Confusion [actual][predicted]: [[2,1,0],[0,3,1],[1,0,2]].
    const labels = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2];
    const predicted = [0, 0, 1, 1, 1, 1, 2, 2, 2, 0];
    const s = classificationReport(labels, predicted);
    expect(s.confusion).toEqual([
      [2, 1, 0],
      [0, 3, 1],
      [1, 0, 2],
    ]);
    expect(s.accuracy).toBeCloseTo(0.7, 12);
    // F1: negative 2/3, neutral 3/4, positive 2/3.
    expect(s.perClass.map((p) => p.f1)).toEqual([
      expect.closeTo(2 / 3, 12),
      expect.closeTo(0.75, 12),
      expect.closeTo(2 / 3, 12),
    ]);
    expect(s.macroF1).toBeCloseTo((2 / 3 + 0.75 + 2 / 3) / 3, 12);
  });

  it('trains a classifier that fits its training sentences', async () => {
    const bank = parsePhraseBank(SAMPLE);
    const parts = { train: bank, val: bank };
    const classifier = await trainClassifier(parts, {
      ...DEFAULT_CLASSIFIER,
      minCount: 1,
      length: 16,
      embeddingDim: 8,
      width: 8,
      epochs: 40,
      patience: 40,
      batchSize: 6,
      learningRate: 2e-2,
    });
    expect(predictClasses(classifier, bank.texts)).toEqual(bank.labels);
    expect(classifier.history.epochs.at(-1)!.loss).toBeLessThan(
      classifier.history.epochs[0]!.loss,
    );
    classifier.model.dispose();
  });
});

describe('PhraseBank command line', () => {
  it('parses the options with their defaults', () => {
    expect(
      parsePhraseBankArgs(['--epochs', '5', '--encoder', 'bilstm', '--quick']),
    ).toEqual({
      help: false,
      agreement: '50',
      encoder: 'bilstm',
      backend: 'wasm',
      quick: true,
      epochs: 5,
    });
  });

  it.each(['0', '-1', '1.5', 'x', ''])(
    'rejects --epochs %j when parsing, before any training',
    (value) => {
      expect(() => parsePhraseBankArgs([`--epochs=${value}`])).toThrow(
        `--epochs: expected an integer >= 1, received '${value}'`,
      );
    },
  );

  it('accepts --seed 0 and rejects a negative seed', () => {
    expect(parsePhraseBankArgs(['--seed', '0']).seed).toBe(0);
    expect(() => parsePhraseBankArgs(['--seed=-2'])).toThrow(
      "--seed: expected an integer >= 0, received '-2'",
    );
  });
});

describe.skipIf(!existsSync(DEFAULT_PHRASEBANK))(
  'the shared PhraseBank files',
  () => {
    it('reads every agreement level with the counts of the data README', async () => {
      const expected = {
        '50': 4846,
        '66': 4217,
        '75': 3453,
        All: 2264,
      } as const;
      for (const [agreement, lines] of Object.entries(expected)) {
        const bank = await loadPhraseBank(
          DEFAULT_PHRASEBANK,
          agreement as '50',
        );
        expect(bank.lines).toBe(lines);
        expect(bank.texts.length).toBe(
          lines - bank.duplicates - bank.conflicting,
        );
      }
      const full = await loadPhraseBank(DEFAULT_PHRASEBANK, '50');
      expect([full.duplicates, full.conflicting]).toEqual([8, 2]);
      expect(full.texts.some((t) => t.includes('Sepp+ñl+ñ'))).toBe(true);
    });
  },
);
