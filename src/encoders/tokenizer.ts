/**
 * Tokenizers as the text encoders see them: any object that turns a text
 * into token ids, and padding and truncation to a fixed length with a
 * mask. Adapters for other tokenizers are in `tokenizer-adapters.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInteger, assertOneOf } from '../internal/assert';
import { describe } from '../internal/errors';

/**
 * What modalfuse needs from a tokenizer. {@link Vocabulary} implements it;
 * {@link tokenizerFromFunction} and {@link huggingFaceTokenizer} adapt
 * others.
 */
export interface TextTokenizer {
  /** Token ids of one text (an array or typed array), without padding. */
  encode(text: string): ArrayLike<number>;
  /** Id of the padding token. */
  readonly padId: number;
  /** Number of ids: every id is in `[0, vocabularySize)`. */
  readonly vocabularySize: number;
}

/** Options of {@link padSequences} and {@link encodeBatch}. */
export interface PadOptions {
  /** Length of every row after padding and truncation. */
  length: number;
  /**
   * Which end loses tokens when a text is longer than `length`.
   * @defaultValue 'end'
   */
  truncation?: 'start' | 'end';
  /** Which end receives the padding. @defaultValue 'end' */
  padding?: 'start' | 'end';
}

/** Options of {@link encodeBatch}. */
export interface EncodeBatchOptions extends PadOptions {
  /**
   * Accept texts that give no token (their row is all padding, and the
   * text encoders encode it to zeros). When false, such a text throws,
   * naming its index. @defaultValue false
   */
  allowEmpty?: boolean;
}

/** Padded token ids and their mask, row-major `[batch, length]`. */
export interface TokenBatch {
  /** Token ids, padding included. */
  ids: Int32Array;
  /** 1 for a real token, 0 for padding. */
  mask: Uint8Array;
  /** Number of rows. */
  batch: number;
  /** Length of every row. */
  length: number;
  /** Real tokens per row, after truncation. */
  lengths: Int32Array;
  /** Rows that lost tokens to truncation. */
  truncated: number;
}

/** Largest id a padded batch holds: ids are stored as int32. */
const MAX_ID = 2 ** 31 - 1;

/**
 * Pads (or truncates) id sequences to one length and builds the mask.
 *
 * @example
 * ```ts
 * const batch = padSequences([[5, 6, 7], [8]], { length: 2, padId: 0 });
 * batch.ids; // Int32Array [5, 6, 8, 0]
 * batch.mask; // Uint8Array [1, 1, 1, 0]
 * ```
 * @param sequences - One id sequence (array or typed array) per row.
 * @param options - Length, sides and the padding id.
 * @returns The padded batch.
 * @throws TypeError when `sequences` is not an array of id sequences or
 *   the options are missing; RangeError for a length below 1, or an id or
 *   `padId` that is not an integer in `[0, 2**31 - 1]` (ids are int32).
 */
export function padSequences(
  sequences: readonly ArrayLike<number>[],
  options: PadOptions & { padId: number },
): TokenBatch {
  const where = 'padSequences';
  checkSequences(where, sequences);
  checkPadOptions(where, options);
  checkId(where, 'padId', options.padId);
  return pad(where, sequences, options, options.padId);
}

/**
 * Tokenizes texts and pads them to one length with a mask.
 *
 * @example
 * ```ts
 * const vocab = Vocabulary.fit(['the cat sat', 'the dog']);
 * const batch = encodeBatch(vocab, ['the cat', 'a dog'], { length: 4 });
 * // batch.ids: [2, 3, 0, 0, 1, 4, 0, 0] ('a' is unknown, id 1)
 * ```
 * @param tokenizer - Any {@link TextTokenizer}.
 * @param texts - The texts.
 * @param options - See {@link EncodeBatchOptions}.
 * @returns The padded batch.
 * @throws TypeError when a text is not a string, the options are missing,
 *   or the tokenizer's encode does not return an array of ids; RangeError
 *   when a text gives no token (unless `allowEmpty`) or an id is outside
 *   `[0, vocabularySize)`.
 */
export function encodeBatch(
  tokenizer: TextTokenizer,
  texts: readonly string[],
  options: EncodeBatchOptions,
): TokenBatch {
  const where = 'encodeBatch';
  checkTokenizer(where, tokenizer);
  if (!Array.isArray(texts)) {
    throw new TypeError(
      `${where}: expected an array of texts, received ${describe(texts)}`,
    );
  }
  checkPadOptions(where, options);
  checkId(where, 'padId', tokenizer.padId);

  const size = tokenizer.vocabularySize;
  const sequences = texts.map((text, i) => {
    if (typeof text !== 'string') {
      throw new TypeError(
        `${where}: expected text ${i} to be a string, received ` +
          describe(text),
      );
    }
    const ids: unknown = tokenizer.encode(text);
    if (!isIdArray(ids)) {
      throw new TypeError(
        `${where}: expected encode to return an array of ids for text ` +
          `${i} (${describe(text)}), received ${describe(ids)}`,
      );
    }
    if (ids.length === 0 && !options.allowEmpty) {
      throw new RangeError(
        `${where}: expected every text to give at least one token, ` +
          `received none for text ${i} (${describe(text)}); pass ` +
          `allowEmpty: true to encode it as padding only`,
      );
    }
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k] as number;
      if (!Number.isInteger(id) || id < 0 || id >= size) {
        throw new RangeError(
          `${where}: expected ids in [0, ${size}) from the tokenizer, ` +
            `received ${describe(id)} at position ${k} of text ${i}`,
        );
      }
    }
    return ids;
  });
  return pad(where, sequences, options, tokenizer.padId);
}

