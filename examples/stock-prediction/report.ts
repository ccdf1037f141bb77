/**
 * The SVG plot of predicted against actual max and min over the test
 * period.
 */

/** A series drawn on the plot. */
export interface PlotSeries {
  /** Legend label. */
  label: string;
  /** One value per test sample, price units. */
  values: number[];
  /** Stroke colour. */
  color: string;
  /** Dashed line. */
  dashed?: boolean;
}

/**
 * Two stacked panels (max and min) of price against test date, as SVG.
 */
export function plotSvg(
  title: string,
  dates: readonly string[],
  panels: { title: string; series: PlotSeries[] }[],
): string {
  const width = 960;
  const panelHeight = 300;
  const margin = { left: 70, right: 20, top: 60, bottom: 50 };
  const plotW = width - margin.left - margin.right;
  const height =
    margin.top + panels.length * (panelHeight + margin.bottom) + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16">${escape(title)}</text>`,
  ];
  panels.forEach((panel, p) => {
    const top = margin.top + p * (panelHeight + margin.bottom);
    const all = panel.series.flatMap((s) => s.values);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const pad = (hi - lo) * 0.05 || 1;
    const y = (v: number) =>
      top + panelHeight - ((v - lo + pad) / (hi - lo + 2 * pad)) * panelHeight;
    const x = (i: number) =>
      margin.left + (dates.length > 1 ? (i / (dates.length - 1)) * plotW : 0);

    out.push(
      `<rect x="${margin.left}" y="${top}" width="${plotW}" height="${panelHeight}" ` +
        `fill="none" stroke="#999"/>`,
      `<text x="${margin.left}" y="${top - 6}" font-size="13">${escape(panel.title)}</text>`,
    );
    for (let k = 0; k <= 4; k++) {
      const v = lo - pad + ((hi - lo + 2 * pad) * k) / 4;
      out.push(
        `<line x1="${margin.left - 4}" x2="${margin.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`,
        `<text x="${margin.left - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(0)}</text>`,
      );
    }
    const ticks = [0, Math.floor((dates.length - 1) / 2), dates.length - 1];
    ticks.forEach((i, k) => {
      const anchor = ['start', 'middle', 'end'][k];
      out.push(
        `<text x="${x(i)}" y="${top + panelHeight + 16}" text-anchor="${anchor}">${dates[i]}</text>`,
      );
    });
    panel.series.forEach((s) => {
      const points = s.values
        .map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ');
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.2" ` +
          `${s.dashed ? 'stroke-dasharray="4 3" ' : ''}points="${points}"/>`,
      );
    });
    // The legend goes on top of the lines, on a white box.
    out.push(
      `<rect x="${margin.left + 4}" y="${top + 4}" width="300" ` +
        `height="${16 * panel.series.length + 8}" fill="white" fill-opacity="0.85"/>`,
    );
    panel.series.forEach((s, k) => {
      const ly = top + 14 + 16 * k;
      out.push(
        `<line x1="${margin.left + 10}" x2="${margin.left + 34}" y1="${ly}" y2="${ly}" ` +
          `stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
        `<text x="${margin.left + 40}" y="${ly + 4}">${escape(s.label)}</text>`,
      );
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
