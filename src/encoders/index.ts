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
export {
  VOCABULARY_METADATA_KEY,
  Vocabulary,
  attachVocabulary,
  vocabularyFromModel,
  type VocabularyJSON,
  type VocabularyOptions,
} from './vocabulary';
export {
  encodeBatch,
  padSequences,
  tokenBatchTensors,
  type EncodeBatchOptions,
  type PadOptions,
  type TextTokenizer,
  type TokenBatch,
} from './tokenizer';
export {
  huggingFaceTokenizer,
  tokenizerFromFunction,
  type HuggingFaceTokenizerLike,
  type HuggingFaceTokenizerOptions,
  type TokenizerFunctionOptions,
} from './tokenizer-adapters';
export {
  TextEncoderLayer,
  poolTokens,
  type TextEncoderArgs,
  type TextPooling,
  type TokenInputs,
} from './text-encoder-base';
export {
  BiLstmTextEncoder,
  biLstmTextEncoder,
  type BiLstmTextEncoderArgs,
} from './bilstm-text-encoder';
export {
  CnnTextEncoder,
  cnnTextEncoder,
  type CnnTextEncoderArgs,
} from './cnn-text-encoder';
export {
  TransformerTextEncoder,
  transformerTextEncoder,
  type TransformerTextEncoderArgs,
} from './transformer-text-encoder';
export {
  OnnxEncoder,
  type OnnxEncoderArgs,
  type OnnxTextInputs,
} from './onnx-encoder';
export type {
  OnnxFeed,
  OnnxInputType,
  OnnxSessionLike,
  OnnxTensorConstructor,
  OnnxTensorLike,
  OnnxValueMetadataLike,
} from './onnx-runtime';
