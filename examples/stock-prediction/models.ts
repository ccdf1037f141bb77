/**
 * The models of spec S7, built with modalfuse, plus the other fusion
 * operators for `--fusion`.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  FUSION_KINDS,
  Random,
  buildModel,
  conv2dEncoder,
  createFusion,
  decisionFusionModel,
  lstmEncoder,
  type FusionKind,
  type HeadSpec,
} from '../../src/index';
import { buildHybridModel } from '../hybrid-fusion/hybrid-model';

/** Two independent heads Dense(64, relu) - Dense(32, relu) - Dense(1). */
export const THESIS_HEADS: HeadSpec[] = [
  { name: 'max', hidden: [64, 32] },
  { name: 'min', hidden: [64, 32] },
];

/** Shapes of one sample of each modality. */
export interface ModelShapes {
  /** `[window, features]`. */
  price: [number, number];
  /** `[height, width, 1]`. */
  chart: [number, number, number];
}

/** A fusion choice of `--fusion`: an operator or the hybrid model. */
export type FusionChoice = FusionKind | 'hybrid';

/** Every fusion choice, in table order. */
export const FUSION_CHOICES: readonly FusionChoice[] = [
  ...FUSION_KINDS,
  'hybrid',
];

/** A trained network of the table: its row name and group. */
export interface ModelSpec {
  /** Row name in the tables. */
  name: string;
  /** 'unimodal' or 'fusion'; selection compares the groups. */
  group: 'unimodal' | 'fusion';
  /** The fusion choice, for fusion models. */
  fusion?: FusionChoice;
}

/** The row name of a feature-fusion model with the given operator. */
export function fusionName(fusion: FusionChoice): string {
  if (fusion === 'concat') return 'Feature fusion';
  if (fusion === 'hybrid') return 'Hybrid fusion';
  return `Fusion (${fusion})`;
}

/** LSTM, CNN, then one feature-fusion model per choice. */
export function modelSpecs(fusions: readonly FusionChoice[]): ModelSpec[] {
  return [
    { name: 'LSTM', group: 'unimodal' },
    { name: 'CNN', group: 'unimodal' },
    ...fusions.map((fusion) => ({
      name: fusionName(fusion),
      group: 'fusion' as const,
      fusion,
    })),
  ];
}

/**
 * Builds a model with seeds drawn from `seed` and the row name, so the same
 * model gets the same weights whatever else the run trains.
 *
 * The thesis models: LSTM (2 x 64, dropout 0.2), CNN (4 conv blocks of
 * 16, 32, 64, 64 filters) and feature fusion (their trunks concatenated),
 * each with two heads. Other fusion operators join the same trunks; the
 * hybrid model fuses early, intermediate and late at once (see
 * examples/hybrid-fusion) and takes an extra `presence` input.
 */
export function buildThesisModel(
  spec: ModelSpec,
  shapes: ModelShapes,
  seed: number,
): tfl.LayersModel {
  const rng = new Random(seed * 31 + hash(spec.name));
  const lstm = () =>
    lstmEncoder({ units: [64, 64], dropout: 0.2, seed: rng.seed() });
  const cnn = () =>
    conv2dEncoder({
      filters: [16, 32, 64, 64],
      kernelSize: 3,
      seed: rng.seed(),
    });
  const price = () => ({ shape: shapes.price, encoder: lstm() });
  const chart = () => ({ shape: shapes.chart, encoder: cnn() });
  const name = spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '_');

  if (spec.fusion === 'hybrid') {
    return buildHybridModel({
      sequences: { price: shapes.price },
      sequenceEncoder: lstm(),
      others: { chart: { shape: shapes.chart, encoder: cnn() } },
      fusion: 'gated',
      fusionUnits: 64,
      outputs: 2,
      hidden: [64, 32],
      seed: rng.seed(),
    });
  }
  const modalities =
    spec.name === 'LSTM'
      ? { price: price() }
      : spec.name === 'CNN'
        ? { chart: chart() }
        : { price: price(), chart: chart() };
  const fusion =
    spec.fusion === undefined || spec.fusion === 'concat'
      ? 'concat'
      : createFusion(spec.fusion, ['chart', 'price'], {
          units: 64,
          seed: rng.seed(),
        });
  return buildModel({
    modalities,
    fusion,
    heads: THESIS_HEADS,
    output: 'concat',
    seed: rng.seed(),
    name,
  });
}

/**
 * The decision-fusion model: y_k = w_k LSTM_k + (1 − w_k) CNN_k, with the
 * weights fitted on validation predictions.
 */
export function buildDecisionFusion(
  lstm: tfl.LayersModel,
  cnn: tfl.LayersModel,
  weights: { lstm: number[]; cnn: number[] },
): tfl.LayersModel {
  return decisionFusionModel({
    models: { lstm, cnn },
    weights,
    name: 'decision_fusion',
  });
}

/** A small stable hash of a name (FNV-1a), for per-model seeds. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return h % 1000;
}
