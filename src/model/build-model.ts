/**
 * The model builder: named modality inputs → encoders → fusion → heads.
 */
import * as tfl from '@tensorflow/tfjs-layers';

import { ACTIVATION_NAMES, type ActivationName } from '../internal/activations';
import { assertInRange, assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError, formatShape } from '../internal/errors';
import '../internal/layer-utils';
import { Random, resolveSeed } from '../internal/random';
import { concatFusion } from '../fusion/concat-fusion';
import { type FusionLayer, checkModalities } from '../fusion/fusion-layer';
import { seededDropout } from './seeded-dropout';

/** One modality of a model: its input shape and its encoder. */
export interface ModalitySpec {
  /** Shape of one sample, without the batch axis, e.g. `[20, 13]`. */
  shape: number[];
  /**
   * Encoder applied to this modality. Omit it to hand the raw input to the
   * fusion (early fusion, usually followed by a `trunk`).
   */
  encoder?: tfl.layers.Layer;
  /**
   * Add an input `<name>_mask` of shape `[batch, shape[0]]` (1 = real step)
   * and pass it to the encoder as its second input. @defaultValue false
   */
  mask?: boolean;
}

/** A prediction head: dense hidden layers, then a linear output. */
export interface HeadSpec {
  /** Name of the head and of its output layer. */
  name: string;
  /** Units of the hidden layers. @defaultValue [] */
  hidden?: number[];
  /** Output units. @defaultValue 1 */
  units?: number;
  /** Activation of the hidden layers. @defaultValue 'relu' */
  activation?: ActivationName;
  /** Activation of the output layer. @defaultValue 'linear' */
  outputActivation?: ActivationName;
  /** Dropout rate after each hidden layer while training. @defaultValue 0 */
  dropout?: number;
}

/** Options of {@link buildModel}. */
export interface BuildModelArgs {
  /** The modalities, keyed by name; inputs are created in sorted order. */
  modalities: Record<string, ModalitySpec>;
  /**
   * How the encoded modalities are joined, when there are several:
   * `'concat'` or any {@link FusionLayer} over the same modality names.
   * @defaultValue 'concat'
   */
  fusion?: 'concat' | FusionLayer;
  /** A layer applied to the fused representation before the heads. */
  trunk?: tfl.layers.Layer;
  /** One head or several, in output order. */
  heads: HeadSpec | HeadSpec[];
  /**
   * `'separate'`: one model output per head, named after it. `'concat'`:
   * the heads' outputs joined along the last axis into one output named
   * `prediction`. @defaultValue 'separate'
   */
  output?: 'separate' | 'concat';
  /** Seed of the heads' initial weights; omit for a random one. */
  seed?: number;
  /** Model name. */
  name?: string;
}

/**
 * Builds a multimodal `tf.LayersModel`: one input per modality, named after
 * it and created in sorted name order (each followed by its mask input when
 * `mask` is set), each modality through its encoder, the encodings joined by
 * the fusion layer, an optional trunk, then the heads.
 *
 * The result is an ordinary tfjs-layers model: `compile`, `fit`, `predict`
 * (inputs as an array in `model.inputNames` order, or use
 * `predictBatched`), `save` and `tf.loadLayersModel` all work, and
 * modalfuse's layers serialize with it.
 *
 * @example
 * ```ts
 * const model = buildModel({
 *   modalities: {
 *     price: { shape: [20, 13], encoder: lstmEncoder({ units: [64, 64] }) },
 *     chart: {
 *       shape: [64, 64, 1],
 *       encoder: conv2dEncoder({ filters: [16, 32] }),
 *     },
 *   },
 *   heads: [
 *     { name: 'max', hidden: [64, 32] },
 *     { name: 'min', hidden: [64, 32] },
 *   ],
 *   output: 'concat',
 *   seed: 0,
 * });
 * ```
 * @param args - See {@link BuildModelArgs}.
 * @returns The model.
 * @throws TypeError for an unknown option value or a fusion layer whose
 *   modalities differ; ShapeError for an invalid input shape.
 */
