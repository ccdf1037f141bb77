/**
 * Gradient kernels that make CNNs and embeddings train fast and correctly
 * on the cpu and wasm backends, and the functions that install them.
 */
export {
  gradientKernelConfigs,
  installedKernels,
  installKernels,
  uninstallKernels,
  type InstalledKernel,
} from './register';
export { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
export { conv2DBackpropInputConfig } from './conv2d-backprop-input';
export { maxPoolGradConfig } from './max-pool-grad';
export { unsortedSegmentSumConfig } from './unsorted-segment-sum';
