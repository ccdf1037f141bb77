/**
 * The reference-fixture checks of the alignment losses, shared by the cpu
 * test files and the wasm run (wasm.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

import {
  clipLoss,
  clipLossTerms,
  deepCcaCorrelation,
} from '../../src/alignment';
import { expectClose, readFixture } from '../helpers';

type M = number[][];

export interface DccaFixture {
  inputs: {
    H1: M;
    H2: M;
    r1: number;
    r2: number;
    k: number;
    degenerate: { H1: M; H2: M; r1: number; r2: number };
  };
  expected: {
    corr: number;
    topk: number;
    singularValues: number[];
    dCorrdH1: M;
    dCorrdH2: M;
    dTopkdH1: M;
    dTopkdH2: M;
    degenerate: { corr: number; topk: number; singularValues: number[] };
  };
}

interface ClipCase {
  a: M;
  b: M;
  logScale: number;
  positiveMask?: M;
}

export interface ContrastiveFixture {
  inputs: { caseA: ClipCase; caseB: ClipCase; caseC: ClipCase };
  expected: {
    caseA: {
      scale: number;
      loss: number;
      rowLossesAtoB: number[];
      rowLossesBtoA: number[];
      logits: M;
      gradA: M;
      gradB: M;
      gradLogScale: number;
    };
    caseB: {
      scale: number;
      loss: number;
      rowLossesAtoB: number[];
      rowLossesBtoA: number[];
      gradLogScale: number;
      unclampedLoss: number;
    };
    caseC: {
      loss: number;
      rowLossesAtoB: number[];
      rowLossesBtoA: number[];
      naiveLoss: number;
    };
  };
}

const VALUE = { atol: 1e-5, rtol: 1e-5 };
const GRAD = { atol: 1e-5, rtol: 1e-4 };

/** Largest |actual − expected| over the elements, for reports. */
export function maxAbsError(actual: ArrayLike<number>, expected: number[]) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - expected[i]!));
  }
  return worst;
}

/** Deep CCA value and gradients, total and top-k, against dcca.json. */
export async function checkDeepCcaFixture(): Promise<Record<string, number>> {
  const f = await readFixture<DccaFixture>('dcca.json');
  const { H1, H2, r1, r2, k } = f.inputs;
  const errors: Record<string, number> = {};
  for (const [name, topK] of [
    ['corr', undefined],
    ['topk', k],
  ] as const) {
    const options = { r1, r2, ...(topK === undefined ? {} : { k: topK }) };
    const [value, g1, g2] = tf.tidy(() => {
      const h1 = tf.tensor2d(H1);
      const h2 = tf.tensor2d(H2);
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
        deepCcaCorrelation(a, b, options),
      )([h1, h2]);
      return [value.dataSync()[0]!, grads[0]!.dataSync(), grads[1]!.dataSync()];
    }) as [number, Float32Array, Float32Array];
    const e = f.expected;
    const [d1, d2] =
      name === 'corr' ? [e.dCorrdH1, e.dCorrdH2] : [e.dTopkdH1, e.dTopkdH2];
    expectClose(value, e[name], VALUE);
    expectClose(g1, d1, GRAD);
    expectClose(g2, d2, GRAD);
    errors[name] = Math.abs(value - e[name]);
    errors[`d${name}/dH1`] = maxAbsError(g1, d1.flat());
    errors[`d${name}/dH2`] = maxAbsError(g2, d2.flat());
  }

  const d = f.inputs.degenerate;
  for (const [name, topK] of [
    ['corr', undefined],
    ['topk', k],
  ] as const) {
    const options = { r1: d.r1, r2: d.r2, ...(topK ? { k: topK } : {}) };
    const [value, g1, g2] = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
        deepCcaCorrelation(a, b, options),
      )([tf.tensor2d(d.H1), tf.tensor2d(d.H2)]);
      return [value.dataSync()[0]!, grads[0]!.dataSync(), grads[1]!.dataSync()];
    }) as [number, Float32Array, Float32Array];
    expectClose(value, f.expected.degenerate[name], { atol: 1e-4, rtol: 1e-4 });
    expect(Array.from(g1).every(Number.isFinite)).toBe(true);
    expect(Array.from(g2).every(Number.isFinite)).toBe(true);
    errors[`degenerate ${name}`] = Math.abs(
      value - f.expected.degenerate[name],
    );
  }
  return errors;
}

