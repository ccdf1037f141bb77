/**
 * A plain-language verdict generated from the seed spreads and the
 * significance tests, never from a single seed's table.
 */
import { DRIFT } from './evaluate';
import { seedsDisagree } from './tables';
import type { VariantResult } from './run';

const ALPHA = 0.05;

/**
 * One paragraph: which model validation picks and how it did on test,
 * whether fusion beats the best single modality beyond seed noise, and
 * whether anything beats the drift baseline.
 */
export function verdict(v: VariantResult): string {
  const n = v.seeds.length;
  const s = v.summary;
  const models = v.rowNames.filter((r) => v.kinds[r] !== 'baseline');
  const byVal = [...models].sort(
    (a, b) => s[a]!.valMse!.mean - s[b]!.valMse!.mean,
  );
  const best = byVal[0]!;
  const seedsWord = n === 1 ? 'one seed' : `${n} seeds`;
  const mae = (name: string, which: 'Max' | 'Min') => {
    const m = s[name]![`mae${which}`]!;
    return seedsDisagree(m)
      ? `${m.mean.toFixed(1)} ± ${m.std.toFixed(1)}`
      : m.mean.toFixed(1);
  };
  const parts: string[] = [];

  parts.push(
    `With ${v.features} features over ${seedsWord}, validation ranks ${best} ` +
      `first (mean validation MSE ${s[best]!.valMse!.mean.toExponential(2)}); ` +
      `on the test part its MAE is ${mae(best, 'Max')} for the highest high ` +
      `and ${mae(best, 'Min')} for the lowest low, against ` +
      `${mae(DRIFT, 'Max')} and ${mae(DRIFT, 'Min')} for the drift baseline.`,
  );

  // Fusion against the best single modality, both chosen on validation.
  const outcomes = (['max', 'min'] as const).map((out) => {
    const which = out === 'max' ? 'Max' : 'Min';
    const diffs = v.seeds.map((seed) => {
      const f = seed.rows[seed.selection.fusion]![`mae${which}`];
      const u = seed.rows[seed.selection.unimodal]![`mae${which}`];
      return f - u;
    });
    const tests = v.seeds.map(
      (seed) =>
        seed.comparisons.find(
          (c) =>
            c.a === seed.selection.fusion && c.b === seed.selection.unimodal,
        )![out],
    );
    const better = diffs.filter((d) => d < 0).length;
    const significant = tests.filter((t) => t.pNw < ALPHA && t.nw < 0).length;
    const worse = tests.filter((t) => t.pNw < ALPHA && t.nw > 0).length;
    const beyond = better === n && significant > n / 2;
    return { out, better, significant, worse, beyond };
  });
  const fusionText = outcomes
    .map(
      (o) =>
        `for the ${o.out} it had the lower test MAE in ${o.better} of ${n} ` +
        `seeds, significantly so (Diebold-Mariano, p < ${ALPHA}) in ` +
        `${o.significant}` +
        (o.worse > 0 ? ` and significantly worse in ${o.worse}` : ''),
    )
    .join('; ');
  const anyBeyond = outcomes.some((o) => o.beyond);
  parts.push(
    n === 1
      ? `Against the best single-modality model (each chosen on ` +
          `validation), with one seed there is no spread to judge seed ` +
          `noise by: ${fusionText}.`
      : `Against the best single-modality model (each chosen on ` +
          `validation), the best fusion ${anyBeyond ? 'does' : 'does not'} ` +
          `win beyond seed noise: ${fusionText}.`,
  );

  // Anything against drift: positive mean skill on both outputs and
  // significant in most seeds.
  const beats = models.filter((m) =>
    (['max', 'min'] as const).every((out) => {
      const which = out === 'max' ? 'Max' : 'Min';
      if (!(s[m]![`skill${which}`]!.mean > 0)) return false;
      const sig = v.seeds.filter((seed) => {
        const c = seed.comparisons.find((x) => x.a === m && x.b === DRIFT);
        return c !== undefined && c[out].pNw < ALPHA && c[out].nw < 0;
      }).length;
      return sig > n / 2;
    }),
  );
  const bestSkill = [...models].sort(
    (a, b) =>
      s[b]!.skillMax!.mean +
      s[b]!.skillMin!.mean -
      (s[a]!.skillMax!.mean + s[a]!.skillMin!.mean),
  )[0]!;
  parts.push(
    beats.length > 0
      ? `${beats.join(' and ')} beat${beats.length === 1 ? 's' : ''} the ` +
          `drift baseline on both outputs, significantly in most seeds.`
      : `Nothing beats the drift baseline on both outputs beyond noise; the ` +
          `best mean skill is ${bestSkill}'s (${s[bestSkill]!.skillMax!.mean.toFixed(3)} ` +
          `for the max, ${s[bestSkill]!.skillMin!.mean.toFixed(3)} for the min).`,
  );
  return parts.join(' ');
}
