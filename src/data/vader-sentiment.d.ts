// Types of the CommonJS package vader-sentiment 1.1, which ships none.
declare module 'vader-sentiment' {
  /** VADER's four scores of one text. */
  interface PolarityScores {
    neg: number;
    neu: number;
    pos: number;
    compound: number;
  }
  const vader: {
    SentimentIntensityAnalyzer: {
      polarity_scores(text: string): PolarityScores;
    };
  };
  export = vader;
}
