/**
 * Tokenizers as the text encoders see them: any object that turns a text
 * into token ids, padding and truncation to a fixed length with a mask,
 * and an adapter for Hugging Face `tokenizer.json` tokenizers.
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
  /** Token ids of one text, without padding. */
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

/**
 * Pads (or truncates) id sequences to one length and builds the mask.
 *
 * @example
 * ```ts
 * const batch = padSequences([[5, 6, 7], [8]], { length: 2, padId: 0 });
 * batch.ids; // Int32Array [5, 6, 8, 0]
 * batch.mask; // Uint8Array [1, 1, 1, 0]
 * ```
 * @param sequences - One id sequence per row.
 * @param options - Length, sides and the padding id.
 * @returns The padded batch.
 * @throws RangeError for a length below 1 or a non-integer id.
 */
export function padSequences(
  sequences: readonly ArrayLike<number>[],
  options: PadOptions & { padId: number },
): TokenBatch {
  const where = 'padSequences';
  const { length, padId } = options;
  assertInteger(where, 'length', length, 1);
  assertInteger(where, 'padId', padId, 0);
  const truncation = options.truncation ?? 'end';
  const padding = options.padding ?? 'end';
  assertOneOf(where, 'truncation', truncation, ['start', 'end']);
  assertOneOf(where, 'padding', padding, ['start', 'end']);

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
      if (!Number.isInteger(id) || id < 0) {
        throw new RangeError(
          `${where}: expected non-negative integer ids, received ` +
            `${describe(id)} at position ${from + i} of row ${r}`,
        );
      }
      ids[r * length + to + i] = id;
      mask[r * length + to + i] = 1;
    }
    lengths[r] = kept;
  });
  return { ids, mask, batch, length, lengths, truncated };
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
 * @throws TypeError when a text is not a string; RangeError when a text
 *   gives no token (unless `allowEmpty`) or an id is outside
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
  const size = tokenizer.vocabularySize;
  const sequences = texts.map((text, i) => {
    if (typeof text !== 'string') {
      throw new TypeError(
        `${where}: expected text ${i} to be a string, received ` +
          describe(text),
      );
    }
    const ids = tokenizer.encode(text);
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
  return padSequences(sequences, { ...options, padId: tokenizer.padId });
}

/**
 * The batch as tensors: ids int32 `[batch, length]` and the mask
 * `[batch, length]` as float32 0/1 (what a model input takes; the text
 * encoders read any nonzero value as a real token) or bool.
 *
 * @param batch - A {@link TokenBatch}.
 * @param maskDtype - dtype of the mask. @defaultValue 'float32'
 * @returns The two tensors; the caller disposes them.
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
  const shape: [number, number] = [batch.batch, batch.length];
  const mask =
    maskDtype === 'bool'
      ? tf.tensor2d(batch.mask, shape, 'bool')
      : tf.tensor2d(Float32Array.from(batch.mask), shape, 'float32');
  return { ids: tf.tensor2d(batch.ids, shape, 'int32'), mask };
}

/** Options of {@link tokenizerFromFunction}. */
export interface TokenizerFunctionOptions {
  /** Maps a text to its token ids. */
  encode: (text: string) => ArrayLike<number>;
  /** Id of the padding token. */
  padId: number;
  /** Number of ids. */
  vocabularySize: number;
}

/**
 * Wraps any text-to-ids function as a {@link TextTokenizer}.
 *
 * @param options - See {@link TokenizerFunctionOptions}.
 * @returns The tokenizer.
 * @throws RangeError when `padId` is not in `[0, vocabularySize)`.
 */
export function tokenizerFromFunction(
  options: TokenizerFunctionOptions,
): TextTokenizer {
  const where = 'tokenizerFromFunction';
  if (typeof options?.encode !== 'function') {
    throw new TypeError(
      `${where}: expected encode to be a function, received ` +
        describe(options?.encode),
    );
  }
  const tokenizer: TextTokenizer = {
    encode: options.encode,
    padId: options.padId,
    vocabularySize: options.vocabularySize,
  };
  checkTokenizer(where, tokenizer);
  return tokenizer;
}

/**
 * The part of a Hugging Face tokenizer that {@link huggingFaceTokenizer}
 * uses; `Tokenizer` of `@huggingface/tokenizers` (and of transformers.js)
 * has it.
 */
export interface HuggingFaceTokenizerLike {
  /** Encodes one text. */
  encode(
    text: string,
    options?: { add_special_tokens?: boolean },
  ): {
    /** The token ids of the text. */
    ids: readonly number[];
  };
  /** Id of a token, or undefined. */
  token_to_id(token: string): number | undefined;
  /** Token to id, added tokens included when asked. */
  get_vocab(withAddedTokens?: boolean): Map<string, number>;
}

/** Options of {@link huggingFaceTokenizer}. */
export interface HuggingFaceTokenizerOptions {
  /**
   * Padding token; its id is looked up. When omitted, the first of
   * `[PAD]`, `<pad>`, `<|padding|>` that the vocabulary has.
   */
  padToken?: string;
  /** Padding id, instead of looking up `padToken`. */
  padId?: number;
  /**
   * Add the model's special tokens (`[CLS]` ... `[SEP]`, `<s>` ... `</s>`)
   * as its post-processor says. @defaultValue true
   */
  addSpecialTokens?: boolean;
}

/**
 * Adapts a Hugging Face tokenizer, loaded from a model's `tokenizer.json`
 * (for instance with `@huggingface/tokenizers`), so a pretrained encoder
 * gets exactly the ids it was trained with.
 *
 * @example
 * ```ts
 * import { Tokenizer } from '@huggingface/tokenizers';
 * const hf = new Tokenizer(tokenizerJson, tokenizerConfig);
 * const tokenizer = huggingFaceTokenizer(hf);
 * const batch = encodeBatch(tokenizer, ['Shares rose 3%'], { length: 16 });
 * ```
 * @param tokenizer - The loaded tokenizer.
 * @param options - See {@link HuggingFaceTokenizerOptions}.
 * @returns The adapted tokenizer.
 * @throws TypeError when the object lacks `encode`, `token_to_id` or
 *   `get_vocab`; RangeError when no padding token is found (the message
 *   lists the names tried).
 */
export function huggingFaceTokenizer(
  tokenizer: HuggingFaceTokenizerLike,
  options: HuggingFaceTokenizerOptions = {},
): TextTokenizer {
  const where = 'huggingFaceTokenizer';
  for (const method of ['encode', 'token_to_id', 'get_vocab'] as const) {
    if (
      typeof (tokenizer as unknown as Record<string, unknown>)?.[method] !==
      'function'
    ) {
      throw new TypeError(
        `${where}: expected a tokenizer with a ${method}() method (such as ` +
          `Tokenizer of @huggingface/tokenizers), received ` +
          describe(tokenizer),
      );
    }
  }
  let vocabularySize = 0;
  for (const id of tokenizer.get_vocab(true).values()) {
    vocabularySize = Math.max(vocabularySize, id + 1);
  }
  const padId = options.padId ?? findPadId(where, tokenizer, options.padToken);
  const addSpecial = options.addSpecialTokens ?? true;
  return tokenizerFromFunction({
    encode: (text) =>
      tokenizer.encode(text, { add_special_tokens: addSpecial }).ids,
    padId,
    vocabularySize,
  });
}

function findPadId(
  where: string,
  tokenizer: HuggingFaceTokenizerLike,
  padToken: string | undefined,
): number {
  const names =
    padToken === undefined ? ['[PAD]', '<pad>', '<|padding|>'] : [padToken];
  for (const name of names) {
    const id = tokenizer.token_to_id(name);
    if (id !== undefined) return id;
  }
  throw new RangeError(
    `${where}: expected the vocabulary to have a padding token ` +
      `(${names.map((n) => `'${n}'`).join(', ')}), received none; pass ` +
      `padToken or padId`,
  );
}

function checkTokenizer(where: string, tokenizer: TextTokenizer): void {
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
