/**
 * `--explain N`: explanations of N test predictions of the fused model,
 * written as pictures and a short markdown report that links them.
 *
 * For each explained sample: Shapley values of the modalities (price
 * window against chart image, or against the news window in thesis 2),
 * KernelSHAP over the time steps and features of the price window (the
 * other inputs held at the sample's values), and, when the model has a
 * chart input, Grad-CAM over the chart image at the chart encoder's last
 * block.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  Conv2dEncoder,
  explainGradCam,
  explainKernelShap,
  explainModalities,
  renderGradCam,
  renderModalityBar,
  renderShapBar,
  renderShapWaterfall,
  renderTimeFeatureHeatmap,
  shapleyContributions,
  summarizeBackground,
  type GradCamExplanation,
  type ShapleyExplanation,
} from '../../src/index';
import { renderGradCamPng } from '../../src/node';

/** What {@link writeExplanationReport} needs. */
export interface ExplainReportArgs {
  /** The trained feature-fusion model (input `price`, and others). */
  model: tfl.LayersModel;
  /**
   * Test inputs by input name: `price` [n, window, features], optionally
   * `chart` [n, 64, 64, 1], and any other input of the model (news), which
   * becomes one more modality and is held at the sample's values for
   * KernelSHAP.
   */
  test: Record<string, tf.Tensor>;
  /** Names of the price window's features, in column order. */
  featureNames: string[];
  /** Date of each test sample (the window's last session). */
  dates: string[];
  /** Output directory. */
  out: string;
  /** Number of test predictions to explain (spread over the period). */
  count: number;
  /** Seed of the background summary and the coalition draws. */
  seed: number;
  /** Output explained: 0 = highest high, 1 = lowest low. @defaultValue 0 */
  output?: number;
  /** Background rows (weighted k-means of the test inputs). @defaultValue 10 */
  backgroundSize?: number;
  /** KernelSHAP coalitions per sample. @defaultValue 2M + 2048 */
  budget?: number;
  /** Progress messages. */
  onProgress?: (message: string) => void;
}

const OUTPUT_NAMES = ['highest high', 'lowest low'];

/**
 * Explains `count` test predictions and writes `explanations.md` with its
 * pictures into `out`.
 *
 * @param args - See {@link ExplainReportArgs}.
 * @returns The files written, the report first.
 * @throws RangeError when the test inputs or labels do not fit.
 */
