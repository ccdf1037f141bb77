/**
 * Adapters that turn other tokenizers into a {@link TextTokenizer}: any
 * text-to-ids function, and Hugging Face tokenizers loaded from a model's
 * `tokenizer.json`.
 */
import { describe } from '../internal/errors';
import { type TextTokenizer, checkTokenizer, isIdArray } from './tokenizer';

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
 * uses; `Tokenizer` of `@huggingface/tokenizers` has it, and so do
 * tokenizers whose `encode` returns the ids themselves (transformers.js).
 */
export interface HuggingFaceTokenizerLike {
  /** Encodes one text: an Encoding with `ids`, or the ids. */
  encode(
    text: string,
    options?: { add_special_tokens?: boolean },
  ):
    | {
        /** The token ids of the text. */
        ids: ArrayLike<number>;
      }
    | ArrayLike<number>;
  /**
   * Id of a token, or undefined (or null); when absent, tokens are looked
   * up in `get_vocab()`.
   */
  token_to_id?(token: string): number | undefined | null;
  /**
   * Token to id (a Map or a plain object), added tokens included when
   * asked.
   */
  get_vocab(
    withAddedTokens?: boolean,
  ): Map<string, number> | Record<string, number>;
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
 * gets exactly the ids it was trained with. `encode` may return an
 * Encoding with `ids` or the ids themselves; `get_vocab` a Map or a plain
 * object.
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
 * @throws TypeError when the object lacks `encode` or `get_vocab`, when
 *   `get_vocab` returns neither a Map nor a plain object, or (when a text
 *   is encoded) `encode` returns neither ids nor an object with ids;
 *   RangeError for an empty vocabulary, a vocabulary id that is not an
 *   integer >= 0, a `padId` outside the vocabulary, or no padding token
 *   (the message lists the names tried).
 */
export function huggingFaceTokenizer(
  tokenizer: HuggingFaceTokenizerLike,
  options: HuggingFaceTokenizerOptions = {},
): TextTokenizer {
  const where = 'huggingFaceTokenizer';
  for (const method of ['encode', 'get_vocab'] as const) {
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
  const vocab = vocabularyOf(where, tokenizer.get_vocab(true));
  let vocabularySize = 0;
  for (const id of vocab.values()) {
    vocabularySize = Math.max(vocabularySize, id + 1);
  }
  const padId =
    options.padId ?? findPadId(where, tokenizer, vocab, options.padToken);
  const addSpecial = options.addSpecialTokens ?? true;

  const adapted: TextTokenizer = {
    encode: (text) =>
      idsOf(where, tokenizer.encode(text, { add_special_tokens: addSpecial })),
    padId,
    vocabularySize,
  };
  checkTokenizer(where, adapted);
  return adapted;
}

/** The ids of an encode result: the ids, or an Encoding's `ids`. */
function idsOf(where: string, result: unknown): ArrayLike<number> {
  if (isIdArray(result)) return result;
  const ids = (result as { ids?: unknown } | null)?.ids;
  if (isIdArray(ids)) return ids;
  throw new TypeError(
    `${where}: expected encode to return the ids (an array) or an object ` +
      `with ids (an Encoding), received ${describe(result)}`,
  );
}

/** Token to id from what get_vocab returned: a Map or a plain object. */
function vocabularyOf(where: string, vocab: unknown): Map<string, number> {
  const isPlain =
    vocab !== null &&
    typeof vocab === 'object' &&
    Object.getPrototypeOf(vocab) === Object.prototype;
  if (!(vocab instanceof Map) && !isPlain) {
    throw new TypeError(
      `${where}: expected get_vocab to return a Map or a plain object of ` +
        `token to id, received ${describe(vocab)}`,
    );
  }
  const entries = new Map<string, number>(
    vocab instanceof Map
      ? vocab
      : Object.entries(vocab as Record<string, number>),
  );
  if (entries.size === 0) {
    throw new RangeError(
      `${where}: expected get_vocab to return at least one token, ` +
        `received an empty vocabulary`,
    );
  }
  for (const [token, id] of entries) {
    if (!Number.isInteger(id) || id < 0) {
      throw new RangeError(
        `${where}: expected get_vocab ids to be integers >= 0, received ` +
          `${describe(id)} for token ${describe(token)}`,
      );
    }
  }
  return entries;
}

function findPadId(
  where: string,
  tokenizer: HuggingFaceTokenizerLike,
  vocab: Map<string, number>,
  padToken: string | undefined,
): number {
  const names =
    padToken === undefined ? ['[PAD]', '<pad>', '<|padding|>'] : [padToken];
  for (const name of names) {
    const id =
      typeof tokenizer.token_to_id === 'function'
        ? tokenizer.token_to_id(name)
        : vocab.get(name);
    if (id !== undefined && id !== null) return id;
  }
  throw new RangeError(
    `${where}: expected the vocabulary to have a padding token ` +
      `(${names.map((n) => `'${n}'`).join(', ')}), received none; pass ` +
      `padToken or padId`,
  );
}
