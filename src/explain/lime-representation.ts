/**
 * The interpretable representations of LIME: scaled columns for tabular
 * rows, and present-or-replaced players for windows, tokens and images.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertOneOf } from '../internal/assert';
import { ShapeError, describe, formatShape } from '../internal/errors';
import type { InputSpec } from './model-adapter';
import {
  type InputPlayers,
  type ResolvedPlayers,
  resolvePlayers,
} from './players';
import {
  type Segmentation,
  type SlicOptions,
  relabelSegments,
  segmentSlic,
} from './slic';

/** What LIME explains and how it perturbs it. */
export type LimeSpec =
  | {
      /** A row of columns, `[columns]` per sample. */
      kind: 'tabular';
      /** Rows from which the column means and scales are computed. */
      training?: tf.Tensor;
      /** Column means (instead of `training`). @defaultValue 0 */
      mean?: ArrayLike<number>;
      /** Column scales (instead of `training`). */
      scale?: ArrayLike<number>;
      /** Sample around the example or the mean. @defaultValue 'instance' */
      sampleAround?: 'instance' | 'mean';
      /** Column names. */
      featureNames?: string[];
    }
  | {
      /** A window, `[time, features]` per sample. */
      kind: 'series';
      /** The players. @defaultValue 'elements' (each cell) */
      players?: InputPlayers;
      /**
       * Values of replaced players: one row `[1, time, features]` or a
       * number. @defaultValue 0
       */
      replacement?: tf.Tensor | number;
    }
  | {
      /** Token ids, `[length]` per sample. */
      kind: 'text';
      /** The id the model treats as padding; masked tokens get it. */
      paddingId: number;
      /**
       * `'position'`: every non-padding position is a feature;
       * `'token'`: all positions of one id are one feature.
       * @defaultValue 'position'
       */
      by?: 'position' | 'token';
      /** The token strings, one per position, for labels. */
      tokens?: string[];
    }
  | {
      /** An image, `[height, width, channels]` per sample. */
      kind: 'image';
      /** Segment id per pixel (any integers, relabelled 0..K−1). */
      segments?: ArrayLike<number> | number[][];
      /** Options of the built-in segmenter when `segments` is omitted. */
      slic?: SlicOptions;
      /**
       * Value of a replaced superpixel: its mean colour, or a number.
       * @defaultValue 'mean'
       */
      fill?: number | 'mean';
    };

/** A representation resolved against the example. */
export type LimeRepresentation =
  | {
      kind: 'tabular';
      count: number;
      labels: string[];
      shape: number[];
      x: Float64Array;
      mean: Float64Array;
      scale: Float64Array;
      aroundInstance: boolean;
      segments?: undefined;
    }
  | {
      kind: 'series' | 'text' | 'image';
      count: number;
      labels: string[];
      shape: number[];
      players: ResolvedPlayers;
      replacement: (
        x: Record<string, Float32Array | Int32Array>,
      ) => Record<string, Float32Array | Int32Array>;
      segments?: Segmentation;
    };

/**
 * Resolves a LIME spec for the perturbed input.
 *
 * @throws ShapeError or RangeError when the spec does not fit the input.
 */
export async function representation(
  where: string,
  spec: InputSpec,
  x: Float32Array | Int32Array,
  options: LimeSpec,
): Promise<LimeRepresentation> {
  const layout = { inputs: [spec], bare: false };
  switch (options.kind) {
    case 'tabular':
      return tabular(where, spec, x, options);
    case 'series': {
      rank(where, spec, 2, '[time, features]');
      const players = resolvePlayers(
        where,
        layout,
        options.players ?? 'elements',
      );
      const fill = await replacementRow(where, spec, options.replacement ?? 0);
      return {
        kind: 'series',
        count: players.count,
        labels: players.labels,
        shape: players.shape,
        players,
        replacement: () => ({ [spec.name]: fill }),
      };
    }
    case 'text':
      return text(where, spec, x, options);
    case 'image':
      return image(where, spec, x, options);
  }
}

function rank(where: string, spec: InputSpec, r: number, what: string): void {
  if (spec.shape.length !== r) {
    throw new ShapeError(
      `${where}: expected input '${spec.name}' to be ${what} per sample, ` +
        `received sample shape ${formatShape(spec.shape)}`,
    );
  }
}

function tabular(
  where: string,
  spec: InputSpec,
  x: Float32Array | Int32Array,
  options: Extract<LimeSpec, { kind: 'tabular' }>,
): LimeRepresentation {
  rank(where, spec, 1, '[columns]');
  const d = spec.size;
  const around = options.sampleAround ?? 'instance';
  assertOneOf(where, 'sampleAround', around, ['instance', 'mean']);
  let mean = new Float64Array(d);
  let scale: Float64Array;
  if (options.training !== undefined) {
    const t = options.training;
    if (t.rank !== 2 || t.shape[1] !== d) {
      throw new ShapeError(
        `${where}: expected training rows of shape [null,${d}], received ` +
          formatShape(t.shape),
      );
    }
    const { mean: m, variance } = tf.tidy(() =>
      tf.moments(tf.cast(t, 'float32'), 0),
    );
    mean = Float64Array.from(m.dataSync());
    scale = Float64Array.from(variance.dataSync(), (v) =>
      v > 0 ? Math.sqrt(v) : 1,
    );
    tf.dispose([m, variance]);
  } else if (options.scale !== undefined) {
    if (
      options.scale.length !== d ||
      (options.mean && options.mean.length !== d)
    ) {
      throw new ShapeError(
        `${where}: expected ${d} means and scales, received ` +
          `${options.mean?.length ?? d} and ${options.scale.length}`,
      );
    }
    if (options.mean) mean = Float64Array.from(options.mean);
    scale = Float64Array.from(options.scale, (v) => (v > 0 ? v : 1));
  } else {
    throw new TypeError(
      `${where}: tabular LIME needs training rows or column scales; ` +
        `received neither training nor scale`,
    );
  }
  const labels =
    options.featureNames ??
    Array.from({ length: d }, (_, j) => `${spec.name}[${j}]`);
  if (labels.length !== d) {
    throw new RangeError(
      `${where}: expected ${d} feature names, received ${labels.length}`,
    );
  }
  return {
    kind: 'tabular',
    count: d,
    labels: [...labels],
    shape: [d],
    x: Float64Array.from(x),
    mean,
    scale,
    aroundInstance: around === 'instance',
  };
}

