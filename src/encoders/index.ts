/** Representation: encoders for series, images and tables. */
export {
  Conv1dEncoder,
  conv1dEncoder,
  type Conv1dEncoderArgs,
} from './conv1d-encoder';
export {
  Conv2dEncoder,
  conv2dEncoder,
  type Conv2dEncoderArgs,
  type ConvReadout,
} from './conv2d-encoder';
export { LstmEncoder, lstmEncoder, type LstmEncoderArgs } from './lstm-encoder';
export { MlpEncoder, mlpEncoder, type MlpEncoderArgs } from './mlp-encoder';
