/**
 * Data tools: CSV and OHLCV loading, institutional flows, technical
 * indicators and the thesis feature table, labelled sliding windows,
 * chronological splits with purge, the standard scaler and the candlestick
 * rasterizer.
 */
export {
  findColumn,
  parseCsv,
  requireColumn,
  type CsvTable,
  type ParseCsvOptions,
} from './csv';
export { calendarDaysBetween, parseDate } from './dates';
export {
  DEFAULT_MIN_ROWS,
  OHLCV_COLUMN_ALIASES,
  loadOhlcv,
  parseOhlcv,
  sliceSeries,
  type OhlcvField,
  type OhlcvSeries,
  type ParseOhlcvOptions,
} from './ohlcv';
export {
  TWSE_INSTITUTION_NAMES,
  joinByDate,
  parseInstitutionalFlows,
  type InstitutionalFlows,
  type JoinedFlows,
  type ParseInstitutionalFlowsOptions,
} from './institutional';
export {
  bollingerWidth,
  ema,
  macd,
  rsi,
  sma,
  stochastic,
  type BollingerOptions,
  type MacdOptions,
  type MacdResult,
  type StochasticOptions,
  type StochasticResult,
} from './indicators';
export {
  THESIS_FEATURE_NAMES,
  THESIS_WARMUP,
  thesisFeatures,
  type FeatureTable,
  type ThesisFeaturesOptions,
} from './features';
export {
  gatherWindows,
  ratiosToPrices,
  slidingWindows,
  type LabelSource,
  type SlidingWindowOptions,
  type WindowSamples,
} from './windows';
export {
  chronologicalSplit,
  type ChronologicalSplit,
  type ChronologicalSplitOptions,
} from './split';
export { StandardScaler, type StandardScalerJSON } from './scaler';
export {
  candlesticksToTensorData,
  renderCandlestick,
  renderCandlesticks,
  type CandleWindow,
  type CandlestickBatchOptions,
  type CandlestickImages,
  type CandlestickOptions,
  type CandlestickTensorData,
} from './candlestick';
export {
  HashingVectorizer,
  murmurHash3,
  type HashingDocument,
  type HashingVectorizerJSON,
  type HashingVectorizerOptions,
} from './hashed-ngrams';
export {
  loadDatedNews,
  loadDjiaNews,
  parseDatedNews,
  parseDjiaNews,
  unwrapBytesLiteral,
  type DatedHeadlines,
  type ParseDatedNewsOptions,
  type ParseDjiaNewsOptions,
} from './news';
export {
  alignNewsToSessions,
  sessionSentiment,
  type AlignNewsOptions,
  type NewsAlignment,
  type NewsTime,
  type SessionSentiment,
} from './news-alignment';
export {
  sentimentClass,
  summarizeSentiment,
  vaderSentiment,
  type SentimentClass,
  type SentimentScore,
  type SentimentSummary,
  type SummarizeSentimentOptions,
  type VaderSentimentOptions,
} from './sentiment';
