import { describe, expect, it } from 'vitest';

import { HashingVectorizer, murmurHash3 } from '../../src/data/hashed-ngrams';
import { expectClose } from '../helpers';

describe('murmurHash3', () => {
  it('matches the reference MurmurHash3_x86_32 values', () => {
    expect(murmurHash3('')).toBe(0);
    expect(murmurHash3('', 1)).toBe(0x514e28b7);
    expect(murmurHash3('hello')).toBe(0x248bfa47);
    expect(murmurHash3('The quick brown fox jumps over the lazy dog')).toBe(
      0x2e4ff723,
    );
  });

  it("matches scikit-learn's murmurhash3_32 (signed and positive)", () => {
    expect(murmurHash3('foo') | 0).toBe(-156908512);
    expect(murmurHash3('foo', 42) | 0).toBe(-1322301282);
    expect(murmurHash3('foo')).toBe(4138058784);
    expect(murmurHash3('foo', 42)).toBe(2972666014);
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    expect(murmurHash3('café')).not.toBe(murmurHash3('cafe'));
    expect(murmurHash3('café')).toBe(murmurHash3('cafe\u0301'.normalize()));
  });
});

describe('HashingVectorizer', () => {
  it('tokenizes runs of two or more word characters, lowercased', () => {
    const v = new HashingVectorizer();
    expect(v.tokenize("U.N. says: Russia's 2 tanks, déjà-vu!")).toEqual([
      'says',
      'russia',
      'tanks',
      'déjà',
      'vu',
    ]);
    expect(
      new HashingVectorizer({ lowercase: false }).tokenize('Ab cd'),
    ).toEqual(['Ab', 'cd']);
  });

  it('makes n-grams within each text, never across texts', () => {
    const v = new HashingVectorizer({ ngramRange: [1, 2] });
    expect(v.features(['red car', 'blue sky'])).toEqual([
      'red',
      'car',
      'red car',
      'blue',
      'sky',
      'blue sky',
    ]);
    expect(
      new HashingVectorizer({ ngramRange: [2, 3] }).features('a bb cc dd'),
    ).toEqual(['bb cc', 'cc dd', 'bb cc dd']);
  });

  it('maps a feature to |h| mod dimension with the sign of h', () => {
    const v = new HashingVectorizer({ dimension: 1000 });
    // murmurHash3('foo') | 0 = -156908512: column 512, sign -1.
    expect(v.columnOf('foo')).toEqual({ column: 512, sign: -1 });
    const unsigned = new HashingVectorizer({ dimension: 1000, signed: false });
    expect(unsigned.columnOf('foo')).toEqual({ column: 512, sign: 1 });
  });

  it('counts, signs and normalises (closed form)', () => {
    const v = new HashingVectorizer({ dimension: 1000, norm: 'none' });
    const x = v.transformOne('foo foo');
    expect(x[512]).toBe(-2);
    expect(x.reduce((s, e) => s + Math.abs(e), 0)).toBe(2);
    const l2 = new HashingVectorizer({ dimension: 1000 }).transformOne(
      'foo foo',
    );
    expect(l2[512]).toBe(-1);
    const l1 = new HashingVectorizer({ norm: 'l1' }).transformOne(
      'aa bb cc dd',
    );
    expectClose(
      l1.reduce((s, e) => s + Math.abs(e), 0),
      1,
      { atol: 1e-6 },
    );
    expect(
      new HashingVectorizer().transformOne('! ?').every((e) => e === 0),
    ).toBe(true);
  });

  it('transforms documents into a row-major matrix', () => {
    const v = new HashingVectorizer({ dimension: 64, ngramRange: [1, 2] });
    const docs = ['rates rise', ['markets fall', 'rates rise']];
    const x = v.transform(docs);
    expect(x).toHaveLength(128);
    expect(Array.from(x.subarray(0, 64))).toEqual(
      Array.from(v.transformOne('rates rise')),
    );
  });

  it('depends only on its options: the seed changes columns, JSON round-trips', () => {
    const a = new HashingVectorizer({
      dimension: 256,
      seed: 1,
      ngramRange: [1, 2],
    });
    const b = new HashingVectorizer({
      dimension: 256,
      seed: 2,
      ngramRange: [1, 2],
    });
    const text = 'oil prices jump after the opec meeting';
    expect(Array.from(a.transformOne(text))).not.toEqual(
      Array.from(b.transformOne(text)),
    );
    const copy = HashingVectorizer.fromJSON(JSON.parse(JSON.stringify(a)));
    expect(copy.toJSON()).toEqual(a.toJSON());
    expect(Array.from(copy.transformOne(text))).toEqual(
      Array.from(a.transformOne(text)),
    );
  });

  it('rejects bad options, kinds and documents', () => {
    expect(() =>
      new HashingVectorizer().transformOne(['ok', 4 as unknown as string]),
    ).toThrow(/HashingVectorizer.tokenize: expected a string, received 4/);
    expect(() => new HashingVectorizer({ dimension: 0 })).toThrow(
      /HashingVectorizer: expected dimension to be an integer >= 1, received 0/,
    );
    expect(() => new HashingVectorizer({ ngramRange: [2, 1] })).toThrow(
      /expected ngramRange \[min, max\] with 1 <= min <= max, received \[2,1\]/,
    );
    expect(() => new HashingVectorizer({ norm: 'max' as 'l2' })).toThrow(
      /expected norm to be one of 'l2', 'l1', 'none', received "max"/,
    );
    expect(() => new HashingVectorizer({ seed: 2 ** 32 })).toThrow(
      /expected seed to be an integer in \[0, 4294967295\], received 4294967296/,
    );
    expect(() => HashingVectorizer.fromJSON({ kind: 'LinearCca' })).toThrow(
      /HashingVectorizer.fromJSON: expected kind 'HashingVectorizer', received "LinearCca"/,
    );
    expect(() =>
      new HashingVectorizer().transform([3 as unknown as string]),
    ).toThrow(
      /HashingVectorizer: expected a document \(a string or an array of strings\), received 3/,
    );
  });
});
