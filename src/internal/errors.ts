/**
 * Error types and message helpers shared by every part of modalfuse.
 *
 * Messages follow one pattern: where the problem is, what was expected and
 * what was received, with the values.
 */

/** Raised when tensor shapes or ranks do not match what an API expects. */
export class ShapeError extends RangeError {
  /** @param message - Where, expected and received, in one sentence. */
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Formats a shape the way tfjs prints it: `[8,16]`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]`;
}

/** Formats several shapes: `[[8,16],[8,4,3]]`. */
export function formatShapes(
  shapes: readonly (readonly (number | null)[])[],
): string {
  return `[${shapes.map(formatShape).join(',')}]`;
}

/** Describes any value briefly for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  if (!ctor?.name) return 'an object';
  return `${/^[aeiou]/i.test(ctor.name) ? 'an' : 'a'} ${ctor.name}`;
}
