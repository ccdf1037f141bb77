/**
 * A word-level vocabulary fitted on training texts, with reserved padding
 * and unknown ids, that travels with a saved model.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger } from '../internal/assert';
import { describe } from '../internal/errors';
import type { TextTokenizer } from './tokenizer';

/** Options of {@link Vocabulary.fit}. */
export interface VocabularyOptions {
  /** Lowercase texts before splitting them into words. @defaultValue true */
  lowercase?: boolean;
  /**
   * Locale of the lowercasing (`toLocaleLowerCase`), e.g. `'tr'`; omit for
   * the locale-independent `toLowerCase`.
   */
  locale?: string;
  /**
   * Keep each punctuation or symbol character (`%`, `$`, `!`, ...) as a
   * token of its own; otherwise only words are tokens. @defaultValue true
   */
  punctuation?: boolean;
  /** Words seen fewer times than this become unknown. @defaultValue 1 */
  minCount?: number;
  /**
   * Largest number of ids, the reserved ones included; the most frequent
   * words are kept. @defaultValue no limit
   */
  maxSize?: number;
  /** The padding token, id 0. @defaultValue '[PAD]' */
  padToken?: string;
  /** The unknown token, id 1. @defaultValue '[UNK]' */
  unknownToken?: string;
  /**
   * More reserved tokens (`[CLS]`, `[SEP]`, ...), ids 2, 3, ... in order.
   * @defaultValue []
   */
  specialTokens?: string[];
}

/** The plain-data form of a {@link Vocabulary}. */
export interface VocabularyJSON {
  /** Discriminant checked by {@link Vocabulary.fromJSON}. */
  kind: 'Vocabulary';
  /** Token of each id: padding, unknown, special tokens, then words. */
  tokens: string[];
  /** Whether texts are lowercased. */
  lowercase: boolean;
  /** Locale of the lowercasing, or null. */
  locale: string | null;
  /** Whether punctuation characters are tokens. */
  punctuation: boolean;
  /** Number of reserved tokens at the start of `tokens`. */
  reserved: number;
}

/** Words: letters and digits, with inner apostrophes, dots or hyphens. */
const WORD = String.raw`[\p{L}\p{N}]+(?:['’.\-][\p{L}\p{N}]+)*`;
/** One punctuation or symbol character. */
const SYMBOL = String.raw`[\p{P}\p{S}]`;

/**
 * A word-level vocabulary: id 0 is padding, id 1 unknown, then any special
 * tokens, then the words of the training texts by descending count (ties
 * in code-point order, so the ids never depend on the order of the texts).
 *
 * Tokens are words (runs of letters and digits that may contain `'`, `’`,
 * `.` or `-` between them, so `Britain's`, `U.S` and `5.5` are one token)
 * and, with `punctuation`, single punctuation and symbol characters.
 *
 * Fit it on the training texts only; it implements {@link TextTokenizer},
 * so {@link encodeBatch} pads its ids for the text encoders. Save it with
 * {@link Vocabulary.toJSON}, or inside a model's artifacts with
 * {@link attachVocabulary}.
 *
 * @example
 * ```ts
 * const texts = ['Profit rose', 'profit fell'];
 * const vocab = Vocabulary.fit(texts, { minCount: 2 });
 * vocab.tokens; // ['[PAD]', '[UNK]', 'profit']
 * vocab.encode('Profit rose'); // [2, 1]
 * ```
 */
export class Vocabulary implements TextTokenizer {
  /** Token of each id. */
  readonly tokens: readonly string[];
  /** Whether texts are lowercased. */
  readonly lowercase: boolean;
  /** Locale of the lowercasing, or null. */
  readonly locale: string | null;
  /** Whether punctuation characters are tokens. */
  readonly punctuation: boolean;
  /** Number of reserved ids (padding, unknown and special tokens). */
  readonly reserved: number;
  /** Id of the padding token: 0. */
  readonly padId = 0;
  /** Id of the unknown token: 1. */
  readonly unknownId = 1;

  private readonly ids: Map<string, number>;
  private readonly pattern: RegExp;

  private constructor(json: Omit<VocabularyJSON, 'kind'>) {
    this.tokens = [...json.tokens];
    this.lowercase = json.lowercase;
    this.locale = json.locale;
    this.punctuation = json.punctuation;
    this.reserved = json.reserved;
    this.ids = new Map(this.tokens.map((t, i) => [t, i]));
    this.pattern = new RegExp(
      json.punctuation ? `${WORD}|${SYMBOL}` : WORD,
      'gu',
    );
  }

  /** Number of ids, the reserved ones included. */
  get vocabularySize(): number {
    return this.tokens.length;
  }