export function buildModel(args: BuildModelArgs): tfl.LayersModel {
  const where = 'buildModel';
  const names = checkModalities(where, Object.keys(args.modalities ?? {}));
  const heads =
    args.heads === undefined
      ? []
      : Array.isArray(args.heads)
        ? args.heads
        : [args.heads];
  if (heads.length === 0) {
    throw new TypeError(`${where}: expected at least one head, received none`);
  }
  checkNames(where, names, heads, args.modalities, args.output === 'concat');
  const output = args.output ?? 'separate';
  assertOneOf(where, 'output', output, ['separate', 'concat']);
  const rng = new Random(resolveSeed(where, args.seed));

  // Inputs and encoders, in sorted modality order.
  const inputs: tfl.SymbolicTensor[] = [];
  const encoded: Record<string, tfl.SymbolicTensor> = {};
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
    encoded[name] = spec.encoder
      ? (spec.encoder.apply(encoderInput) as tfl.SymbolicTensor)
      : x;
  }

  let fused = encoded[names[0] as string] as tfl.SymbolicTensor;
  if (names.length > 1) {
    const fusion =
      args.fusion === undefined || args.fusion === 'concat'
        ? concatFusion({ modalities: names })
        : args.fusion;
    if (typeof fusion === 'string' || !('applyRecord' in fusion)) {
      throw new TypeError(
        `${where}: expected fusion to be 'concat' or a fusion layer, ` +
          `received ${JSON.stringify(fusion)}`,
      );
    }
    fused = fusion.applyRecord(encoded);
  }
  if (args.trunk) fused = args.trunk.apply(fused) as tfl.SymbolicTensor;

  const outputs = heads.map((head) => applyHead(fused, head, rng));
  const joined =
    output === 'concat' && outputs.length > 1
      ? [
          tfl.layers
            .concatenate({ axis: -1, name: 'prediction' })
            .apply(outputs) as tfl.SymbolicTensor,
        ]
      : outputs;
  return tfl.model({
    inputs,
    outputs: joined.length === 1 ? (joined[0] as tfl.SymbolicTensor) : joined,
    ...(args.name === undefined ? {} : { name: args.name }),
  });
}

/**
 * Applies a head (dense hidden layers, then a linear output) to `x`.
 *
 * @param x - The representation, `[batch, features]`.
 * @param head - See {@link HeadSpec}.
 * @param rng - Source of the layers' initialiser seeds.
 * @returns The head's output, `[batch, units]`.
 */
export function applyHead(
  x: tfl.SymbolicTensor,
  head: HeadSpec,
  rng: Random,
): tfl.SymbolicTensor {
  const where = `buildModel head '${head.name}'`;
  if (typeof head.name !== 'string' || head.name.length === 0) {
    throw new TypeError(
      `buildModel: expected every head to have a non-empty name, received ` +
        JSON.stringify(head.name),
    );
  }
  const hidden = head.hidden ?? [];
  hidden.forEach((u, i) => assertInteger(where, `hidden[${i}]`, u, 1));
  const units = head.units ?? 1;
  assertInteger(where, 'units', units, 1);
  const activation = head.activation ?? 'relu';
  const outputActivation = head.outputActivation ?? 'linear';
  assertOneOf(where, 'activation', activation, ACTIVATION_NAMES);
  assertOneOf(where, 'outputActivation', outputActivation, ACTIVATION_NAMES);
  const dropout = head.dropout ?? 0;
  assertInRange(where, 'dropout', dropout, 0, 1, { openHigh: true });

  let h = x;
  hidden.forEach((u, i) => {
    h = dense(`${head.name}_dense_${i}`, u, activation, rng).apply(
      h,
    ) as tfl.SymbolicTensor;
    if (dropout > 0) {
      const drop = seededDropout({
        rate: dropout,
        seed: rng.seed(),
        name: `${head.name}_dropout_${i}`,
      });
      h = drop.apply(h) as tfl.SymbolicTensor;
    }
  });
  return dense(head.name, units, outputActivation, rng).apply(
    h,
  ) as tfl.SymbolicTensor;
}

function dense(
  name: string,
  units: number,
  activation: ActivationName,
  rng: Random,
): tfl.layers.Layer {
  return tfl.layers.dense({
    units,
    activation,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.seed() }),
    biasInitializer: 'zeros',
    name,
  });
}

/** Layer and input names that tfjs accepts. */
const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Modality, mask and head names become layer names, which must be valid
 * tfjs names and distinct.
 */
function checkNames(
  where: string,
  modalities: string[],
  heads: HeadSpec[],
  specs: Record<string, ModalitySpec>,
  joined: boolean,
): void {
  const taken = new Map<string, string>();
  const claim = (name: unknown, what: string) => {
    if (typeof name !== 'string' || !VALID_NAME.test(name)) {
      throw new TypeError(
        `${where}: expected ${what} to be a name of letters, digits, '.', ` +
          `'_' or '-' starting with a letter or digit, received ` +
          JSON.stringify(name),
      );
    }
    const other = taken.get(name);
    if (other !== undefined) {
      throw new TypeError(
        `${where}: ${what} is named '${name}', like ${other}; names must ` +
          `be distinct`,
      );
    }
    taken.set(name, what);
  };
  for (const m of modalities) {
    claim(m, `modality '${m}'`);
    if (specs[m]?.mask) claim(`${m}_mask`, `the mask input of '${m}'`);
  }
  heads.forEach((h, i) => claim(h?.name, `head ${i}`));
  if (joined && heads.length > 1) claim('prediction', 'the joined output');
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
