/**
 * Grad-CAM: class activation maps from the gradients of an output with
 * respect to a convolutional feature map.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger } from '../internal/assert';
import { ShapeError, describe, formatShape } from '../internal/errors';
import {
  type LayerSplit,
  isConvEncoder,
  splitConvEncoder,
} from './encoder-split';
import {
  type LayerLocation,
  evaluateGraph,
  inputsFeeding,
  layerNames,
  locateLayer,
} from './graph';
import {
  type ExplainInputs,
  outputColumn,
  resolveInputs,
} from './model-adapter';

/** Options of {@link explainGradCam}. */
export interface GradCamOptions {
  /**
   * Name of the layer whose output is the feature map: a conv layer
   * (`[batch, height, width, channels]`), a layer over time (`[batch,
   * time, channels]`), or a modalfuse conv encoder (then see `block`). A
   * path `outer/inner` names a layer of a nested model.
   */
  layer: string;
  /**
   * For a `Conv2dEncoder` or `Conv1dEncoder`: the block (0-based) after
   * whose activation (before its pooling) the feature map is taken.
   * @defaultValue the last block
   */
  block?: number;
  /** Output index (all outputs joined along the last axis). @defaultValue 0 */
  output?: number;
  /**
   * Return the signed map scaled by its largest magnitude to [−1, 1]
   * instead of ReLU and min–max to [0, 1]. @defaultValue false
   */
  signed?: boolean;
  /**
   * Size the maps are resized to (bilinear): `[height, width]` or
   * `[time]`, or `false` to keep the feature map's size.
   * @defaultValue the spatial size of the model input that feeds the layer
   */
  size?: number[] | false;
  /** Added to the min–max range. @defaultValue 1e-7 */
  epsilon?: number;
}

/** Grad-CAM maps of some examples: plain data for the renderers. */
export interface GradCamExplanation {
  /** `'2d'` for image feature maps, `'1d'` for maps over time. */
  kind: '2d' | '1d';
  /**
   * Maps per example, row-major with shape `mapShape`: in [0, 1], or in
   * [−1, 1] when `signed`.
   */
  maps: number[][];
  /** `[height, width]` or `[time]`. */
  mapShape: number[];
  /**
   * Σ_c α_c A_c per example at the feature map's resolution, before ReLU
   * and normalisation (both signs).
   */
  raw: number[][];
  /** Shape of `raw`. */
  rawShape: number[];
  /** Channel weights α (gradients averaged over space) per example. */
  weights: number[][];
  /**
   * True where the raw map had no positive value: the map is then all
   * zeros (never NaN).
   */
  allNegative: boolean[];
  /** The explained output per example. */
  fx: number[];
  /** Output index. */
  output: number;
  /** The layer (and block) explained. */
  layer: string;
  /** The encoder block, when the layer is a conv encoder. */
  block?: number;
  /** Whether the maps are signed. */
  signed: boolean;
}

/**
 * Explains outputs with Grad-CAM (Selvaraju et al. 2017): the gradient of
 * the raw output (no softmax) with respect to a feature map A, averaged
 * over space, weights A's channels: raw = Σ_c α_c A_c. The map is
 * ReLU(raw), min–max normalised with an epsilon (a map with no positive
 * value gives zeros and an `allNegative` flag), then resized bilinearly to
 * the input. Works for any layer of a functional model, multi-input
 * fusion models included: the model is evaluated once up to the layer,
 * then from the feature map to the output under the gradient tape. For a
 * modalfuse conv encoder, `block` reaches a feature map inside it.
 *
 * @example
 * ```ts
 * const cam = await explainGradCam(fusedModel, { price, chart }, {
 *   layer: 'conv2d_encoder_1', // the chart encoder
 *   block: 2,
 * });
 * cam.maps[0]; // 64 × 64 values in [0, 1]
 * ```
 * @param model - A tfjs-layers model.
 * @param inputs - The examples: a tensor or a record keyed by input name.
 * @param options - See {@link GradCamOptions}.
 * @returns Maps per example and their diagnostics.
 * @throws TypeError for an unknown layer or a non-model; ShapeError for a
 *   layer whose output has no spatial axes; RangeError for an invalid
 *   block or output.
 * @see Selvaraju et al. (2017), Grad-CAM: visual explanations from deep
 *   networks via gradient-based localization, ICCV.
 */
