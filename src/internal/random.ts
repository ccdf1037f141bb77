/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through
 * splitmix32). Every random choice in modalfuse goes through an instance of
 * this class that the caller seeded, never through `Math.random`, so the same
 * seed always gives the same result.
 */
import { assertInteger } from './assert';

/** A seeded random stream; instances are independent of each other. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** @param seed - Any finite number; equal seeds give equal streams. */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new RangeError(
        `Random: expected a finite numeric seed, received ${String(seed)}`,
      );
    }
    // Fold the seed (which may be fractional or large) into 32 bits.
    let x = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) >>> 0;
    const split = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    assertInteger('Random.int', 'n', n, 1);
    return Math.floor(this.next() * n);
  }

  /** Standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    assertInteger('Random.permutation', 'n', n, 0);
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** A fresh integer seed for a tfjs op or initializer. */
  seed(): number {
    return this.nextUint32();
  }

  /** An independent child stream, so one consumer cannot shift another. */
  fork(): Random {
    return new Random(this.nextUint32() * 2 ** 21 + (this.nextUint32() >>> 11));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * Validates a user seed, or draws one when it is omitted (an omitted seed
 * means "nondeterministic", as in tfjs-layers; the drawn value is stored in
 * the layer's config so a saved model records it).
 */
export function resolveSeed(where: string, seed: number | undefined): number {
  if (seed === undefined || seed === null) {
    return Math.floor(Math.random() * 2 ** 31);
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new RangeError(
      `${where}: expected seed to be an integer, received ${String(seed)}`,
    );
  }
  return seed;
}
