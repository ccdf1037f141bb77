/**
 * `npx tsx examples/stock-prediction/thesis2/main.ts`: thesis 2 (news
 * sentiment and prices) on the DJIA headlines, with the headline-embedding
 * variants and the placebo. The same as
 * `npm run example -- --news <folder or Combined_News_DJIA.csv>`.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { thesis2Main } from './cli';

thesis2Main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `\nerror: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