export async function explainGradCam(
  model: tfl.LayersModel,
  inputs: ExplainInputs,
  options: GradCamOptions,
): Promise<GradCamExplanation> {
  const where = 'explainGradCam';
  if (!(model instanceof tfl.LayersModel)) {
    throw new TypeError(
      `${where}: expected a tf.LayersModel (gradients need the graph), ` +
        `received ${describe(model)}`,
    );
  }
  const { tensors, rows } = resolveInputs(where, model, inputs);
  const output = options.output ?? 0;
  assertInteger(where, 'output', output, 0);
  const epsilon = options.epsilon ?? 1e-7;
  const loc = locateLayer(model, options.layer);
  if (!loc) {
    throw new TypeError(
      `${where}: model '${model.name}' has no layer '${options.layer}'; its ` +
        `layers are [${layerNames(model).join(', ')}]`,
    );
  }
  const { split, block } = layerSplit(where, loc, options.block);

  const feeds = new Map<number, tf.Tensor>();
  model.inputs.forEach((st, i) => {
    feeds.set(st.id, tensors[model.inputNames[i] as string]!);
  });
  const computed = tf.tidy(() => {
    // The feature map, [n, h, w, c] or [n, t, c].
    const A = split.before(targetInputs(loc, feeds));
    if (A.rank !== 4 && A.rank !== 3) {
      throw new ShapeError(
        `${where}: layer '${options.layer}' gives a feature map of shape ` +
          `${formatShape(A.shape)}, which has no spatial axes; expected ` +
          `[batch, height, width, channels] or [batch, time, channels]`,
      );
    }
    const f = (a: tf.Tensor) =>
      outputColumn(where, runFrom(model, loc, feeds, split.after(a)), output);
    const { value, grad } = tf.valueAndGrad(f)(A);
    const axes = A.rank === 4 ? [1, 2] : [1];
    const alpha = tf.mean(grad, axes); // [n, c]
    const shaped =
      A.rank === 4
        ? tf.reshape(alpha, [rows, 1, 1, -1])
        : tf.reshape(alpha, [rows, 1, -1]);
    const raw = tf.sum(tf.mul(A, shaped), -1); // [n, h, w] or [n, t]
    return { value, alpha, raw };
  });
  const [fx, alpha, raw] = await Promise.all([
    computed.value.data(),
    computed.alpha.array() as Promise<number[][]>,
    computed.raw.data(),
  ]);
  const rawShape = computed.raw.shape.slice(1);
  tf.dispose([computed.value, computed.alpha, computed.raw]);
  const kind = rawShape.length === 2 ? '2d' : '1d';
  const mapShape = targetSize(where, model, loc, rawShape, options.size);

  // Normalise on the host, resize on the backend.
  const per = rawShape.reduce((a, b) => a * b, 1);
  const normalised = new Float32Array(rows * per);
  const allNegative: boolean[] = [];
  for (let i = 0; i < rows; i++) {
    const map = raw.subarray(i * per, (i + 1) * per) as Float32Array;
    allNegative.push(!map.some((v) => v > 0));
    normalised.set(normalise(map, options.signed === true, epsilon), i * per);
  }
  const maps = await resize(normalised, rows, rawShape, mapShape);
  return {
    kind,
    maps,
    mapShape,
    raw: split2(raw, rows, per),
    rawShape,
    weights: alpha,
    allNegative,
    fx: Array.from(fx),
    output,
    layer: options.layer,
    ...(block === undefined ? {} : { block }),
    signed: options.signed === true,
  };
}

function layerSplit(
  where: string,
  loc: LayerLocation,
  block: number | undefined,
): { split: LayerSplit; block?: number } {
  const layer = loc.layer;
  if (isConvEncoder(layer)) {
    const b = block ?? layer.filters.length - 1;
    return { split: splitConvEncoder(where, layer, b), block: b };
  }
  if (block !== undefined) {
    throw new TypeError(
      `${where}: block applies to a Conv2dEncoder or Conv1dEncoder; layer ` +
        `'${layer.name}' is a ${layer.getClassName()}`,
    );
  }
  return {
    split: {
      before: (inputs) =>
        layer.apply(inputs.length === 1 ? inputs[0]! : inputs, {
          training: false,
        }) as tf.Tensor,
      after: (a) => a,
    },
  };
}

