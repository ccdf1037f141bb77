/**
 * A hashing vectorizer for text: word n-grams hashed into a fixed number of
 * columns (the "hashing trick"), with no vocabulary to fit or store.
 */
import { assertInteger, assertOneOf } from '../internal/assert';
import { describe } from '../internal/errors';

/** Options of {@link HashingVectorizer}. */
export interface HashingVectorizerOptions {
  /** Number of output columns. @defaultValue 4096 */
  dimension?: number;
  /** Smallest and largest n of the word n-grams. @defaultValue [1, 1] */
  ngramRange?: readonly [number, number];
  /** Lowercase the text before tokenising. @defaultValue true */
  lowercase?: boolean;
  /**
   * Give each n-gram a sign from its hash, so that collisions cancel in
   * expectation instead of piling up. @defaultValue true
   */
  signed?: boolean;
  /** Seed of the hash function. @defaultValue 0 */
  seed?: number;
  /** Row normalisation. @defaultValue 'l2' */
  norm?: 'l2' | 'l1' | 'none';
}

/** The plain-data form of a {@link HashingVectorizer}. */
export interface HashingVectorizerJSON {
  /** Discriminant checked by {@link HashingVectorizer.fromJSON}. */
  kind: 'HashingVectorizer';
  /** Number of output columns. */
  dimension: number;
  /** Smallest and largest n. */
  ngramRange: [number, number];
  /** Whether text is lowercased. */
  lowercase: boolean;
  /** Whether n-grams are signed. */
  signed: boolean;
  /** Hash seed. */
  seed: number;
  /** Row normalisation. */
  norm: 'l2' | 'l1' | 'none';
}

/** A document: one text, or several texts (n-grams never cross them). */
export type HashingDocument = string | readonly string[];

const NORMS = ['l2', 'l1', 'none'] as const;

/** Runs of two or more letters, digits or underscores. */
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

/**
 * Turns texts into fixed-width count vectors by hashing word n-grams.
 *
 * Tokens are runs of at least two letters, digits or underscores (after
 * lowercasing, when on); the features of a text are its n-grams for each
 * n in `ngramRange`, joined by single spaces. Feature `f` goes to column
 * `|h| mod dimension` with sign `+1` if `h >= 0` else `−1` (when `signed`),
 * where `h` is the 32-bit MurmurHash3 of the UTF-8 bytes of `f` as a signed
 * integer. Counts add up per column, then each row is normalised. With
 * seed 0 this is the feature mapping of scikit-learn's `HashingVectorizer`
 * (for ASCII text and its default token pattern), and, as there, nothing
 * is learned: equal options give equal vectors on every machine.
 *
 * @example
 * ```ts
 * const vectorizer = new HashingVectorizer({
 *   dimension: 1024,
 *   ngramRange: [1, 2],
 * });
 * const x = vectorizer.transform(days.map((d) => d.headlines)); // [days, 1024]
 * ```
 * @see Weinberger et al. (2009), Feature Hashing for Large Scale Multitask
 * Learning, ICML.
 */
export class HashingVectorizer {
  /** Number of output columns. */
  readonly dimension: number;
  /** Smallest and largest n of the word n-grams. */
  readonly ngramRange: readonly [number, number];
  /** Whether text is lowercased. */
  readonly lowercase: boolean;
  /** Whether n-grams are signed. */
  readonly signed: boolean;
  /** Hash seed. */
  readonly seed: number;
  /** Row normalisation. */
  readonly norm: 'l2' | 'l1' | 'none';

