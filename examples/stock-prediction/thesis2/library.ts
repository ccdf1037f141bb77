/**
 * The modalfuse API that thesis 2 uses, in one place: the package barrel
 * plus the text and news modules (which the barrel re-exports once they
 * are integrated; until then they are imported from their files).
 */
export * from '../../../src/index';
export * from '../../../src/data/news-alignment';
export * from '../../../src/data/sentiment';
export * from '../../../src/encoders/bilstm-text-encoder';
export * from '../../../src/encoders/cnn-text-encoder';
export * from '../../../src/encoders/text-encoder-base';
export * from '../../../src/encoders/tokenizer';
export * from '../../../src/encoders/transformer-text-encoder';
export * from '../../../src/encoders/vocabulary';
