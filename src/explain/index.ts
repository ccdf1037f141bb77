/** Explanations: Shapley values, LIME, Grad-CAM, Integrated Gradients. */
export {
  explainAttention,
  explainAttentionRollout,
  type AttentionMap,
  type AttentionOptions,
  type AttentionWeights,
  type PositionMask,
  type RolloutOptions,
} from './attention';
export {
  summarizeBackground,
  type BackgroundInput,
  type SummarizeOptions,
  type WeightedBackground,
} from './background';
export {
  explainModalities,
  explainShapley,
  type ExactShapleyOptions,
  type ModalityShapleyOptions,
} from './exact-shapley';
export {
  explainGradCam,
  type GradCamExplanation,
  type GradCamOptions,
} from './grad-cam';
export {
  explainIntegratedGradients,
  gaussLegendre,
  type IntegratedGradientsExplanation,
  type IntegratedGradientsOptions,
} from './integrated-gradients';
export { explainKernelShap, type KernelShapOptions } from './kernel-shap';
export {
  explainLime,
  type LimeCommonOptions,
  type LimeExplanation,
  type LimeOptions,
  type LimeSpec,
} from './lime';
export type {
  ExplainInputs,
  Explainable,
  PredictFunction,
} from './model-adapter';
export {
  explainPermutation,
  type PermutationImportance,
  type PermutationMetric,
  type PermutationOptions,
} from './permutation';
export type { InputPlayers, PlayerSpec } from './players';
export {
  relabelSegments,
  segmentSlic,
  type Segmentation,
  type SlicOptions,
} from './slic';
export type {
  ShapleyDiagnostics,
  ShapleyExplanation,
  ShapleyOptions,
} from './shapley-common';
export {
  renderAttentionHeatmap,
  renderGradCam,
  renderModalityBar,
  renderShapBar,
  renderShapWaterfall,
  renderTimeFeatureHeatmap,
  renderTokens,
  shapleyContributions,
  type AttentionHeatmapOptions,
  type BarOptions,
  type ContributionData,
  type DisplayImage,
  type GradCamImageOptions,
  type TimeFeatureOptions,
  type TokenOptions,
} from './render';
