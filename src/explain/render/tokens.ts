/**
 * Token highlighting for text explanations.
 */
import {
  checkSeries,
  colorBar,
  colormaps,
  fmt,
  hex,
  r,
  svgDocument,
  text,
  textWidth,
} from './svg';

/** Options of {@link renderTokens}. */
export interface TokenOptions {
  /** Title above the text. */
  title?: string;
  /** Width in pixels; lines wrap to it. @defaultValue 640 */
  width?: number;
  /** Value mapped to full colour. @defaultValue the largest magnitude */
  max?: number;
}

/**
 * Text with each token on a background coloured by its attribution (red
 * pushes the output up, blue down, white neutral), wrapped to the width,
 * each token's value in its tooltip, and a colour bar.
 *
 * @example
 * ```ts
 * const lime = await explainLime(model, ids, { kind: 'text', paddingId: 0, tokens, seed: 0 });
 * const svg = renderTokens(tokens.filter((t) => t !== '<pad>'), lime.coefficients);
 * ```
 * @param tokens - The tokens, in order.
 * @param values - One attribution per token.
 * @param options - See {@link TokenOptions}.
 * @returns An SVG document.
 * @throws RangeError when tokens and values differ in length.
 */
export function renderTokens(
  tokens: string[],
  values: ArrayLike<number>,
  options: TokenOptions = {},
): string {
  checkSeries('renderTokens', values, tokens);
  const width = options.width ?? 640;
  const vmax = options.max ?? (Math.max(...Array.from(values, Math.abs)) || 1);
  const size = 15;
  const lineH = 30;
  const top = options.title ? 46 : 16;
  const body: string[] = [];
  if (options.title)
    body.push(
      text(12, 24, options.title, { 'font-size': 15, 'font-weight': 'bold' }),
    );
  let x = 12;
  let y = top;
  tokens.forEach((token, i) => {
    const v = values[i] as number;
    const w = textWidth(token, size) + 10;
    if (x + w > width - 12 && x > 12) {
      x = 12;
      y += lineH;
    }
    const c = colormaps.diverging(v / vmax);
    const light = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 140;
    body.push(
      `<g><title>${token.replace(/[<&>"]/g, '')}: ${fmt(v, true)}</title>` +
        `<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${lineH - 6}" rx="4" fill="${hex(c)}" stroke="#ddd" stroke-width="0.5"/>` +
        text(x + w / 2, y + 17, token, {
          'font-size': size,
          'text-anchor': 'middle',
          fill: light ? '#111' : '#fff',
        }) +
        '</g>',
    );
    x += w + 4;
  });
  const barY = y + lineH + 18;
  body.push(
    ...colorBar({
      x: 40,
      y: barY,
      length: Math.min(360, width - 80),
      vertical: false,
      range: [-vmax, vmax],
      color: (v) => colormaps.diverging(v / vmax),
      label: 'attribution (blue lowers, red raises the output)',
      id: 'token-scale',
    }),
  );
  return svgDocument(width, barY + 40, body, options.title);
}
