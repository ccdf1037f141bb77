/**
 * One model that fuses early, intermediate and late at once: the hybrid
 * scheme of the multimodal literature, with missing modalities handled at
 * every level through one presence mask.
 */
import * as tfl from '@tensorflow/tfjs-layers';

import {
  Random,
  concatFusion,
  createFusion,
  lateFusion,
  lstmEncoder,
  modalityDropout,
  presenceGroups,
  type FusionKind,
} from '../../src/index';

/** A modality with its own encoder (an image, a table). */
export interface EncodedModality {
  /** Shape of one sample, without the batch axis. */
  shape: number[];
  /** Its encoder, to a vector `[batch, d]`. */
  encoder: tfl.layers.Layer;
}

/** Options of {@link buildHybridModel}. */
export interface HybridModelArgs {
  /**
   * Raw windows `[time, features]` of one time axis, keyed by modality:
   * concatenated along features before one sequence encoder (early).
   */
  sequences: Record<string, [number, number]>;
  /** The encoder of the early-fused windows. @defaultValue LSTM of 32 units */
  sequenceEncoder?: tfl.layers.Layer;
  /** Other modalities with their own encoders, fused with the early branch. */
  others: Record<string, EncodedModality>;
  /** Intermediate fusion operator. @defaultValue 'gated' */
  fusion?: FusionKind;
  /** Width of the intermediate fusion. @defaultValue 32 */
  fusionUnits?: number;
  /** Output units of every head. @defaultValue 1 */
  outputs?: number;
  /** Hidden units of the fused head. @defaultValue [16] */
  hidden?: number[];
  /** Modality dropout rate while training. @defaultValue 0.1 */
  modalityDropout?: number;
  /** Seed of every weight and of the modality dropout. */
  seed: number;
}

/** Names of the late-fusion branches besides the `others`. */
export const EARLY_BRANCH = 'early';
/** Name of the intermediate-fusion branch. */
export const FUSED_BRANCH = 'fused';

/**
 * Builds the hybrid model:
 *
 * 1. **early**: the raw windows of `sequences` are concatenated along
 *    features (`ConcatFusion`, placeholders for absent ones) and encoded by
 *    one sequence encoder;
 * 2. **intermediate**: that encoding and the encodings of `others` are
 *    fused by `fusion` and a head predicts from the fused vector;
 * 3. **late**: one linear head per branch (early and each other modality)
 *    predicts too, and a `LateFusion` with learned per-unit weights averages
 *    the fused and the unimodal predictions, over present branches only.
 *
 * Inputs: every modality in sorted name order, then `presence` `[batch, M]`
 * (1 present, 0 absent; columns in sorted modality order). While training,
 * a `ModalityDropout` also drops modalities at random. Output:
 * `prediction` `[batch, outputs]`.
 *
 * @param args - See {@link HybridModelArgs}.
 * @returns The model.
 * @throws TypeError when a modality is named like a branch or there are
 *   no sequences or no other modalities.
 */
export function buildHybridModel(args: HybridModelArgs): tfl.LayersModel {
  const sequenceNames = Object.keys(args.sequences).sort();
  const otherNames = Object.keys(args.others).sort();
  const names = [...sequenceNames, ...otherNames].sort();
  if (sequenceNames.length === 0 || otherNames.length === 0) {
    throw new TypeError(
      'buildHybridModel: expected at least one sequence and one other ' +
        `modality, received [${sequenceNames}] and [${otherNames}]`,
    );
  }
  const clash = names.filter((n) =>
    [EARLY_BRANCH, FUSED_BRANCH, 'presence', 'prediction'].includes(n),
  );
  if (clash.length > 0) {
    throw new TypeError(
      `buildHybridModel: modality names [${clash}] are reserved for branches`,
    );
  }
  const rng = new Random(args.seed);
  const outputs = args.outputs ?? 1;

  const inputs: Record<string, tfl.SymbolicTensor> = {};
  for (const name of names) {
    const shape = args.sequences[name] ?? args.others[name]!.shape;
    inputs[name] = tfl.input({ shape, name });
  }
  const presenceIn = tfl.input({ shape: [names.length], name: 'presence' });
  const presence = modalityDropout({
    modalities: names,
    rate: args.modalityDropout ?? 0.1,
    seed: rng.seed(),
    name: 'modality_dropout',
  }).applyRecord(inputs, [presenceIn]);
  const groups = (members: Record<string, string[]>, name: string) =>
    presenceGroups({ modalities: names, groups: members, name }).apply(
      presence,
    ) as tfl.SymbolicTensor;

  // 1. Early: raw windows side by side, one encoder.
  const windows = Object.fromEntries(sequenceNames.map((n) => [n, inputs[n]!]));
  const early = concatFusion({
    modalities: sequenceNames,
    name: 'early_fusion',
  }).applyRecord(windows, [
    groups(
      Object.fromEntries(sequenceNames.map((n) => [n, [n]])),
      'early_presence',
    ),
  ]);
  const encoder =
    args.sequenceEncoder ?? lstmEncoder({ units: [32], seed: rng.seed() });
  const branches: Record<string, tfl.SymbolicTensor> = {
    [EARLY_BRANCH]: encoder.apply(early) as tfl.SymbolicTensor,
  };
  for (const n of otherNames) {
    branches[n] = args.others[n]!.encoder.apply(
      inputs[n]!,
    ) as tfl.SymbolicTensor;
  }

  // 2. Intermediate: the branch encodings fused by the chosen operator.
  const branchMembers: Record<string, string[]> = {
    [EARLY_BRANCH]: sequenceNames,
    ...Object.fromEntries(otherNames.map((n) => [n, [n]])),
  };
  const fused = createFusion(args.fusion ?? 'gated', Object.keys(branches), {
    units: args.fusionUnits ?? 32,
    seed: rng.seed(),
    name: 'intermediate_fusion',
  }).applyRecord(branches, [groups(branchMembers, 'branch_presence')]);
  let h = fused;
  (args.hidden ?? [16]).forEach((units, i) => {
    h = dense(units, 'relu', `fused_dense_${i}`, rng).apply(
      h,
    ) as tfl.SymbolicTensor;
  });

  // 3. Late: unimodal heads and the fused head, averaged with learned
  // weights over the branches present.
  const decisions: Record<string, tfl.SymbolicTensor> = {
    [FUSED_BRANCH]: dense(outputs, 'linear', 'fused_head', rng).apply(
      h,
    ) as tfl.SymbolicTensor,
  };
  for (const [name, x] of Object.entries(branches)) {
    decisions[name] = dense(outputs, 'linear', `${name}_head`, rng).apply(
      x,
    ) as tfl.SymbolicTensor;
  }
  const prediction = lateFusion({
    modalities: Object.keys(decisions),
    learnable: true,
    weights: Object.fromEntries(
      Object.keys(decisions).map((n) => [
        n,
        Array(outputs).fill(n === FUSED_BRANCH ? 2 : 1),
      ]),
    ),
    name: 'prediction',
  }).applyRecord(decisions, [
    groups({ ...branchMembers, [FUSED_BRANCH]: names }, 'decision_presence'),
  ]);

  return tfl.model({
    inputs: [...names.map((n) => inputs[n]!), presenceIn],
    outputs: prediction,
    name: 'hybrid_fusion',
  });
}

function dense(
  units: number,
  activation: 'relu' | 'linear',
  name: string,
  rng: Random,
): tfl.layers.Layer {
  return tfl.layers.dense({
    units,
    activation,
    kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.seed() }),
    name,
  });
}