export async function writeExplanationReport(
  args: ExplainReportArgs,
): Promise<string[]> {
  const { model, test, featureNames, dates, out, seed } = args;
  const output = args.output ?? 0;
  const log = args.onProgress ?? (() => undefined);
  const price = test['price'];
  const chart = test['chart'];
  if (!price || price.rank !== 3 || (chart && chart.rank !== 4)) {
    throw new RangeError(
      `writeExplanationReport: expected test inputs price [n, window, ` +
        `features] and optionally chart [n, height, width, 1], received ` +
        Object.keys(test)
          .map((k) => `${k} [${test[k]!.shape.join(', ')}]`)
          .join(', '),
    );
  }
  const [n, window, width] = price.shape as [number, number, number];
  if (featureNames.length !== width || dates.length !== n) {
    throw new RangeError(
      `writeExplanationReport: expected ${width} feature names and ${n} ` +
        `dates, received ${featureNames.length} and ${dates.length}`,
    );
  }
  const count = Math.max(1, Math.min(args.count, n));
  await mkdir(out, { recursive: true });

  // Samples spread evenly over the test period.
  const picks = Array.from({ length: count }, (_, k) =>
    Math.min(n - 1, Math.floor(((k + 0.5) * n) / count)),
  );
  const index = tf.tensor1d(picks, 'int32');
  const names = Object.keys(test).sort();
  const x = Object.fromEntries(
    names.map((name) => [name, tf.gather(test[name]!, index)]),
  );
  index.dispose();

  log(`Summarizing ${n} test rows into a weighted background`);
  const background = await summarizeBackground(test, {
    k: args.backgroundSize ?? 10,
    seed,
    iterations: 30,
  });
  const steps = Array.from({ length: window }, (_, t) =>
    t === window - 1 ? 't' : `t-${window - 1 - t}`,
  );
  const files: string[] = [];
  const sections: string[] = [];
  try {
    log(`Modality Shapley values (${names.join(', ')})`);
    const modalities = await explainModalities(model, x, {
      background,
      output,
    });
    const encoder = chart
      ? model.layers.find((l) => l instanceof Conv2dEncoder)
      : undefined;
    if (encoder) log('Grad-CAM over the chart images');
    const cam = encoder
      ? await explainGradCam(model, x, { layer: encoder.name, output })
      : null;
    const chartPixels = chart
      ? ((await x['chart']!.data()) as Float32Array)
      : null;
    const [, H, W] = (chart?.shape ?? [0, 0, 0, 1]) as number[] as [
      number,
      number,
      number,
    ];

    for (let k = 0; k < count; k++) {
      const date = dates[picks[k] as number] as string;
      log(`KernelSHAP over the price window of ${date} (${k + 1}/${count})`);
      const one = Object.fromEntries(
        names.map((name) => [name, tf.slice(x[name]!, [k], [1])]),
      );
      let shap: ShapleyExplanation;
      try {
        shap = await explainKernelShap(model, one, {
          background,
          players: Object.fromEntries(
            names.map((name) => [
              name,
              name === 'price'
                ? { axisLabels: [steps, featureNames] }
                : ('fixed' as const),
            ]),
          ),
          output,
          seed: seed + k,
          ...(args.budget === undefined ? {} : { budget: args.budget }),
        });
      } finally {
        tf.dispose(Object.values(one));
      }
      const pixels = chartPixels?.subarray(k * H * W, (k + 1) * H * W);
      const written = await pictures(out, date, {
        modalities,
        k,
        shap,
        cam,
        image: pixels ? { data: pixels, height: H, width: W } : null,
        steps,
        featureNames,
      });
      files.push(...written);
      sections.push(section(date, k, modalities, shap, cam, written));
    }
  } finally {
    tf.dispose(Object.values(x));
    tf.dispose(Object.values(background.inputs as Record<string, tf.Tensor>));
  }

  const report = join(out, 'explanations.md');
  await writeFile(report, header(args, count, output, n) + sections.join('\n'));
  return [report, ...files];
}

interface PictureInputs {
  modalities: ShapleyExplanation;
  k: number;
  shap: ShapleyExplanation;
  cam: GradCamExplanation | null;
  image: { data: ArrayLike<number>; height: number; width: number } | null;
  steps: string[];
  featureNames: string[];
}

/** Writes one sample's pictures; returns their paths. */
async function pictures(
  out: string,
  date: string,
  p: PictureInputs,
): Promise<string[]> {
  const files: [string, string | Uint8Array][] = [];
  const cells = shapleyContributions(p.shap, 0);
  const values = Array.from(cells.values);
  const T = p.steps.length;
  const F = p.featureNames.length;
  const sumBy = (key: (t: number, f: number) => number, size: number) => {
    const sums = new Array<number>(size).fill(0);
    values.forEach((v, i) => {
      const s = key(Math.floor(i / F), i % F);
      sums[s] = (sums[s] as number) + v;
    });
    return sums;
  };
  files.push(
    [
      `modalities-${date}.svg`,
      renderModalityBar(shapleyContributions(p.modalities, p.k), {
        title: `Contribution of each modality, ${date}`,
      }),
    ],
    [
      `shap-heatmap-${date}.svg`,
      renderTimeFeatureHeatmap(values, {
        shape: [T, F],
        timeLabels: p.steps,
        featureLabels: p.featureNames,
        title: `KernelSHAP over the price window, ${date}`,
        legendLabel: 'SHAP value',
      }),
    ],
    [
      `shap-waterfall-${date}.svg`,
      renderShapWaterfall(cells, {
        title: `From the background mean to the prediction, ${date}`,
        maxDisplay: 12,
      }),
    ],
    [
      `shap-steps-${date}.svg`,
      renderShapBar(
        { values: sumBy((t) => t, T), labels: p.steps },
        {
          title: `Time steps (sum over features), ${date}`,
          maxDisplay: T,
          sort: false,
        },
      ),
    ],
    [
      `shap-features-${date}.svg`,
      renderShapBar(
        { values: sumBy((_, f) => f, F), labels: p.featureNames },
        { title: `Features (sum over time steps), ${date}`, maxDisplay: F },
      ),
    ],
  );
  if (p.cam && p.image) {
    const map = p.cam.maps[p.k] as number[];
    const title = `Grad-CAM, chart encoder block ${p.cam.block}, ${date}`;
    files.push(
      [
        `gradcam-${date}.svg`,
        renderGradCam(p.image, map, {
          title,
          inputCaption: 'candlestick chart',
        }),
      ],
      [`gradcam-${date}.png`, renderGradCamPng(p.image, map)],
    );
  }
  const paths: string[] = [];
  for (const [name, content] of files) {
    const path = join(out, name);
    await writeFile(path, content);
    paths.push(path);
  }
  return paths;
}

