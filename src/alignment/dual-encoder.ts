/**
 * The dual-encoder (two-tower) model: each modality through its encoder
 * and a projection head into a shared space.
 */
import * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger } from '../internal/assert';
import { ShapeError, formatShape } from '../internal/errors';
import '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';
import { type ModalitySpec, applyHead } from '../model/build-model';

/** Options of {@link buildDualEncoder}. */
export interface DualEncoderArgs {
  /** Exactly two modalities, keyed by name (walked in sorted order). */
  modalities: Record<string, ModalitySpec>;
  /** Size of the shared space: units of each projection's output. */
  embeddingDim: number;
  /**
   * Hidden layers (ReLU) of each projection head before its linear
   * output; CLIP uses none. @defaultValue []
   */
  projectionHidden?: number[];
  /** Seed of the projection heads' initial weights; omit for a random one. */
  seed?: number;
  /** Model name. */
  name?: string;
}

/**
 * Builds a dual encoder: for each of two modalities, an input named after
 * it (plus `<name>_mask` when its spec sets `mask`), its encoder, then a
 * projection head (optional ReLU hidden layers and a linear layer of
 * `embeddingDim` units) named `<name>_embedding`. The model's outputs are
 * the two embeddings, in sorted modality order, unnormalised: train them
 * with {@link fitContrastive} (which L2-normalises inside the CLIP loss) or
 * {@link fitDeepCca}, and compare them with {@link retrievalMetrics}.
 *
 * Input: one tensor per modality (or a record keyed by input name).
 * Output: `[[batch, embeddingDim], [batch, embeddingDim]]`.
 *
 * @example
 * ```ts
 * const model = buildDualEncoder({
 *   modalities: {
 *     prices: { shape: [20, 4], encoder: lstmEncoder({ units: 32, seed: 1 }) },
 *     news: { shape: [512], encoder: mlpEncoder({ units: [64], seed: 2 }) },
 *   },
 *   embeddingDim: 16,
 *   seed: 3,
 * });
 * model.outputNames; // ['news_embedding', 'prices_embedding']
 * ```
 * @see Radford et al. (2021), Learning Transferable Visual Models From
 * Natural Language Supervision, ICML (image and text encoders with linear
 * projections into a joint space).
 * @param args - See {@link DualEncoderArgs}.
 * @returns The model.
 * @throws TypeError unless there are exactly two modalities; ShapeError
 *   for an invalid input shape; RangeError for a non-positive size.
 */
export function buildDualEncoder(args: DualEncoderArgs): tfl.LayersModel {
  const where = 'buildDualEncoder';
  const names = Object.keys(args.modalities ?? {}).sort();
  if (names.length !== 2) {
    throw new TypeError(
      `${where}: expected exactly two modalities, received ` +
        `${names.length} [${names.join(', ')}]`,
    );
  }
  assertInteger(where, 'embeddingDim', args.embeddingDim, 1);
  const hidden = args.projectionHidden ?? [];
  hidden.forEach((u, i) =>
    assertInteger(where, `projectionHidden[${i}]`, u, 1),
  );
  const rng = new Random(resolveSeed(where, args.seed));

  const inputs: tfl.SymbolicTensor[] = [];
  const outputs: tfl.SymbolicTensor[] = [];
  for (const name of names) {
    const spec = args.modalities[name] as ModalitySpec;
    checkShape(where, name, spec.shape);
    const x = tfl.input({ shape: spec.shape, name });
    inputs.push(x);
    let encoderInput: tfl.SymbolicTensor | tfl.SymbolicTensor[] = x;
    if (spec.mask) {
      const mask = tfl.input({
        shape: [spec.shape[0] as number],
        name: `${name}_mask`,
      });
      inputs.push(mask);
      encoderInput = [x, mask];
    }
    const encoded = spec.encoder
      ? (spec.encoder.apply(encoderInput) as tfl.SymbolicTensor)
      : x;
    if (encoded.shape.length !== 2) {
      throw new ShapeError(
        `${where}: expected the encoder of '${name}' to output ` +
          `[batch, features], received shape ${formatShape(encoded.shape)}`,
      );
    }
    const head = {
      name: `${name}_embedding`,
      hidden,
      units: args.embeddingDim,
    };
    outputs.push(applyHead(encoded, head, rng.fork()));
  }
  return tfl.model({
    inputs,
    outputs,
    ...(args.name === undefined ? {} : { name: args.name }),
  });
}

function checkShape(where: string, name: string, shape: unknown): void {
  const ok =
    Array.isArray(shape) &&
    shape.length > 0 &&
    shape.every((d) => Number.isInteger(d) && d > 0);
  if (!ok) {
    throw new ShapeError(
      `${where}: expected the shape of modality '${name}' to be a ` +
        `non-empty list of positive integers (no batch axis), received ` +
        (Array.isArray(shape) ? formatShape(shape) : JSON.stringify(shape)),
    );
  }
}
