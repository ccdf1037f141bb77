/** Model: the builder, training, metrics and baselines. */
export {
  applyHead,
  buildModel,
  type BuildModelArgs,
  type HeadSpec,
  type ModalitySpec,
} from './build-model';
export {
  decisionFusionModel,
  type DecisionFusionArgs,
} from './decision-fusion';
export {
  evaluateLoss,
  fitModel,
  type BatchLog,
  type EpochLog,
  type FitHistory,
  type FitOptions,
  type LossName,
  type ModelTargets,
} from './fit-model';
export { regressionMetrics, type RegressionMetrics } from './metrics';
export {
  orderInputs,
  predictBatched,
  sampleCount,
  type ModelInputs,
} from './model-inputs';
export {
  formatRobustnessReport,
  robustnessReport,
  type RobustnessMetric,
  type RobustnessMetricName,
  type RobustnessOptions,
  type RobustnessReport,
  type RobustnessRow,
} from './robustness';
export {
  RidgeRegression,
  selectRidge,
  type RidgeRegressionJSON,
  type RidgeSelection,
} from './ridge';
export {
  SeededDropout,
  seededDropout,
  type SeededDropoutArgs,
} from './seeded-dropout';