function header(
  args: ExplainReportArgs,
  count: number,
  output: number,
  n: number,
): string {
  return [
    '# Explanations of test predictions (feature-fusion model)',
    '',
    `Output explained: the ${OUTPUT_NAMES[output] ?? `output ${output}`} ` +
      `of the next sessions, as a ratio to the last close. ${count} of the ` +
      `${n} test samples, spread evenly over the test period. Seed ${args.seed}.`,
    '',
    `- **Modality Shapley**: exact Shapley values of the inputs ` +
      `(${Object.keys(args.test).sort().join(', ')}); an absent modality is averaged over ` +
      `${args.backgroundSize ?? 10} background rows (weighted k-means of the ` +
      `test inputs, snapped to observed values). They sum to the prediction ` +
      `minus the background mean.`,
    `- **KernelSHAP** over the ${args.featureNames.length} features × time ` +
      `steps of the price window, with the other inputs ` +
      `(${others(args).join(', ')}) held at the sample's values ` +
      `(interventional values against the same background). Time-step and ` +
      `feature bars are sums of the cell values.`,
    ...('chart' in args.test
      ? [
          `- **Grad-CAM** over the chart image at the chart encoder's last ` +
            `block (gradients of the raw output; ReLU; min–max). It shows ` +
            `where the CNN's evidence for a higher output lies, not a causal ` +
            `effect.`,
        ]
      : []),
    '',
    '',
  ].join('\n');
}

/** The inputs other than the price window. */
function others(args: ExplainReportArgs): string[] {
  return Object.keys(args.test)
    .filter((k) => k !== 'price')
    .sort();
}

function section(
  date: string,
  k: number,
  modalities: ShapleyExplanation,
  shap: ShapleyExplanation,
  cam: GradCamExplanation | null,
  files: string[],
): string {
  const name = (suffix: string) =>
    files
      .map((f) => f.split(/[\\/]/).pop() as string)
      .find((f) => f.startsWith(suffix));
  const phi = modalities.values[k] as number[];
  const parts = modalities.labels
    .map((l, i) => `${l} ${signed(phi[i] as number)}`)
    .join(', ');
  const top = shap.labels
    .map((label, i) => ({ label, v: shap.values[0]![i] as number }))
    .sort((a, b) => Math.abs(b.v) - Math.abs(a.v))
    .slice(0, 3)
    .map((c) => `${c.label} (${signed(c.v)})`)
    .join(', ');
  const d = shap.diagnostics;
  const lines = [
    `## ${date}`,
    '',
    `Prediction ${modalities.fx[k]!.toFixed(4)}; background mean ` +
      `${modalities.baseValues[k]!.toFixed(4)}; modalities: ${parts}.`,
    `Largest cells of the price window: ${top}. KernelSHAP used ` +
      `${d.coalitions[0]} coalitions × ${d.backgroundRows} background rows ` +
      `(efficiency gap ${gap(d.efficiencyGap[0]!)}).` +
      (cam?.allNegative[k]
        ? ' The Grad-CAM map had no positive evidence (all zeros).'
        : ''),
    '',
    `![modalities](${name('modalities-')})`,
    '',
    `![KernelSHAP heat map](${name('shap-heatmap-')})`,
    '',
    `![waterfall](${name('shap-waterfall-')}) ![time steps](${name('shap-steps-')}) ` +
      `![features](${name('shap-features-')})`,
    '',
  ];
  if (cam) lines.push(`![Grad-CAM](${name('gradcam-')})`, '');
  return lines.join('\n');
}

function gap(v: number): string {
  return v === 0 ? '0' : v.toExponential(1);
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;
}
