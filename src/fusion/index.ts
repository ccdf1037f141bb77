/**
 * Fusion: layers that join modalities, the presence-mask tools around
 * them, and late-fusion weight fitting.
 */
export {
  BilinearFusion,
  bilinear,
  bilinearFusion,
  type BilinearFusionArgs,
} from './bilinear-fusion';
export {
  ConcatFusion,
  concatFusion,
  type ConcatFusionArgs,
} from './concat-fusion';
export {
  FUSION_KINDS,
  createFusion,
  type CreateFusionOptions,
  type FusionKind,
} from './create-fusion';
export {
  CrossAttentionFusion,
  crossAttentionFusion,
  type AttentionMasks,
  type AttentionResult,
  type CrossAttentionFusionArgs,
} from './cross-attention-fusion';
export {
  fitLateFusionWeights,
  type LateFusionFit,
  type Rows,
} from './fit-late-weights';
export {
  FusionLayer,
  type FusionLayerArgs,
  type LayerInput,
} from './fusion-layer';
export { GatedFusion, gatedFusion, type GatedFusionArgs } from './gated-fusion';
export { LateFusion, lateFusion, type LateFusionArgs } from './late-fusion';
export {
  LowRankBilinearFusion,
  lowRankBilinearFusion,
  type LowRankBilinearFusionArgs,
} from './low-rank-bilinear-fusion';
export {
  LowRankTensorFusion,
  lowRankTensorFusion,
  type LowRankTensorFusionArgs,
} from './low-rank-tensor-fusion';
export {
  ModalityDropout,
  modalityDropout,
  type ModalityDropoutArgs,
} from './modality-dropout';
export { ABSENT_MODES, type AbsentMode } from './presence';
export {
  PresenceGroups,
  presenceGroups,
  type PresenceGroupsArgs,
} from './presence-groups';
export {
  TensorFusion,
  outerWithOnes,
  tensorFusion,
  type TensorFusionArgs,
} from './tensor-fusion';