  /**
   * Builds a vocabulary from training texts.
   *
   * @param texts - The training texts: an array (or other iterable) of
   *   strings, never a single string.
   * @param options - See {@link VocabularyOptions}.
   * @returns The vocabulary.
   * @throws TypeError when `texts` is a string or not iterable, or a text
   *   is not a string; RangeError for invalid options (an unknown `locale`
   *   included), repeated reserved tokens, or texts that give no word.
   */
  static fit(
    texts: Iterable<string>,
    options: VocabularyOptions = {},
  ): Vocabulary {
    const where = 'Vocabulary.fit';
    if (typeof texts === 'string') {
      throw new TypeError(
        `${where}: expected an array of texts, received a single string ` +
          `${describe(texts)}; wrap it in an array: [text]`,
      );
    }
    const iterable =
      texts !== null &&
      typeof texts === 'object' &&
      typeof (texts as Partial<Iterable<string>>)[Symbol.iterator] ===
        'function';
    if (!iterable) {
      throw new TypeError(
        `${where}: expected an array (or other iterable) of texts, ` +
          `received ${describe(texts)}`,
      );
    }
    const locale = options.locale ?? null;
    checkLocale(where, locale);
    const minCount = options.minCount ?? 1;
    assertInteger(where, 'minCount', minCount, 1);
    const reservedTokens = [
      options.padToken ?? '[PAD]',
      options.unknownToken ?? '[UNK]',
      ...(options.specialTokens ?? []),
    ];
    const maxSize = options.maxSize ?? Infinity;
    if (maxSize !== Infinity) {
      assertInteger(where, 'maxSize', maxSize, reservedTokens.length);
    }
    checkReserved(where, reservedTokens);
    const base = new Vocabulary({
      tokens: reservedTokens,
      lowercase: options.lowercase ?? true,
      locale,
      punctuation: options.punctuation ?? true,
      reserved: reservedTokens.length,
    });

    const counts = new Map<string, number>();
    let index = 0;
    for (const text of texts) {
      if (typeof text !== 'string') {
        throw new TypeError(
          `${where}: expected text ${index} to be a string, received ` +
            describe(text),
        );
      }
      for (const token of base.tokenize(text)) {
        counts.set(token, (counts.get(token) ?? 0) + 1);
      }
      index++;
    }
    if (counts.size === 0) {
      throw new RangeError(
        `${where}: expected texts with at least one word, received ` +
          `${index} text${index === 1 ? '' : 's'} without any`,
      );
    }
    const reserved = new Set(reservedTokens);
    const words = [...counts.entries()]
      .filter(([token, n]) => n >= minCount && !reserved.has(token))
      .sort(([a, na], [b, nb]) => nb - na || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, Math.max(0, maxSize - reservedTokens.length))
      .map(([token]) => token);
    return new Vocabulary({
      tokens: [...reservedTokens, ...words],
      lowercase: base.lowercase,
      locale: base.locale,
      punctuation: base.punctuation,
      reserved: reservedTokens.length,
    });
  }

