/**
 * Pretrained encoders exported to ONNX, run by onnxruntime as frozen
 * feature extractors whose outputs feed modalfuse models.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, describe, formatShape } from '../internal/errors';
import { checkBatchDims, emptyOutputShape, poolOutput } from './onnx-output';
import {
  type OnnxFeed,
  type OnnxInputType,
  type OnnxSessionLike,
  type OnnxTensorConstructor,
  checkIntegerFeed,
  concatenate,
  defaultTensorClass,
  feedValues,
  inputType,
  readOutput,
} from './onnx-runtime';
import { type TextTokenizer, encodeBatch } from './tokenizer';

/** Options of {@link OnnxEncoder}. */
export interface OnnxEncoderArgs {
  /** The session, created by the caller's onnxruntime package. */
  session: OnnxSessionLike;
  /**
   * That package's `Tensor` class (`ort.Tensor`), used to build feeds; by
   * default the one of `onnxruntime-common`, imported on first use.
   */
  tensor?: OnnxTensorConstructor;
  /**
   * Model input name to feed name, for inputs whose feed has another name
   * (`{ input_ids: 'ids' }`); other inputs take the feed of their own name.
   * @defaultValue {}
   */
  inputs?: Record<string, string>;
  /** The output to return. @defaultValue the model's first output */
  output?: string;
  /**
   * Pooling of a sequence output `[batch, time, d]`: `'none'`, `'mean'`
   * over the positions where the mask feed is nonzero, or `'first'` (the
   * `[CLS]` position). @defaultValue 'none'
   */
  pooling?: 'none' | 'mean' | 'first';
  /** Feed name of the mask used by `'mean'`. @defaultValue 'attention_mask' */
  maskFeed?: string;
  /**
   * Element type per model input, for sessions that report no input
   * metadata. @defaultValue from `session.inputMetadata`, else 'int64'
   */
  inputTypes?: Record<string, OnnxInputType>;
  /** Rows per `session.run`. @defaultValue 32 */
  batchSize?: number;
}

/** Names of a text model's inputs, for {@link OnnxEncoder.encodeTexts}. */
export interface OnnxTextInputs {
  /** Input of the token ids. @defaultValue 'input_ids' */
  ids?: string;
  /**
   * Input of the attention mask, if the model has one.
   * @defaultValue 'attention_mask'
   */
  mask?: string;
  /**
   * Input of the segment ids (all 0), if the model has one.
   * @defaultValue 'token_type_ids'
   */
  typeIds?: string;
}

/**
 * A pretrained encoder in ONNX format as a frozen feature extractor. It
 * maps named feeds to the model's inputs, runs them through
 * `session.run` in batches and returns one output as a tfjs tensor of
 * shape `[rows, ...the output's other dims]`, or `[rows, d]` after pooling
 * a `[rows, time, d]` output.
 *
 * Frozen: onnxruntime runs outside tfjs, so no gradient flows into the
 * ONNX model. Use it inside a fusion model by computing its outputs once
 * and feeding them as a modality's input, e.g.
 * `modalities: { text: { shape: [d] } }` with the encoded tensor, with or
 * without a trainable encoder (an MLP) on top; the rest of the model
 * trains as usual.
 *
 * Bring your own runtime: pass a session of `onnxruntime-node` (Node) or
 * `onnxruntime-web` (browsers) and its `Tensor` class; modalfuse imports
 * neither. Tensors are read by their `type`, `data` and `dims` fields
 * (never `instanceof`), so mixing copies of onnxruntime-common is safe.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * const session = await ort.InferenceSession.create('encoder.onnx');
 * const encoder = new OnnxEncoder({
 *   session,
 *   tensor: ort.Tensor,
 *   output: 'last_hidden_state',
 *   pooling: 'mean',
 * });
 * const features = await encoder.encodeTexts(tokenizer, texts, { length: 64 });
 * // features: tf.Tensor2D [texts.length, hidden]
 * ```
 */
export class OnnxEncoder {
  /** The session. */
  readonly session: OnnxSessionLike;
  /** The output returned. */
  readonly output: string;
  /** Pooling of a sequence output. */
  readonly pooling: 'none' | 'mean' | 'first';
  /** Feed name of the pooling mask. */
  readonly maskFeed: string;
  /** Rows per run. */
  readonly batchSize: number;

  private readonly feedOf: Record<string, string>;
  private readonly types: Record<string, OnnxInputType>;
  private tensorClass: OnnxTensorConstructor | undefined;

