/**
 * Co-learning: co-training across two views (classification, and
 * regression with COREG's confidence), freezing and fine-tuning encoders
 * with per-group learning rates, and distillation between modalities.
 */
export { CoTraining } from './co-training';
export type {
  AddedSamples,
  CoTrainingData,
  CoTrainingFitOptions,
  CoTrainingJSON,
  CoTrainingOptions,
  CoTrainingResult,
  CoTrainingRound,
  CoTrainingSet,
  CoTrainingStop,
  CoTrainingTask,
  CoTrainingTrainer,
  CoTrainingView,
  RegressionScores,
  ViewScores,
} from './co-training-types';
export { coregConfidence, type FeatureRows } from './coreg';
export {
  distillationLoss,
  distillationTerms,
  fitDistillation,
  type DistillationFitOptions,
  type DistillationOptions,
  type DistillationTerms,
} from './distill';
export { fineTune, type FineTuneOptions } from './fine-tune';
export {
  findLayers,
  freezeLayers,
  unfreezeLayers,
  type LayerSelector,
} from './freeze';
export { classificationScores, type ClassificationScores } from './metrics';
export { classQuotas } from './selection';
export type {
  GroupEpochLog,
  GroupFitHistory,
  GroupFitOptions,
  LayerGroup,
} from './train-loop';
