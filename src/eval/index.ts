/** Evaluation: significance, seeds, walk-forward folds, skill. */
export {
  dieboldMariano,
  type DieboldMarianoOptions,
  type DieboldMarianoResult,
  type DmLoss,
  type DmVariant,
} from './diebold-mariano';
export { directionHitRate, skillScore } from './forecast-metrics';
export {
  repeatOverSeeds,
  summarizeSeeds,
  type SeedRun,
  type SeedRuns,
  type SeedSpread,
} from './seeds';
export {
  walkForwardFolds,
  type WalkForwardFold,
  type WalkForwardOptions,
} from './walk-forward';
