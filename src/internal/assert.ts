/**
 * Argument checks that throw modalfuse's standard errors.
 *
 * Every check takes `where` (the function or layer name) first, so the
 * message says where the problem is, what was expected and what arrived.
 */
import { describe } from './errors';

/** Throws a `RangeError` unless `value` is an integer >= `min`. */
export function assertInteger(
  where: string,
  name: string,
  value: unknown,
  min = 0,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(
      `${where}: expected ${name} to be an integer >= ${min}, ` +
        `received ${describe(value)}`,
    );
  }
}

/** Throws a `RangeError` unless `value` is a finite number in [lo, hi]. */
export function assertInRange(
  where: string,
  name: string,
  value: unknown,
  lo: number,
  hi: number,
  { openHigh = false }: { openHigh?: boolean } = {},
): asserts value is number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= lo &&
    (openHigh ? value < hi : value <= hi);
  if (!ok) {
    const interval = `[${lo}, ${hi}${openHigh ? ')' : ']'}`;
    throw new RangeError(
      `${where}: expected ${name} in ${interval}, received ${describe(value)}`,
    );
  }
}

/** Throws a `TypeError` unless `value` is one of `options`. */
export function assertOneOf<T extends string>(
  where: string,
  name: string,
  value: unknown,
  options: readonly T[],
): asserts value is T {
  if (!options.includes(value as T)) {
    throw new TypeError(
      `${where}: expected ${name} to be one of ` +
        `${options.map((o) => `'${o}'`).join(', ')}, ` +
        `received ${describe(value)}`,
    );
  }
}

/** Throws a `RangeError` naming the first non-finite entry of `values`. */
export function assertFiniteArray(
  where: string,
  name: string,
  values: ArrayLike<number>,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new RangeError(
        `${where}: expected every value of ${name} to be finite, ` +
          `received ${v} at index ${i}`,
      );
    }
  }
}