  /**
   * @param options - See {@link HashingVectorizerOptions}.
   * @throws RangeError for a dimension below 1, an n-gram range that is not
   *   `1 <= min <= max`, or a seed that is not an integer in
   *   [0, 2³² − 1]; TypeError for an unknown norm.
   */
  constructor(options: HashingVectorizerOptions = {}) {
    const where = 'HashingVectorizer';
    this.dimension = options.dimension ?? 4096;
    assertInteger(where, 'dimension', this.dimension, 1);
    const range = options.ngramRange ?? [1, 1];
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !Number.isInteger(range[0]) ||
      !Number.isInteger(range[1]) ||
      range[0] < 1 ||
      range[1] < range[0]
    ) {
      throw new RangeError(
        `${where}: expected ngramRange [min, max] with 1 <= min <= max, ` +
          `received ${JSON.stringify(range)}`,
      );
    }
    this.ngramRange = [range[0], range[1]];
    this.lowercase = options.lowercase ?? true;
    this.signed = options.signed ?? true;
    this.seed = options.seed ?? 0;
    assertInteger(where, 'seed', this.seed, 0);
    if (this.seed > 0xffffffff) {
      throw new RangeError(
        `${where}: expected seed to be an integer in [0, 4294967295], ` +
          `received ${this.seed}`,
      );
    }
    this.norm = options.norm ?? 'l2';
    assertOneOf(where, 'norm', this.norm, NORMS);
  }

  /**
   * The tokens of a text, in order.
   *
   * @param text - The text.
   * @returns Its tokens (lowercased when `lowercase` is on).
   */
  tokenize(text: string): string[] {
    checkText('HashingVectorizer.tokenize', text);
    const source = this.lowercase ? text.toLowerCase() : text;
    return source.match(TOKEN) ?? [];
  }

  /**
   * The features (n-grams) of a document: for each text, its n-grams for n
   * from `ngramRange[0]` to `ngramRange[1]`, shortest first.
   *
   * @param doc - One text or several.
   * @returns The n-grams, tokens joined by single spaces.
   * @throws TypeError when the document is not a string or an array of
   *   strings.
   */
  features(doc: HashingDocument): string[] {
    const texts = typeof doc === 'string' ? [doc] : doc;
    if (!Array.isArray(texts)) {
      throw new TypeError(
        `HashingVectorizer: expected a document (a string or an array of ` +
          `strings), received ${describe(doc)}`,
      );
    }
    const out: string[] = [];
    for (const text of texts) {
      const tokens = this.tokenize(text);
      for (let n = this.ngramRange[0]; n <= this.ngramRange[1]; n++) {
        for (let i = 0; i + n <= tokens.length; i++) {
          out.push(tokens.slice(i, i + n).join(' '));
        }
      }
    }
    return out;
  }

  /**
   * The column and sign of one feature.
   *
   * @param feature - An n-gram as {@link HashingVectorizer.features} gives.
   * @returns Its column in [0, dimension) and its sign (always 1 when
   *   `signed` is off).
   */
  columnOf(feature: string): {
    /** Column in [0, dimension). */
    column: number;
    /** Sign of the count (always 1 when `signed` is off). */
    sign: 1 | -1;
  } {
    const h = murmurHash3(feature, this.seed) | 0;
    // As scikit-learn: |−2³¹| does not fit in an int32.
    const column =
      h === -2147483648
        ? (2147483647 - (this.dimension - 1)) % this.dimension
        : Math.abs(h) % this.dimension;
    return { column, sign: this.signed && h < 0 ? -1 : 1 };
  }

  /**
   * Vectorizes documents into a row-major matrix.
   *
   * @param docs - Documents, each one text or several.
   * @returns `[docs.length, dimension]` float32 values, row-major.
   * @throws TypeError when a document is not a string or an array of
   *   strings.
   */
  transform(docs: readonly HashingDocument[]): Float32Array {
    if (!Array.isArray(docs)) {
      throw new TypeError(
        `HashingVectorizer.transform: expected an array of documents, ` +
          `received ${describe(docs)}`,
      );
    }
    const out = new Float32Array(docs.length * this.dimension);
    docs.forEach((doc, r) => {
      out.set(this.transformOne(doc), r * this.dimension);
    });
    return out;
  }

  /**
   * Vectorizes one document.
   *
   * @param doc - One text or several.
   * @returns `[dimension]` float32 values.
   * @throws TypeError when the document is not a string or an array of
   *   strings.
   */
  transformOne(doc: HashingDocument): Float32Array {
    const counts = new Float64Array(this.dimension);
    for (const feature of this.features(doc)) {
      const { column, sign } = this.columnOf(feature);
      counts[column] = (counts[column] as number) + sign;
    }
    let total = 0;
    for (const v of counts) total += this.norm === 'l1' ? Math.abs(v) : v * v;
    const scale =
      this.norm === 'none' || total === 0
        ? 1
        : 1 / (this.norm === 'l2' ? Math.sqrt(total) : total);
    return Float32Array.from(counts, (v) => v * scale);
  }

  /**
   * Returns the options as plain data.
   *
   * @returns See {@link HashingVectorizerJSON}.
   */
  toJSON(): HashingVectorizerJSON {
    return {
      kind: 'HashingVectorizer',
      dimension: this.dimension,
      ngramRange: [this.ngramRange[0], this.ngramRange[1]],
      lowercase: this.lowercase,
      signed: this.signed,
      seed: this.seed,
      norm: this.norm,
    };
  }

  /**
   * Rebuilds a vectorizer from {@link HashingVectorizer.toJSON}'s output.
   *
   * @param json - The plain data, e.g. after `JSON.parse`.
   * @returns An equal vectorizer.
   * @throws TypeError when `kind` is not `'HashingVectorizer'`; as the
   *   constructor for invalid options.
   */
  static fromJSON(json: unknown): HashingVectorizer {
    const data = (json ?? {}) as Partial<HashingVectorizerJSON>;
    if (data.kind !== 'HashingVectorizer') {
      throw new TypeError(
        `HashingVectorizer.fromJSON: expected kind 'HashingVectorizer', ` +
          `received ${describe(data.kind)}`,
      );
    }
    const fields = ['lowercase', 'signed'] as const;
    for (const f of fields) {
      if (typeof data[f] !== 'boolean') {
        throw new TypeError(
          `HashingVectorizer.fromJSON: expected ${f} to be a boolean, ` +
            `received ${describe(data[f])}`,
        );
      }
    }
    return new HashingVectorizer({
      ...(data.dimension === undefined ? {} : { dimension: data.dimension }),
      ...(data.ngramRange === undefined ? {} : { ngramRange: data.ngramRange }),
      ...(data.seed === undefined ? {} : { seed: data.seed }),
      ...(data.norm === undefined ? {} : { norm: data.norm }),
      lowercase: data.lowercase as boolean,
      signed: data.signed as boolean,
    });
  }
}