  /**
   * @param args - See {@link OnnxEncoderArgs}.
   * @throws TypeError when the session lacks input or output names (or
   *   has none) or `run`, or when `inputs` or `output` name something the
   *   model does not have (the message lists what it has).
   */
  constructor(args: OnnxEncoderArgs) {
    const where = 'OnnxEncoder';
    const session = args?.session;
    const ok =
      session !== null &&
      typeof session === 'object' &&
      Array.isArray(session.inputNames) &&
      Array.isArray(session.outputNames) &&
      typeof session.run === 'function';
    if (!ok) {
      throw new TypeError(
        `${where}: expected an onnxruntime InferenceSession (inputNames, ` +
          `outputNames, run), received ${describe(session)}`,
      );
    }
    for (const kind of ['input', 'output'] as const) {
      const names = kind === 'input' ? session.inputNames : session.outputNames;
      if (names.length === 0) {
        throw new TypeError(
          `${where}: expected a session with at least one ${kind}, ` +
            `received ${kind}Names []`,
        );
      }
    }
    this.session = session;
    this.tensorClass = args.tensor;
    const inputs = session.inputNames;
    for (const name of Object.keys(args.inputs ?? {})) {
      if (!inputs.includes(name)) {
        throw new TypeError(
          `${where}: inputs maps '${name}', which is not an input of the ` +
            `model; the model has inputs [${inputs.join(', ')}]`,
        );
      }
    }
    this.feedOf = Object.fromEntries(
      inputs.map((n) => [n, args.inputs?.[n] ?? n]),
    );
    this.output = args.output ?? (session.outputNames[0] as string);
    if (!session.outputNames.includes(this.output)) {
      throw new TypeError(
        `${where}: expected output '${this.output}' among the model's ` +
          `outputs [${session.outputNames.join(', ')}]`,
      );
    }
    this.pooling = args.pooling ?? 'none';
    assertOneOf(where, 'pooling', this.pooling, ['none', 'mean', 'first']);
    this.maskFeed = args.maskFeed ?? 'attention_mask';
    this.batchSize = args.batchSize ?? 32;
    assertInteger(where, 'batchSize', this.batchSize, 1);
    this.types = Object.fromEntries(
      inputs.map((n) => [n, inputType(where, session, n, args.inputTypes)]),
    );
  }

  /** The model's input names. */
  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  /**
   * Runs the model on named feeds, in batches of `batchSize` rows.
   *
   * With 0 rows the session is not run: the output's other dims are read
   * from `session.outputMetadata` (a symbolic dim shared with an input,
   * such as `'sequence'`, takes that feed's size).
   *
   * @param feeds - One feed per model input (named as mapped by `inputs`),
   *   each a tfjs tensor or `{ values, shape }` of shape `[rows, ...]`;
   *   extra feeds are ignored. Feeds of int32 and int64 inputs must hold
   *   integers (they are never rounded).
   * @returns The output (pooled if asked), float32 `[rows, ...]`; the
   *   caller disposes it.
   * @throws TypeError naming a model input without a feed (listing the
   *   feeds received and the model's inputs) or a feed of another form;
   *   RangeError for a non-integer value in an integer feed, or 0 rows
   *   when the output's dims are unknown; ShapeError when a feed has rank
   *   0, feeds disagree on the row count, the mask does not fit the
   *   output, or an output has the wrong row count or dims that do not
   *   match its data; TypeError for an output that is not a numeric
   *   tensor.
   */
  async encode(feeds: Record<string, OnnxFeed>): Promise<tf.Tensor> {
    const where = 'OnnxEncoder.encode';
    const arrays = this.readFeeds(where, feeds);
    const rows = arrays.rows;
    const mask = this.pooling === 'mean' ? this.readMask(where, feeds) : null;
    if (rows === 0) {
      return poolOutput(
        this,
        where,
        new Float32Array(0),
        emptyOutputShape(this, where, arrays),
        mask,
      );
    }

    const parts: Float32Array[] = [];
    let dims: number[] = [];
    for (let start = 0; start < rows; start += this.batchSize) {
      const size = Math.min(this.batchSize, rows - start);
      const batchFeeds: Record<string, unknown> = {};
      for (const name of this.session.inputNames) {
        const { values, shape } = arrays.byInput[name]!;
        const width = shape.slice(1).reduce((a, b) => a * b, 1);
        const slice = values.subarray(start * width, (start + size) * width);
        batchFeeds[name] = await this.makeTensor(name, slice, [
          size,
          ...shape.slice(1),
        ]);
      }
      const result = await this.session.run(batchFeeds);
      const out = readOutput(where, result[this.output], this.output);
      checkBatchDims(this, where, out.dims, size, start, dims);
      dims = out.dims.slice(1);
      parts.push(out.values);
    }

    const values = concatenate(parts);
    return poolOutput(this, where, values, [rows, ...dims], mask);
  }