/** CLIP loss cases A (values, gradients), B (clamp) and C (mask). */
export async function checkContrastiveFixture(): Promise<
  Record<string, number>
> {
  const f = await readFixture<ContrastiveFixture>('contrastive.json');
  const { caseA, caseB, caseC } = f.inputs;
  const E = f.expected;
  const errors: Record<string, number> = {};

  tf.tidy(() => {
    const a = tf.tensor2d(caseA.a);
    const b = tf.tensor2d(caseA.b);
    const s = tf.scalar(caseA.logScale);
    const terms = clipLossTerms(a, b, { logScale: s });
    expectClose(terms.scale, E.caseA.scale, VALUE);
    expectClose(terms.loss, E.caseA.loss, VALUE);
    expectClose(terms.rowLossesAtoB, E.caseA.rowLossesAtoB, VALUE);
    expectClose(terms.rowLossesBtoA, E.caseA.rowLossesBtoA, VALUE);
    expectClose(terms.logits, E.caseA.logits, VALUE);
    const { grads } = tf.valueAndGrads(
      (x: tf.Tensor, y: tf.Tensor, l: tf.Tensor) =>
        clipLoss(x, y, { logScale: l as tf.Scalar }),
    )([a, b, s]);
    expectClose(grads[0]!, E.caseA.gradA, VALUE);
    expectClose(grads[1]!, E.caseA.gradB, VALUE);
    expectClose(grads[2]!, E.caseA.gradLogScale, VALUE);
    errors['A loss'] = Math.abs(terms.loss.dataSync()[0]! - E.caseA.loss);
    errors['A gradA'] = maxAbsError(grads[0]!.dataSync(), E.caseA.gradA.flat());
    errors['A gradB'] = maxAbsError(grads[1]!.dataSync(), E.caseA.gradB.flat());
    errors['A gradLogScale'] = Math.abs(
      grads[2]!.dataSync()[0]! - E.caseA.gradLogScale,
    );
  });

  tf.tidy(() => {
    const a = tf.tensor2d(caseB.a);
    const b = tf.tensor2d(caseB.b);
    const s = tf.scalar(caseB.logScale);
    const terms = clipLossTerms(a, b, { logScale: s });
    expectClose(terms.scale, E.caseB.scale, VALUE);
    expectClose(terms.loss, E.caseB.loss, VALUE);
    expectClose(terms.rowLossesAtoB, E.caseB.rowLossesAtoB, VALUE);
    expectClose(terms.rowLossesBtoA, E.caseB.rowLossesBtoA, VALUE);
    const { grads } = tf.valueAndGrads(
      (x: tf.Tensor, y: tf.Tensor, l: tf.Tensor) =>
        clipLoss(x, y, { logScale: l as tf.Scalar }),
    )([a, b, s]);
    expect(grads[2]!.dataSync()[0]).toBe(E.caseB.gradLogScale);
    const unclamped = clipLoss(a, b, { logScale: s, maxScale: 1e4 });
    expectClose(unclamped, E.caseB.unclampedLoss, VALUE);
    errors['B loss'] = Math.abs(terms.loss.dataSync()[0]! - E.caseB.loss);
  });

  tf.tidy(() => {
    const a = tf.tensor2d(caseC.a);
    const b = tf.tensor2d(caseC.b);
    const positiveMask = tf.tensor2d(caseC.positiveMask!);
    const terms = clipLossTerms(a, b, {
      logScale: caseC.logScale,
      positiveMask,
    });
    expectClose(terms.loss, E.caseC.loss, VALUE);
    expectClose(terms.rowLossesAtoB, E.caseC.rowLossesAtoB, VALUE);
    expectClose(terms.rowLossesBtoA, E.caseC.rowLossesBtoA, VALUE);
    expectClose(
      clipLoss(a, b, { logScale: caseC.logScale }),
      E.caseC.naiveLoss,
      VALUE,
    );
    errors['C loss'] = Math.abs(terms.loss.dataSync()[0]! - E.caseC.loss);
  });
  return errors;
}
