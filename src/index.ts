/**
 * modalfuse: multimodal deep learning for TensorFlow.js. Encode each
 * modality, fuse them, train and evaluate, in Node or the browser, on any
 * tfjs backend.
 *
 * Importing this module registers modalfuse's layers with tfjs
 * serialization, so saved models that use them load again.
 *
 * @packageDocumentation
 */
export * from './alignment';
export * from './colearning';
export * from './data';
export * from './encoders';
export * from './eval';
export * from './explain';
export * from './fusion';
export * from './kernels';
export * from './model';
export { ShapeError } from './internal/errors';
export { Random } from './internal/random';
export type { Kwargs, LayerShape } from './internal/layer-utils';
export { INITIALIZER_NAMES, type InitializerName } from './internal/init';
export { ACTIVATION_NAMES, type ActivationName } from './internal/activations';
export {
  getLogLevel,
  setLogLevel,
  type LogLevel,
  type LogSink,
} from './internal/logger';