/** Values of the target layer's inputs, through nested models. */
function targetInputs(
  loc: LayerLocation,
  feeds: Map<number, tf.Tensor>,
): tf.Tensor[] {
  let currentFeeds = feeds;
  for (const nested of loc.path) {
    const node =
      nested.output.sourceLayer.inboundNodes[nested.output.nodeIndex]!;
    const values = evaluateGraph(node.inputTensors, currentFeeds);
    currentFeeds = new Map(
      nested.model.inputs.map((st, i) => [st.id, values[i]!]),
    );
  }
  const node = loc.layer.inboundNodes[loc.output.nodeIndex]!;
  return evaluateGraph(node.inputTensors, currentFeeds);
}

/** The model's outputs with the target layer's output given. */
function runFrom(
  model: tfl.LayersModel,
  loc: LayerLocation,
  feeds: Map<number, tf.Tensor>,
  target: tf.Tensor,
): tf.Tensor[] {
  const run = (
    m: tfl.LayersModel,
    depth: number,
    f: Map<number, tf.Tensor>,
  ): tf.Tensor[] => {
    if (depth === loc.path.length) {
      const withTarget = new Map(f);
      withTarget.set(loc.output.id, target);
      return evaluateGraph(m.outputs, withTarget, { keep: true });
    }
    const nested = loc.path[depth]!;
    return evaluateGraph(m.outputs, f, {
      keep: true,
      replace: [
        {
          layer: nested.model,
          nodeIndex: nested.output.nodeIndex,
          compute: (inputs) =>
            run(
              nested.model,
              depth + 1,
              new Map(nested.model.inputs.map((st, i) => [st.id, inputs[i]!])),
            ),
        },
      ],
    });
  };
  return run(model, 0, feeds);
}

/** The size to resize to: the option, or the feeding input's size. */
function targetSize(
  where: string,
  model: tfl.LayersModel,
  loc: LayerLocation,
  rawShape: number[],
  size: number[] | false | undefined,
): number[] {
  if (size === false) return rawShape;
  if (size !== undefined) {
    const ok =
      size.length === rawShape.length &&
      size.every((d) => Number.isInteger(d) && d > 0);
    if (!ok) {
      throw new RangeError(
        `${where}: expected size to be ${rawShape.length} positive ` +
          `integers, received ${JSON.stringify(size)}`,
      );
    }
    return [...size];
  }
  const outer = loc.path[0]?.output ?? loc.output;
  const fed = inputsFeeding(model, outer).filter(
    (st) => st.shape.length === rawShape.length + 2,
  );
  if (fed.length !== 1) {
    throw new TypeError(
      `${where}: cannot tell which input the map of layer '${loc.layer.name}' ` +
        `lies over (candidates [${fed.map((s) => s.name).join(', ')}]); ` +
        `pass size`,
    );
  }
  return fed[0]!.shape.slice(1, 1 + rawShape.length) as number[];
}

/** ReLU + min–max, or scaling by the largest magnitude when signed. */
function normalise(
  map: Float32Array,
  signed: boolean,
  epsilon: number,
): Float32Array {
  const out = new Float32Array(map.length);
  if (signed) {
    let top = 0;
    for (const v of map) top = Math.max(top, Math.abs(v));
    for (let i = 0; i < map.length; i++)
      out[i] = (map[i] as number) / (top + epsilon);
    return out;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    const r = Math.max(v, 0);
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  for (let i = 0; i < map.length; i++) {
    out[i] = (Math.max(map[i] as number, 0) - lo) / (hi - lo + epsilon);
  }
  return out;
}

/** Bilinear resize (half-pixel centres) of n maps. */
async function resize(
  maps: Float32Array,
  n: number,
  from: number[],
  to: number[],
): Promise<number[][]> {
  const per = to.reduce((a, b) => a * b, 1);
  if (from.join() === to.join()) return split2(maps, n, per);
  const [h, w] = from.length === 2 ? from : [1, from[0]!];
  const [H, W] = to.length === 2 ? to : [1, to[0]!];
  const resized = tf.tidy(() =>
    tf.image.resizeBilinear(
      tf.tensor4d(maps, [n, h!, w!, 1]),
      [H!, W!],
      false,
      true,
    ),
  );
  const data = (await resized.data()) as Float32Array;
  resized.dispose();
  return split2(data, n, per);
}

function split2(data: ArrayLike<number>, n: number, per: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: per }, (_, j) => data[i * per + j] as number),
  );
}