  /**
   * Splits a text into tokens (lowercased when the vocabulary is).
   *
   * @param text - The text.
   * @returns Its tokens, known or not.
   * @throws TypeError when `text` is not a string.
   */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') {
      throw new TypeError(
        `Vocabulary.tokenize: expected a string, received ${describe(text)}`,
      );
    }
    const source = !this.lowercase
      ? text
      : this.locale === null
        ? text.toLowerCase()
        : text.toLocaleLowerCase(this.locale);
    return source.match(this.pattern) ?? [];
  }

  /**
   * Token ids of a text, unknown words as {@link Vocabulary.unknownId}.
   *
   * @param text - The text.
   * @returns One id per token; empty for a text without tokens.
   */
  encode(text: string): number[] {
    return this.tokenize(text).map((t) => this.ids.get(t) ?? this.unknownId);
  }

  /**
   * The id of one token (already lowercased if the vocabulary is).
   *
   * @param token - The token.
   * @returns Its id, or the unknown id.
   */
  idOf(token: string): number {
    return this.ids.get(token) ?? this.unknownId;
  }

  /**
   * The tokens of ids.
   *
   * @param ids - Token ids.
   * @returns One token per id.
   * @throws RangeError for an id outside `[0, vocabularySize)`.
   */
  decode(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id, i) => {
      const token = this.tokens[id];
      if (token === undefined) {
        throw new RangeError(
          `Vocabulary.decode: expected ids in [0, ${this.tokens.length}), ` +
            `received ${describe(id)} at position ${i}`,
        );
      }
      return token;
    });
  }

  /** The vocabulary as plain data. */
  toJSON(): VocabularyJSON {
    return {
      kind: 'Vocabulary',
      tokens: [...this.tokens],
      lowercase: this.lowercase,
      locale: this.locale,
      punctuation: this.punctuation,
      reserved: this.reserved,
    };
  }

  /**
   * Restores a vocabulary saved with {@link Vocabulary.toJSON}.
   *
   * @param json - The plain data (parsed JSON).
   * @returns The vocabulary.
   * @throws TypeError when `kind` is not `'Vocabulary'` or a field has the
   *   wrong type; RangeError when tokens repeat, `reserved` is out of
   *   range or `locale` is not a valid language tag.
   */
  static fromJSON(json: unknown): Vocabulary {
    const where = 'Vocabulary.fromJSON';
    const data = (json ?? {}) as Partial<Record<string, unknown>>;
    if (data.kind !== 'Vocabulary') {
      throw new TypeError(
        `${where}: expected kind 'Vocabulary', received ${describe(data.kind)}`,
      );
    }
    const { tokens, lowercase, locale, punctuation, reserved } = data;
    const ok =
      Array.isArray(tokens) &&
      tokens.every((t) => typeof t === 'string') &&
      typeof lowercase === 'boolean' &&
      typeof punctuation === 'boolean' &&
      (locale === null || typeof locale === 'string');
    if (!ok) {
      throw new TypeError(
        `${where}: expected tokens (strings), lowercase, punctuation ` +
          `(booleans) and locale (string or null), received tokens ` +
          `${describe(tokens)}, lowercase ${describe(lowercase)}, ` +
          `punctuation ${describe(punctuation)}, locale ${describe(locale)}`,
      );
    }
    checkLocale(where, locale);
    assertInteger(where, 'reserved', reserved, 2);
    if (reserved > tokens.length) {
      throw new RangeError(
        `${where}: expected reserved <= ${tokens.length} tokens, received ` +
          `${reserved}`,
      );
    }
    checkReserved(where, tokens as string[]);
    return new Vocabulary({
      tokens: tokens as string[],
      lowercase,
      locale: locale as string | null,
      punctuation,
      reserved,
    });
  }
}

/** Key under which {@link attachVocabulary} stores a vocabulary. */
export const VOCABULARY_METADATA_KEY = 'modalfuseVocabulary';

/**
 * Stores a vocabulary in a model's user-defined metadata, which
 * `model.save` writes with the topology and `tf.loadLayersModel` restores;
 * read it back with {@link vocabularyFromModel}.
 *
 * @param model - The model (its other metadata is kept).
 * @param vocabulary - The vocabulary the model was trained with.
 * @param key - Metadata key. @defaultValue {@link VOCABULARY_METADATA_KEY}
 */
export function attachVocabulary(
  model: tfl.LayersModel,
  vocabulary: Vocabulary,
  key: string = VOCABULARY_METADATA_KEY,
): void {
  const current = (model.getUserDefinedMetadata() ?? {}) as Record<
    string,
    unknown
  >;
  model.setUserDefinedMetadata({ ...current, [key]: vocabulary.toJSON() });
}

/**
 * Reads the vocabulary that {@link attachVocabulary} stored in a model.
 *
 * @param model - A model, typically just loaded.
 * @param key - Metadata key. @defaultValue {@link VOCABULARY_METADATA_KEY}
 * @returns The vocabulary.
 * @throws RangeError when the model's metadata has no such key (the
 *   message lists the keys it has); as {@link Vocabulary.fromJSON}.
 */
export function vocabularyFromModel(
  model: tfl.LayersModel,
  key: string = VOCABULARY_METADATA_KEY,
): Vocabulary {
  const metadata = (model.getUserDefinedMetadata() ?? {}) as Record<
    string,
    unknown
  >;
  if (!(key in metadata)) {
    throw new RangeError(
      `vocabularyFromModel: expected model '${model.name}' to have ` +
        `metadata '${key}', received keys ` +
        `[${Object.keys(metadata).join(', ')}]`,
    );
  }
  return Vocabulary.fromJSON(metadata[key]);
}

function checkReserved(where: string, tokens: readonly string[]): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token === '' || seen.has(token)) {
      throw new RangeError(
        `${where}: expected distinct non-empty tokens, received ` +
          `${describe(token)} ${token === '' ? '' : 'twice'}`.trimEnd(),
      );
    }
    seen.add(token);
  }
}

/** Throws unless `locale` is null or a valid BCP 47 language tag. */
function checkLocale(where: string, locale: unknown): void {
  if (locale === null) return;
  const expected =
    `${where}: expected locale to be a BCP 47 language tag such as 'tr' ` +
    `or 'en-US' (or omitted), received ${describe(locale)}`;
  if (typeof locale !== 'string') throw new TypeError(expected);
  try {
    'a'.toLocaleLowerCase(locale);
  } catch {
    throw new RangeError(expected);
  }
}
