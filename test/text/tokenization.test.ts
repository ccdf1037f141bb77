import { readFile } from 'node:fs/promises';

import { Tokenizer } from '@huggingface/tokenizers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { cnnTextEncoder } from '../../src/encoders/cnn-text-encoder';
import {
  encodeBatch,
  padSequences,
  tokenBatchTensors,
} from '../../src/encoders/tokenizer';
import {
  huggingFaceTokenizer,
  tokenizerFromFunction,
} from '../../src/encoders/tokenizer-adapters';
import {
  Vocabulary,
  attachVocabulary,
  vocabularyFromModel,
} from '../../src/encoders/vocabulary';
import { expectClose } from '../helpers';
import { roundTrip } from '../round-trip';

const TRAIN = [
  'Profit rose 5.5 % in Q3.',
  'Operating profit fell, the company said.',
  "The company's sales rose.",
  'Sales fell!',
];

describe('Vocabulary', () => {
  it('reserves padding and unknown, then orders words by count and code point', () => {
    const vocab = Vocabulary.fit(TRAIN);
    // '.' 3 times; fell, profit, rose, sales, the twice; the rest once.
    expect(vocab.tokens.slice(0, 10)).toEqual([
      '[PAD]',
      '[UNK]',
      '.',
      'fell',
      'profit',
      'rose',
      'sales',
      'the',
      '!',
      '%',
    ]);
    expect(vocab.padId).toBe(0);
    expect(vocab.unknownId).toBe(1);
    expect(vocab.vocabularySize).toBe(vocab.tokens.length);
    expect(vocab.tokenize("The company's 5.5 % rise!")).toEqual([
      'the',
      "company's",
      '5.5',
      '%',
      'rise',
      '!',
    ]);
    expect(vocab.encode('Profit rose sharply')).toEqual([
      vocab.idOf('profit'),
      vocab.idOf('rose'),
      1,
    ]);
  });

  it('gives the same ids whatever the order of the training texts', () => {
    const a = Vocabulary.fit(TRAIN);
    const b = Vocabulary.fit([...TRAIN].reverse());
    expect(b.tokens).toEqual(a.tokens);
  });

  it('applies minCount, maxSize, case and punctuation options and special tokens', () => {
    const vocab = Vocabulary.fit(TRAIN, {
      minCount: 2,
      maxSize: 6,
      specialTokens: ['[CLS]'],
      punctuation: false,
    });
    expect(vocab.tokens).toEqual([
      '[PAD]',
      '[UNK]',
      '[CLS]',
      'fell',
      'profit',
      'rose',
    ]);
    const cased = Vocabulary.fit(['Sales sales SALES'], { lowercase: false });
    expect(cased.tokens.slice(2)).toEqual(['SALES', 'Sales', 'sales']);
    const turkish = Vocabulary.fit(['İSTANBUL'], { locale: 'tr' });
    expect(turkish.tokens[2]).toBe('istanbul');
  });

  it('round-trips through JSON with its kind and encodes the same', () => {
    const vocab = Vocabulary.fit(TRAIN, { minCount: 1, locale: 'en' });
    const json = JSON.parse(JSON.stringify(vocab.toJSON()));
    expect(json.kind).toBe('Vocabulary');
    const back = Vocabulary.fromJSON(json);
    expect(back.tokens).toEqual(vocab.tokens);
    expect(back.encode(TRAIN[1]!)).toEqual(vocab.encode(TRAIN[1]!));
    expect(() => Vocabulary.fromJSON({ ...json, kind: 'Other' })).toThrow(
      /Vocabulary.fromJSON: expected kind 'Vocabulary', received "Other"/,
    );
    expect(() =>
      Vocabulary.fromJSON({ ...json, tokens: ['[PAD]', '[UNK]', 'a', 'a'] }),
    ).toThrow(/expected distinct non-empty tokens, received "a" twice/);
  });

  it('travels inside a saved model and encodes the same after loading', async () => {
    const vocab = Vocabulary.fit(TRAIN);
    const input = tfl.input({ shape: [8], dtype: 'int32' });
    const encoder = cnnTextEncoder({
      vocabularySize: vocab.vocabularySize,
      embeddingDim: 4,
      filters: 2,
      seed: 0,
    });
    const model = tfl.model({
      inputs: input,
      outputs: encoder.apply(input) as tfl.SymbolicTensor,
    });
    attachVocabulary(model, vocab);
    const loaded = await roundTrip(model);
    const restored = vocabularyFromModel(loaded);
    expect(restored.tokens).toEqual(vocab.tokens);
    const texts = ['Sales rose in Q3', 'The company fell'];
    const before = tokenBatchTensors(encodeBatch(vocab, texts, { length: 8 }));
    const after = tokenBatchTensors(
      encodeBatch(restored, texts, { length: 8 }),
    );
    expectClose(
      loaded.predict(after.ids) as tf.Tensor,
      model.predict(before.ids) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
    expect(() => vocabularyFromModel(model, 'other')).toThrow(
      /expected model '.+' to have metadata 'other', received keys \[modalfuseVocabulary\]/,
    );
  });

  it('says what is wrong with empty texts and bad options', () => {
    expect(() =>
      Vocabulary.fit(['', '  ...  '], { punctuation: false }),
    ).toThrow(
      /Vocabulary.fit: expected texts with at least one word, received 2 texts without any/,
    );
    expect(() => Vocabulary.fit([3 as unknown as string])).toThrow(
      /expected text 0 to be a string, received 3/,
    );
    expect(() => Vocabulary.fit(TRAIN, { maxSize: 1 })).toThrow(
      /expected maxSize to be an integer >= 2, received 1/,
    );
    expect(() => Vocabulary.fit(TRAIN, { padToken: '[UNK]' })).toThrow(
      /expected distinct non-empty tokens, received "\[UNK\]" twice/,
    );
  });
  it('asks for an array of texts instead of a single string or null', () => {
    expect(() => Vocabulary.fit('profit rose' as never)).toThrow(
      new TypeError(
        'Vocabulary.fit: expected an array of texts, received a single ' +
          'string "profit rose"; wrap it in an array: [text]',
      ),
    );
    expect(() => Vocabulary.fit(null as never)).toThrow(
      /Vocabulary.fit: expected an array \(or other iterable\) of texts, received null/,
    );
    expect(() => Vocabulary.fit(3 as never)).toThrow(
      /expected an array \(or other iterable\) of texts, received 3/,
    );
  });

  it('checks the locale when fitting and when restoring', () => {
    expect(() => Vocabulary.fit(['a'], { locale: '!!' })).toThrow(
      /Vocabulary.fit: expected locale to be a BCP 47 language tag such as 'tr' or 'en-US' \(or omitted\), received "!!"/,
    );
    const json = Vocabulary.fit(['a'], { locale: 'tr' }).toJSON();
    expect(() => Vocabulary.fromJSON({ ...json, locale: '' })).toThrow(
      /Vocabulary.fromJSON: expected locale to be a BCP 47 language tag .+received ""/,
    );
    expect(Vocabulary.fromJSON(json).locale).toBe('tr');
  });
});

describe('padSequences and encodeBatch', () => {
  it('pads and truncates at either end with a boolean mask', () => {
    const seqs = [[5, 6, 7], [8]];
    const end = padSequences(seqs, { length: 2, padId: 0 });
    expect(Array.from(end.ids)).toEqual([5, 6, 8, 0]);
    expect(Array.from(end.mask)).toEqual([1, 1, 1, 0]);
    expect(Array.from(end.lengths)).toEqual([2, 1]);
    expect(end.truncated).toBe(1);
    const start = padSequences(seqs, {
      length: 4,
      padId: 9,
      padding: 'start',
      truncation: 'start',
    });
    expect(Array.from(start.ids)).toEqual([9, 5, 6, 7, 9, 9, 9, 8]);
    expect(Array.from(start.mask)).toEqual([0, 1, 1, 1, 0, 0, 0, 1]);
    const kept = padSequences(seqs, {
      length: 2,
      padId: 0,
      truncation: 'start',
    });
    expect(Array.from(kept.ids)).toEqual([6, 7, 8, 0]);
  });

  it('turns a batch into int32 ids and a float32 or bool mask', () => {
    const batch = padSequences([[1, 2], [3]], { length: 3, padId: 0 });
    const { ids, mask } = tokenBatchTensors(batch);
    expect([ids.dtype, mask.dtype, mask.shape]).toEqual([
      'int32',
      'float32',
      [2, 3],
    ]);
    expect(tokenBatchTensors(batch, 'bool').mask.dtype).toBe('bool');
    tf.dispose([ids, mask]);
  });

  it('rejects empty texts unless allowed, and ids outside the vocabulary', () => {
    const vocab = Vocabulary.fit(TRAIN);
    expect(() =>
      encodeBatch(vocab, ['Sales rose', '  '], { length: 4 }),
    ).toThrow(
      /encodeBatch: expected every text to give at least one token, received none for text 1 \(" {2}"\)/,
    );
    const ok = encodeBatch(vocab, ['Sales rose', ''], {
      length: 4,
      allowEmpty: true,
    });
    expect(Array.from(ok.mask.subarray(4))).toEqual([0, 0, 0, 0]);
    const broken = tokenizerFromFunction({
      encode: () => [1, 7],
      padId: 0,
      vocabularySize: 5,
    });
    expect(() => encodeBatch(broken, ['x'], { length: 3 })).toThrow(
      /expected ids in \[0, 5\) from the tokenizer, received 7 at position 1 of text 0/,
    );
    expect(() =>
      tokenizerFromFunction({ encode: () => [], padId: 5, vocabularySize: 5 }),
    ).toThrow(/expected padId in \[0, 5\), received 5/);
  });
});

describe('padSequences and encodeBatch errors', () => {
  it('names padSequences and the row for input that is not id sequences', () => {
    expect(() => padSequences(null as never, { length: 3, padId: 0 })).toThrow(
      /padSequences: expected an array of id sequences \(one array of ids per row\), received null/,
    );
    expect(() =>
      padSequences([[1], 3] as never, { length: 3, padId: 0 }),
    ).toThrow(/padSequences: expected row 1 to be an array of ids, received 3/);
    expect(() => padSequences([[1]], undefined as never)).toThrow(
      /padSequences: expected options with a length, such as \{ length: 32 \}, received undefined/,
    );
  });

  it('rejects ids that int32 cannot hold instead of wrapping them', () => {
    expect(() => padSequences([[2 ** 31]], { length: 3, padId: 0 })).toThrow(
      'padSequences: expected ids that are integers in [0, 2147483647] ' +
        '(int32), received 2147483648 at position 0 of row 0',
    );
    expect(() => padSequences([[4, 1.5]], { length: 3, padId: 0 })).toThrow(
      /received 1.5 at position 1 of row 0/,
    );
    expect(() => padSequences([[1]], { length: 3, padId: 2 ** 31 })).toThrow(
      /padSequences: expected padId to be an integer in \[0, 2147483647\] \(int32\), received 2147483648/,
    );
    const max = padSequences([[2 ** 31 - 1]], { length: 1, padId: 0 });
    expect(Array.from(max.ids)).toEqual([2 ** 31 - 1]);
  });

  it('names encodeBatch for missing options and a tokenizer that returns no array', () => {
    const vocab = Vocabulary.fit(TRAIN);
    expect(() =>
      encodeBatch(vocab, ['Sales rose'], undefined as never),
    ).toThrow(
      /^encodeBatch: expected options with a length, such as \{ length: 32 \}, received undefined$/,
    );
    expect(() => encodeBatch(vocab, ['Sales'], { length: 0 })).toThrow(
      /^encodeBatch: expected length to be an integer >= 1, received 0$/,
    );
    for (const [result, shown] of [
      [3, '3'],
      [null, 'null'],
      ['12', '"12"'],
    ] as const) {
      const broken = tokenizerFromFunction({
        encode: () => result as never,
        padId: 0,
        vocabularySize: 5,
      });
      expect(() => encodeBatch(broken, ['x', 'y'], { length: 3 })).toThrow(
        `encodeBatch: expected encode to return an array of ids for text 0 ` +
          `("x"), received ${shown}`,
      );
    }
    const typed = tokenizerFromFunction({
      encode: () => Int32Array.of(2, 3),
      padId: 0,
      vocabularySize: 5,
    });
    expect(Array.from(encodeBatch(typed, ['x'], { length: 3 }).ids)).toEqual([
      2, 3, 0,
    ]);
  });

  it('checks the mask dtype of tokenBatchTensors', () => {
    const batch = padSequences([[1, 2]], { length: 2, padId: 0 });
    expect(() => tokenBatchTensors(batch, 'int32' as never)).toThrow(
      /^tokenBatchTensors: expected maskDtype to be one of 'float32', 'bool', received "int32"$/,
    );
    expect(() => tokenBatchTensors({} as never)).toThrow(
      /tokenBatchTensors: expected a TokenBatch \(from encodeBatch or padSequences\)/,
    );
  });
});

describe('huggingFaceTokenizer', () => {
  const load = async () =>
    new Tokenizer(
      JSON.parse(
        await readFile(
          new URL('./fixtures/tokenizer.json', import.meta.url),
          'utf8',
        ),
      ),
      {},
    );

  it('gives the ids of a tokenizer.json, special tokens included, padded with [PAD]', async () => {
    const tokenizer = huggingFaceTokenizer(await load());
    expect(tokenizer.padId).toBe(0);
    expect(tokenizer.vocabularySize).toBe(13);
    const batch = encodeBatch(
      tokenizer,
      ['Shares rose 3%', 'The company fell'],
      {
        length: 8,
      },
    );
    // [CLS] share ##s rose 3 % [SEP] / [CLS] the company fell [SEP]
    expect(Array.from(batch.ids)).toEqual([
      2, 4, 5, 6, 10, 9, 3, 0, 2, 11, 12, 7, 3, 0, 0, 0,
    ]);
    const plain = huggingFaceTokenizer(await load(), {
      addSpecialTokens: false,
    });
    expect(Array.from(plain.encode('Shares rose'))).toEqual([4, 5, 6]);
  });

  it('names what is missing', async () => {
    expect(() => huggingFaceTokenizer({} as never)).toThrow(
      /expected a tokenizer with a encode\(\) method .+received a/,
    );
    const hf = await load();
    expect(() => huggingFaceTokenizer(hf, { padToken: '<pad>' })).toThrow(
      /expected the vocabulary to have a padding token \('<pad>'\), received none; pass padToken or padId/,
    );
  });

  it('accepts encode returning the ids and get_vocab returning a plain object', () => {
    const vocab: Record<string, number> = { '<pad>': 0, profit: 1, rose: 2 };
    const seen: unknown[] = [];
    // transformers.js style: encode gives the ids, no token_to_id.
    const tokenizer = huggingFaceTokenizer({
      encode: (text: string, options?: unknown) => {
        seen.push(options);
        return text.split(' ').map((w) => vocab[w] ?? 0);
      },
      get_vocab: () => vocab,
    });
    expect([tokenizer.padId, tokenizer.vocabularySize]).toEqual([0, 3]);
    const batch = encodeBatch(tokenizer, ['profit rose'], { length: 3 });
    expect(Array.from(batch.ids)).toEqual([1, 2, 0]);
    expect(seen).toEqual([{ add_special_tokens: true }]);
  });

  it('names huggingFaceTokenizer for an empty vocabulary, a bad padId and unreadable results', async () => {
    const fake = (extra: object) => ({
      encode: () => ({ ids: [1] }),
      get_vocab: () => new Map([['[PAD]', 0]]),
      ...extra,
    });
    expect(() =>
      huggingFaceTokenizer(fake({ get_vocab: () => new Map() })),
    ).toThrow(
      /^huggingFaceTokenizer: expected get_vocab to return at least one token, received an empty vocabulary$/,
    );
    expect(() =>
      huggingFaceTokenizer(fake({ get_vocab: () => ['[PAD]'] })),
    ).toThrow(
      /^huggingFaceTokenizer: expected get_vocab to return a Map or a plain object of token to id, received an array of length 1$/,
    );
    const hf = await load();
    expect(() => huggingFaceTokenizer(hf, { padId: 13 })).toThrow(
      /^huggingFaceTokenizer: expected padId in \[0, 13\), received 13$/,
    );
    const odd = huggingFaceTokenizer(fake({ encode: () => ({ tokens: [] }) }));
    expect(() => odd.encode('x')).toThrow(
      /^huggingFaceTokenizer: expected encode to return the ids \(an array\) or an object with ids \(an Encoding\), received an? Object$/,
    );
  });
});
