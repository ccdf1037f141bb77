/**
 * Alignment: linear CCA, the Deep CCA objective, the CLIP contrastive loss
 * with a learnable logit scale, the dual-encoder builder, training helpers
 * and cross-modal retrieval.
 */
export {
  CLIP_INITIAL_SCALE,
  CLIP_MAX_SCALE,
  clipLoss,
  clipLossTerms,
  normalizeRows,
  positiveMaskFromIds,
  type ClipLossOptions,
  type ClipLossTerms,
} from './contrastive';
export {
  deepCcaCorrelation,
  deepCcaLoss,
  type DeepCcaOptions,
} from './deep-cca';
export { buildDualEncoder, type DualEncoderArgs } from './dual-encoder';
export {
  fitContrastive,
  type ContrastiveEpochLog,
  type ContrastiveFitOptions,
  type ContrastiveHistory,
} from './fit-contrastive';
export {
  fitDeepCca,
  type DeepCcaEpochLog,
  type DeepCcaFitOptions,
  type DeepCcaHistory,
} from './fit-deep-cca';
export {
  LinearCca,
  type LinearCcaJSON,
  type LinearCcaOptions,
  type ViewRows,
} from './linear-cca';
export { LogitScale, logitScale, type LogitScaleArgs } from './logit-scale';
export {
  nearestNeighbors,
  retrievalMetrics,
  vectorArithmetic,
  type Embeddings,
  type NearestNeighborOptions,
  type Neighbors,
  type RetrievalDirection,
  type RetrievalMetrics,
  type RetrievalOptions,
  type Vector,
  type VectorArithmeticOptions,
  type VectorArithmeticResult,
} from './retrieval';
export { type TwoTowerFitOptions } from './two-tower-loop';