async function replacementRow(
  where: string,
  spec: InputSpec,
  value: tf.Tensor | number,
): Promise<Float32Array | Int32Array> {
  if (typeof value === 'number') {
    return spec.dtype === 'int32'
      ? new Int32Array(spec.size).fill(value)
      : new Float32Array(spec.size).fill(value);
  }
  if (!(value instanceof tf.Tensor) || value.size !== spec.size) {
    throw new ShapeError(
      `${where}: expected a replacement of shape ` +
        `${formatShape([1, ...spec.shape])}, received ` +
        (value instanceof tf.Tensor
          ? formatShape(value.shape)
          : describe(value)),
    );
  }
  const data = await value.data();
  return data instanceof Int32Array ? data : Float32Array.from(data);
}

function text(
  where: string,
  spec: InputSpec,
  x: Float32Array | Int32Array,
  options: Extract<LimeSpec, { kind: 'text' }>,
): LimeRepresentation {
  rank(where, spec, 1, '[length] token ids');
  const pad = options.paddingId;
  if (!Number.isInteger(pad)) {
    throw new RangeError(
      `${where}: expected paddingId to be an integer, received ${describe(pad)}`,
    );
  }
  const by = options.by ?? 'position';
  assertOneOf(where, 'by', by, ['position', 'token']);
  const tokens = options.tokens;
  if (tokens && tokens.length !== spec.size) {
    throw new RangeError(
      `${where}: expected ${spec.size} token strings, received ${tokens.length}`,
    );
  }
  const word = (i: number) => tokens?.[i] ?? `#${x[i]}`;
  const groups: number[][] = [];
  const labels: string[] = [];
  const byId = new Map<number, number>();
  for (let i = 0; i < spec.size; i++) {
    const id = x[i] as number;
    if (id === pad) continue;
    if (by === 'token' && byId.has(id)) {
      groups[byId.get(id) as number]!.push(i);
      continue;
    }
    byId.set(id, groups.length);
    groups.push([i]);
    labels.push(by === 'token' ? word(i) : `${i}: ${word(i)}`);
  }
  if (groups.length === 0) {
    throw new RangeError(
      `${where}: the example has only padding (id ${pad}); nothing to explain`,
    );
  }
  const players = resolvePlayers(
    where,
    { inputs: [spec], bare: false },
    { groups, labels },
  );
  const fill =
    spec.dtype === 'int32'
      ? new Int32Array(spec.size).fill(pad)
      : new Float32Array(spec.size).fill(pad);
  return {
    kind: 'text',
    count: players.count,
    labels: players.labels,
    shape: [players.count],
    players,
    replacement: () => ({ [spec.name]: fill }),
  };
}

async function image(
  where: string,
  spec: InputSpec,
  x: Float32Array | Int32Array,
  options: Extract<LimeSpec, { kind: 'image' }>,
): Promise<LimeRepresentation> {
  rank(where, spec, 3, '[height, width, channels]');
  const [H, W, C] = spec.shape as [number, number, number];
  let segments: Segmentation;
  if (options.segments !== undefined) {
    segments = relabelSegments(options.segments, H, W);
  } else {
    const t = tf.tensor3d(Float32Array.from(x), [H, W, C]);
    try {
      segments = await segmentSlic(t, options.slic ?? {});
    } finally {
      t.dispose();
    }
  }
  const groups: number[][] = Array.from({ length: segments.count }, () => []);
  for (let p = 0; p < H * W; p++) {
    for (let c = 0; c < C; c++)
      groups[segments.labels[p] as number]!.push(p * C + c);
  }
  const players = resolvePlayers(
    where,
    { inputs: [spec], bare: false },
    { groups, labels: groups.map((_, k) => `segment ${k}`) },
  );
  const fillOption = options.fill ?? 'mean';
  const fill = new Float32Array(spec.size);
  if (fillOption === 'mean') {
    // Each superpixel's mean colour, channel by channel.
    const sums = new Float64Array(segments.count * C);
    const counts = new Float64Array(segments.count);
    for (let p = 0; p < H * W; p++) {
      const k = segments.labels[p] as number;
      counts[k] = (counts[k] as number) + 1;
      for (let c = 0; c < C; c++) {
        sums[k * C + c] =
          (sums[k * C + c] as number) + (x[p * C + c] as number);
      }
    }
    for (let p = 0; p < H * W; p++) {
      const k = segments.labels[p] as number;
      for (let c = 0; c < C; c++) {
        fill[p * C + c] = (sums[k * C + c] as number) / (counts[k] as number);
      }
    }
  } else {
    fill.fill(fillOption);
  }
  return {
    kind: 'image',
    count: players.count,
    labels: players.labels,
    shape: [players.count],
    players,
    replacement: () => ({ [spec.name]: fill }),
    segments,
  };
}
