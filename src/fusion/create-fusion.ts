/**
 * One factory for every feature-level fusion operator, by name.
 */
import { assertInteger, assertOneOf } from '../internal/assert';
import { BilinearFusion } from './bilinear-fusion';
import { ConcatFusion } from './concat-fusion';
import { CrossAttentionFusion } from './cross-attention-fusion';
import { type FusionLayer, checkModalities } from './fusion-layer';
import { GatedFusion } from './gated-fusion';
import { LowRankBilinearFusion } from './low-rank-bilinear-fusion';
import { LowRankTensorFusion } from './low-rank-tensor-fusion';
import type { AbsentMode } from './presence';
import { TensorFusion } from './tensor-fusion';

/** The fusion operators {@link createFusion} builds. */
export type FusionKind =
  | 'concat'
  | 'bilinear'
  | 'lowrank'
  | 'lowrank-tensor'
  | 'tensor'
  | 'gated'
  | 'attention';

/** Every {@link FusionKind}, in the order the guide presents them. */
export const FUSION_KINDS: readonly FusionKind[] = [
  'concat',
  'bilinear',
  'lowrank',
  'tensor',
  'lowrank-tensor',
  'gated',
  'attention',
];

/** Options of {@link createFusion}; each kind reads the ones it needs. */
export interface CreateFusionOptions {
  /**
   * Output width of every kind but concat (for attention, the embedding
   * width E). @defaultValue 64
   */
  units?: number;
  /**
   * Rank of `'lowrank'` (joint space size) and `'lowrank-tensor'`.
   * @defaultValue 32 for lowrank, 8 for lowrank-tensor
   */
  rank?: number;
  /**
   * Per-modality linear projection before `'bilinear'` and `'tensor'`,
   * which keeps their weights small whatever width the encoders give;
   * null to fuse the encodings as they are. @defaultValue 16
   */
  projection?: number | null;
  /** Heads of `'attention'`; must divide `units`. @defaultValue 4 */
  heads?: number;
  /** Query modality of `'attention'`. @defaultValue the first, sorted */
  query?: string;
  /** What stands in for an absent modality. @defaultValue 'placeholder' */
  absent?: AbsentMode;
  /** Seed of the initial weights; omit for a random one. */
  seed?: number;
  /** Layer name. */
  name?: string;
}

/**
 * Creates a fusion layer of the given kind over encoder outputs
 * `[batch, d_m]`, ready for `buildModel({ fusion })`; every kind outputs
 * `[batch, width]` and accepts a presence mask `[batch, M]` as an extra
 * last input.
 *
 * - `'concat'`: {@link ConcatFusion}, width `Σ d_m`.
 * - `'bilinear'`: {@link BilinearFusion} (exactly two modalities) after a
 *   `projection`-wide linear map of each.
 * - `'lowrank'`: {@link LowRankBilinearFusion} (MLB) of rank `rank`.
 * - `'tensor'`: {@link TensorFusion} after `projection`, then a dense
 *   layer to `units`.
 * - `'lowrank-tensor'`: {@link LowRankTensorFusion} (LMF) of rank `rank`.
 * - `'gated'`: {@link GatedFusion}.
 * - `'attention'`: {@link CrossAttentionFusion} with `heads` heads and
 *   width `units`. Each modality vector is one token; the query
 *   modality's token attends over the tokens of all modalities, its own
 *   included (`attendToQuery`), so the weights say how much each modality
 *   contributes to each sample. Given sequences `[batch, L, d]` instead,
 *   it returns `[batch, L_q, units]`.
 *
 * @example
 * ```ts
 * const model = buildModel({
 *   modalities: {
 *     price: { shape: [20, 5], encoder: lstmEncoder({ units: [16], seed: 1 }) },
 *     table: { shape: [8], encoder: mlpEncoder({ units: [16], seed: 2 }) },
 *   },
 *   fusion: createFusion('gated', ['price', 'table'], { units: 16, seed: 3 }),
 *   heads: { name: 'next' },
 *   seed: 4,
 * });
 * ```
 * @param kind - Which operator; see {@link FUSION_KINDS}.
 * @param modalities - Names of the modalities it fuses.
 * @param options - See {@link CreateFusionOptions}.
 * @returns The layer.
 * @throws TypeError for an unknown kind, invalid modality names, or
 *   `'bilinear'` with other than two modalities; RangeError for invalid
 *   sizes.
 */
export function createFusion(
  kind: FusionKind,
  modalities: string[],
  options: CreateFusionOptions = {},
): FusionLayer {
  const where = 'createFusion';
  assertOneOf(where, 'kind', kind, FUSION_KINDS);
  checkModalities(where, modalities);
  const units = options.units ?? 64;
  assertInteger(where, 'units', units, 1);
  const base = {
    modalities,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.absent === undefined ? {} : { absent: options.absent }),
  };
  const projection = options.projection === undefined ? 16 : options.projection;
  switch (kind) {
    case 'concat':
      return new ConcatFusion({
        modalities,
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(options.absent === undefined ? {} : { absent: options.absent }),
      });
    case 'bilinear':
      return new BilinearFusion({ ...base, units, projection });
    case 'lowrank':
      return new LowRankBilinearFusion({
        ...base,
        units,
        rank: options.rank ?? 32,
      });
    case 'tensor':
      return new TensorFusion({ ...base, units, projection });
    case 'lowrank-tensor':
      return new LowRankTensorFusion({
        ...base,
        units,
        rank: options.rank ?? 8,
      });
    case 'gated':
      return new GatedFusion({ ...base, units });
    case 'attention':
      return new CrossAttentionFusion({
        ...base,
        embedDim: units,
        heads: options.heads ?? 4,
        attendToQuery: true,
        ...(options.query === undefined ? {} : { query: options.query }),
      });
  }
}
