/**
 * Renderers: explanations as SVG pictures. The PNG renderers live in
 * `./png` (Node only, through pngjs).
 */
export {
  renderModalityBar,
  renderShapBar,
  shapleyContributions,
  type BarOptions,
  type ContributionData,
} from './bars';
export {
  renderGradCam,
  type DisplayImage,
  type GradCamImageOptions,
} from './grad-cam-image';
export {
  renderAttentionHeatmap,
  renderTimeFeatureHeatmap,
  type AttentionHeatmapOptions,
  type TimeFeatureOptions,
} from './heatmaps';
export { renderTokens, type TokenOptions } from './tokens';
export { renderShapWaterfall } from './waterfall';
