// What `import ... from 'modalfuse'` gives once the explainers are in the
// package's index; the guide's snippet runs against it.
export * from '../../src/index';
export {
  explainGradCam,
  explainKernelShap,
  explainModalities,
  renderGradCam,
  renderModalityBar,
  renderTimeFeatureHeatmap,
  shapleyContributions,
  summarizeBackground,
} from '../../src/explain';