/**
 * MurmurHash3 (x86, 32-bit) of the UTF-8 bytes of a string.
 *
 * @example
 * ```ts
 * murmurHash3('foo'); // 4138058784
 * murmurHash3('foo') | 0; // -156908512 (scikit-learn's signed value)
 * ```
 * @see Appleby (2011), MurmurHash3, SMHasher.
 * @param text - The string.
 * @param seed - Unsigned 32-bit seed. @defaultValue 0
 * @returns The unsigned 32-bit hash.
 */
export function murmurHash3(text: string, seed = 0): number {
  checkText('murmurHash3', text);
  const bytes = utf8(text);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const o = i * 4;
    let k =
      (bytes[o] as number) |
      ((bytes[o + 1] as number) << 8) |
      ((bytes[o + 2] as number) << 16) |
      ((bytes[o + 3] as number) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const rest = bytes.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= (bytes[tail + 2] as number) << 16;
    if (rest >= 2) k ^= (bytes[tail + 1] as number) << 8;
    k ^= bytes[tail] as number;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

/** UTF-8 bytes; ASCII text (most n-grams) skips the encoder. */
function utf8(text: string): ArrayLike<number> {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return encoder.encode(text);
  }
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function checkText(where: string, text: unknown): void {
  if (typeof text !== 'string') {
    throw new TypeError(
      `${where}: expected a string, received ${describe(text)}`,
    );
  }
}
