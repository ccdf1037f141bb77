import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

import {
  renderAttentionHeatmap,
  renderGradCam,
  renderModalityBar,
  renderShapBar,
  renderShapWaterfall,
  renderTimeFeatureHeatmap,
  renderTokens,
  shapleyContributions,
  type ShapleyExplanation,
} from '../../src/explain';
import {
  encodePng,
  renderGradCamPng,
  renderHeatmapPng,
} from '../../src/explain/render/png';
import { fmt } from '../../src/explain/render/svg';

const svgDocument =
  /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\n$/;

function explanation(values: number[], labels: string[]): ShapleyExplanation {
  const total = values.reduce((a, b) => a + b, 0);
  return {
    method: 'kernelShap',
    values: [values],
    labels,
    shape: [values.length],
    baseValues: [0.5],
    fx: [0.5 + total],
    output: 0,
    diagnostics: {
      coalitions: [10],
      varyingPlayers: [values.length],
      backgroundRows: 1,
      modelRows: 12,
      predictCalls: 1,
      efficiencyGap: [0],
    },
  };
}

describe('SVG renderers', () => {
  const e = explanation(
    Array.from({ length: 15 }, (_, i) => (i % 2 ? -1 : 1) / (i + 1)),
    Array.from({ length: 15 }, (_, i) => `feature <${i}> & co`),
  );

  it('draws the largest contributions first and sums the rest', () => {
    const svg = renderShapBar(shapleyContributions(e), {
      maxDisplay: 5,
      title: 'T',
    });
    expect(svg).toMatch(svgDocument);
    expect(svg).toContain('feature &lt;0&gt; &amp; co');
    expect(svg).toContain('11 other features');
    expect(svg).not.toContain('feature &lt;4&gt;');
    // Labels escape; the largest value is printed with its sign.
    expect(svg).toContain('>+1<');
    expect(svg).toContain('>−0.5<');
  });

  it('walks from the base value to the prediction in the waterfall', () => {
    const data = shapleyContributions(e);
    const svg = renderShapWaterfall(data, { maxDisplay: 4 });
    expect(svg).toMatch(svgDocument);
    expect(svg).toContain(`f(x) = ${fmt(e.fx[0]!)}`);
    expect(svg).toContain('E[f(X)] = 0.5');
    expect(svg).toContain('12 other features');
    expect(() => renderShapWaterfall({ values: [1], labels: ['a'] })).toThrow(
      /expected baseValue and prediction/,
    );
  });

  it('shows modality shares that add up to 100%', () => {
    const parts = explanation([0.3, -0.1], ['chart', 'price']);
    const svg = renderModalityBar(shapleyContributions(parts));
    expect(svg).toMatch(svgDocument);
    expect(svg).toContain('chart 75%');
    expect(svg).toContain('price 25%');
    expect(svg).toContain('f(x) = 0.7 = base 0.5 + chart 0.3 − price 0.1');
  });

  it('draws a time step × feature map with a symmetric colour scale', () => {
    const values = [1, -2, 0.5, 0, 0.25, -0.5];
    const svg = renderTimeFeatureHeatmap(values, {
      shape: [3, 2],
      featureLabels: ['close', 'rsi'],
      title: 'cells',
    });
    expect(svg).toMatch(svgDocument);
    expect(svg).toContain('linearGradient');
    expect(svg).toContain('>−2<');
    expect(svg).toContain('>2<');
    // The cell with −2 is the darkest blue of the scale.
    expect(svg).toContain('fill="#053061"><title>rsi · t-2: −2</title>');
    expect(() => renderTimeFeatureHeatmap(values, { shape: [2, 2] })).toThrow(
      /time × features = 6/,
    );
  });

  it('draws attention with its labels and an image overlay with a legend', () => {
    const attention = renderAttentionHeatmap({
      values: [
        [0.75, 0.25],
        [0.5, 0.5],
      ],
      queryIndex: [0, 1],
      keyIndex: [0, 2],
      queryLabels: ['day 1', 'day 2'],
      keyLabels: ['up', 'down'],
    });
    expect(attention).toMatch(svgDocument);
    expect(attention).toContain('attention weight');
    expect(attention).toContain('>0.75<');
    const image = { data: new Float32Array(16).fill(0.5), height: 4, width: 4 };
    const map = Array.from({ length: 16 }, (_, i) => i / 15);
    const cam = renderGradCam(image, map, { title: 'cam' });
    expect(cam).toMatch(svgDocument);
    expect(cam).toContain('importance');
    expect(() => renderGradCam(image, [1, 2])).toThrow(
      /a map of 16, received 16 and 2/,
    );
  });

  it('highlights tokens in order, wrapping long text', () => {
    const tokens = Array.from({ length: 40 }, (_, i) => `word${i}`);
    const svg = renderTokens(
      tokens,
      tokens.map((_, i) => Math.sin(i)),
    );
    expect(svg).toMatch(svgDocument);
    expect(svg.indexOf('>word3<')).toBeLessThan(svg.indexOf('>word4<'));
    const rows = new Set(
      [
        ...svg.matchAll(
          /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="24"/g,
        ),
      ].map((m) => m[1]),
    );
    expect(rows.size).toBeGreaterThan(2);
    expect(() => renderTokens(['a'], [1, 2])).toThrow(/1 labels/);
  });
});

describe('PNG renderers', () => {
  it('encode rasters that decode to the same pixels', () => {
    const data = new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]);
    const png = PNG.sync.read(
      Buffer.from(encodePng({ width: 2, height: 1, data })),
    );
    expect([png.width, png.height]).toEqual([2, 1]);
    expect(Array.from(png.data)).toEqual(Array.from(data));
    expect(() => encodePng({ width: 2, height: 2, data })).toThrow(
      /expected 2 × 2 × 4 = 16 bytes, received 8/,
    );
  });

  it('scale heat maps and overlays by whole pixels', () => {
    const heat = PNG.sync.read(
      Buffer.from(renderHeatmapPng([[1, -1, 0]], { scale: 3 })),
    );
    expect([heat.width, heat.height]).toEqual([9, 3]);
    // Positive is red, negative blue.
    expect(heat.data[0]!).toBeGreaterThan(heat.data[2]!);
    expect(heat.data[3 * 4 + 2]!).toBeGreaterThan(heat.data[3 * 4]!);
    const image = { data: new Float32Array(4), height: 2, width: 2 };
    const cam = PNG.sync.read(
      Buffer.from(renderGradCamPng(image, [0, 0, 0, 1], { scale: 2 })),
    );
    expect([cam.width, cam.height]).toEqual([(2 * 2 + 2) * 2, 4]);
  });
});
