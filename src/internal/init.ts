/**
 * Seeded weight initialisation shared by modalfuse's layers.
 *
 * Layers create their variables with zeros and then write values drawn
 * here from their own {@link Random} stream, so that one seed fixes every
 * weight on every backend and no global random state is touched.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';

import type { Random } from './random';

/** Names of the weight initialisers that modalfuse layers accept. */
export type InitializerName =
  'glorotUniform' | 'heUniform' | 'orthogonal' | 'zeros' | 'ones';

/** The initialiser names, for validation. */
export const INITIALIZER_NAMES: readonly InitializerName[] = [
  'glorotUniform',
  'heUniform',
  'orthogonal',
  'zeros',
  'ones',
];

/**
 * Draws initial values for a weight of `shape`.
 *
 * @param name - Which scheme: Glorot/He uniform use `fanIn` and `fanOut`;
 *   orthogonal treats the weight as a matrix [prod(shape[:-1]), shape[-1]].
 * @param shape - The weight's shape.
 * @param fans - Fan-in and fan-out of the weight.
 * @param rng - The layer's random stream.
 * @returns A row-major Float32Array of the weight's values.
 */
export function initialValues(
  name: InitializerName,
  shape: readonly number[],
  fans: { fanIn: number; fanOut: number },
  rng: Random,
): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (name) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'glorotUniform':
    case 'heUniform': {
      const limit =
        name === 'glorotUniform'
          ? Math.sqrt(6 / (fans.fanIn + fans.fanOut))
          : Math.sqrt(6 / fans.fanIn);
      for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * limit;
      return out;
    }
    case 'orthogonal':
      return orthogonal(shape, rng);
  }
}

/**
 * An orthogonal matrix as Keras builds it: QR of a standard normal matrix of
 * shape [max(r, c), min(r, c)], columns sign-corrected by diag(R), and
 * transposed when r < c, so that rows or columns are orthonormal.
 */
function orthogonal(shape: readonly number[], rng: Random): Float32Array {
  const cols = shape[shape.length - 1] as number;
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const tall = Math.max(rows, cols);
  const narrow = Math.min(rows, cols);

  const a = new Matrix(tall, narrow);
  for (let i = 0; i < tall; i++) {
    for (let j = 0; j < narrow; j++) a.set(i, j, rng.normal());
  }
  const qr = new QrDecomposition(a);
  const q = qr.orthogonalMatrix;
  const r = qr.upperTriangularMatrix;
  for (let j = 0; j < narrow; j++) {
    if (r.get(j, j) < 0) {
      for (let i = 0; i < tall; i++) q.set(i, j, -q.get(i, j));
    }
  }

  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      out[i * cols + j] = rows >= cols ? q.get(i, j) : q.get(j, i);
    }
  }
  return out;
}