  /**
   * Tokenizes texts, pads them and runs the model with ids, mask and
   * (when the model has such an input) zero segment ids.
   *
   * @param tokenizer - The tokenizer the model was trained with (for
   *   instance {@link huggingFaceTokenizer} over its `tokenizer.json`).
   * @param texts - The texts.
   * @param options - Padded length, and the names of the model's text
   *   inputs when they differ from BERT's.
   * @returns As {@link OnnxEncoder.encode}.
   * @throws As {@link encodeBatch} and {@link OnnxEncoder.encode}.
   */
  async encodeTexts(
    tokenizer: TextTokenizer,
    texts: readonly string[],
    options: { length: number; names?: OnnxTextInputs },
  ): Promise<tf.Tensor> {
    const batch = encodeBatch(tokenizer, texts, { length: options.length });
    const names = {
      ids: options.names?.ids ?? 'input_ids',
      mask: options.names?.mask ?? 'attention_mask',
      typeIds: options.names?.typeIds ?? 'token_type_ids',
    };
    const shape = [batch.batch, batch.length];
    const feeds: Record<string, OnnxFeed> = {
      [names.ids]: { values: batch.ids, shape },
      [names.mask]: { values: batch.mask, shape },
      [names.typeIds]: { values: new Int32Array(batch.ids.length), shape },
    };
    // The pooling mask is the attention mask unless told otherwise.
    if (!(this.maskFeed in feeds)) {
      feeds[this.maskFeed] = { values: batch.mask, shape };
    }
    return this.encode(feeds);
  }

  private readFeeds(
    where: string,
    feeds: Record<string, OnnxFeed>,
  ): {
    rows: number;
    byInput: Record<string, { values: Float64Array; shape: number[] }>;
  } {
    const received = Object.keys(feeds ?? {});
    const byInput: Record<string, { values: Float64Array; shape: number[] }> =
      {};
    let rows = -1;
    for (const name of this.session.inputNames) {
      const feedName = this.feedOf[name] as string;
      const feed = feeds?.[feedName];
      if (feed === undefined) {
        throw new TypeError(
          `${where}: expected a feed '${feedName}' for the model's input ` +
            `'${name}', received feeds [${received.join(', ')}]; the model ` +
            `has inputs [${this.session.inputNames.join(', ')}]`,
        );
      }
      const { values, shape } = feedValues(where, feedName, feed);
      checkIntegerFeed(where, feedName, name, this.types[name]!, values);
      if (rows >= 0 && shape[0] !== rows) {
        throw new ShapeError(
          `${where}: expected every feed to have ${rows} rows, received ` +
            `shape ${formatShape(shape)} for '${feedName}'`,
        );
      }
      rows = shape[0] as number;
      byInput[name] = { values, shape };
    }
    return { rows, byInput };
  }

  private readMask(
    where: string,
    feeds: Record<string, OnnxFeed>,
  ): { values: Float64Array; shape: number[] } {
    const feed = feeds[this.maskFeed];
    if (feed === undefined) {
      throw new TypeError(
        `${where}: pooling 'mean' needs the mask feed '${this.maskFeed}', ` +
          `received feeds [${Object.keys(feeds).join(', ')}]; set maskFeed`,
      );
    }
    return feedValues(where, this.maskFeed, feed);
  }

  private async makeTensor(
    name: string,
    values: Float64Array,
    dims: number[],
  ): Promise<unknown> {
    const type = this.types[name] as OnnxInputType;
    const Tensor = this.tensorClass ?? (await defaultTensorClass());
    this.tensorClass = Tensor;
    // Integer feeds were checked to hold integers: nothing is rounded.
    const data =
      type === 'int64'
        ? BigInt64Array.from(values, (v) => BigInt(v))
        : type === 'int32'
          ? Int32Array.from(values)
          : Float32Array.from(values);
    return new Tensor(type, data, dims);
  }
}