/**
 * The batch as tensors: ids int32 `[batch, length]` and the mask
 * `[batch, length]` as float32 0/1 (what a model input takes; the text
 * encoders read any nonzero value as a real token) or bool.
 *
 * @param batch - A {@link TokenBatch}.
 * @param maskDtype - dtype of the mask. @defaultValue 'float32'
 * @returns The two tensors; the caller disposes them.
 * @throws TypeError for a `maskDtype` other than `'float32'` or `'bool'`
 *   (ids are always int32), or a batch that is not a {@link TokenBatch}.
 */
export function tokenBatchTensors(
  batch: TokenBatch,
  maskDtype: 'float32' | 'bool' = 'float32',
): {
  /** Token ids `[batch, length]`, int32. */
  ids: tf.Tensor2D;
  /** 1 (or true) for a real token, 0 (false) for padding. */
  mask: tf.Tensor2D;
} {
  const where = 'tokenBatchTensors';
  assertOneOf(where, 'maskDtype', maskDtype, ['float32', 'bool']);
  const ok =
    batch !== null &&
    typeof batch === 'object' &&
    batch.ids instanceof Int32Array &&
    batch.mask instanceof Uint8Array &&
    Number.isInteger(batch.batch) &&
    Number.isInteger(batch.length) &&
    batch.ids.length === batch.batch * batch.length &&
    batch.mask.length === batch.ids.length;
  if (!ok) {
    throw new TypeError(
      `${where}: expected a TokenBatch (from encodeBatch or padSequences), ` +
        `received ${describe(batch)}`,
    );
  }

  const shape: [number, number] = [batch.batch, batch.length];
  const mask =
    maskDtype === 'bool'
      ? tf.tensor2d(batch.mask, shape, 'bool')
      : tf.tensor2d(Float32Array.from(batch.mask), shape, 'float32');
  return { ids: tf.tensor2d(batch.ids, shape, 'int32'), mask };
}

/**
 * Throws unless `tokenizer` has `encode` and a valid `padId` and
 * `vocabularySize`.
 *
 * @internal
 */
export function checkTokenizer(where: string, tokenizer: TextTokenizer): void {
  if (typeof tokenizer?.encode !== 'function') {
    throw new TypeError(
      `${where}: expected a tokenizer with an encode() method, received ` +
        describe(tokenizer),
    );
  }
  assertInteger(where, 'vocabularySize', tokenizer.vocabularySize, 1);
  const { padId, vocabularySize } = tokenizer;
  if (!Number.isInteger(padId) || padId < 0 || padId >= vocabularySize) {
    throw new RangeError(
      `${where}: expected padId in [0, ${vocabularySize}), received ` +
        describe(padId),
    );
  }
}

/**
 * True for an array or typed array (the forms a token-id list takes).
 *
 * @internal
 */
export function isIdArray(value: unknown): value is ArrayLike<number> {
  return (
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) && !(value instanceof DataView))
  );
}

function checkSequences(where: string, sequences: unknown): void {
  if (!Array.isArray(sequences)) {
    throw new TypeError(
      `${where}: expected an array of id sequences (one array of ids per ` +
        `row), received ${describe(sequences)}`,
    );
  }
  sequences.forEach((row: unknown, r) => {
    if (!isIdArray(row)) {
      throw new TypeError(
        `${where}: expected row ${r} to be an array of ids, received ` +
          describe(row),
      );
    }
  });
}

function checkPadOptions(where: string, options: PadOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${where}: expected options with a length, such as { length: 32 }, ` +
        `received ${describe(options)}`,
    );
  }
  assertInteger(where, 'length', options.length, 1);
  assertOneOf(where, 'truncation', options.truncation ?? 'end', [
    'start',
    'end',
  ]);
  assertOneOf(where, 'padding', options.padding ?? 'end', ['start', 'end']);
}

/** Throws a RangeError unless `id` is an integer int32 can hold, >= 0. */
function checkId(where: string, name: string, id: unknown): void {
  if (!Number.isInteger(id) || (id as number) < 0 || (id as number) > MAX_ID) {
    throw new RangeError(
      `${where}: expected ${name} to be an integer in [0, ${MAX_ID}] ` +
        `(int32), received ${describe(id)}`,
    );
  }
}

/** Pads checked sequences; names `where` in its errors. */
function pad(
  where: string,
  sequences: readonly ArrayLike<number>[],
  options: PadOptions,
  padId: number,
): TokenBatch {
  const { length } = options;
  const truncation = options.truncation ?? 'end';
  const padding = options.padding ?? 'end';

  const batch = sequences.length;
  const ids = new Int32Array(batch * length).fill(padId);
  const mask = new Uint8Array(batch * length);
  const lengths = new Int32Array(batch);
  let truncated = 0;
  sequences.forEach((seq, r) => {
    const n = seq.length;
    const kept = Math.min(n, length);
    if (n > length) truncated++;
    const from = truncation === 'start' ? n - kept : 0;
    const to = padding === 'start' ? length - kept : 0;
    for (let i = 0; i < kept; i++) {
      const id = seq[from + i] as number;
      if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
        throw new RangeError(
          `${where}: expected ids that are integers in [0, ${MAX_ID}] ` +
            `(int32), received ${describe(id)} at position ${from + i} of ` +
            `row ${r}`,
        );
      }
      ids[r * length + to + i] = id;
      mask[r * length + to + i] = 1;
    }
    lengths[r] = kept;
  });
  return { ids, mask, batch, length, lengths, truncated };
}
