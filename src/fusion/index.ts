/** Fusion: layers that join modalities, and their weight fitting. */
export {
  ConcatFusion,
  concatFusion,
  type ConcatFusionArgs,
} from './concat-fusion';
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
export { LateFusion, lateFusion, type LateFusionArgs } from './late-fusion';
