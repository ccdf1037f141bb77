/**
 * Plain float64 references for the text encoders, written loop by loop
 * from the papers' equations, to check the tfjs layers against.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

type Matrix = number[][];

/** The layer's weights by name without the layer prefix, as matrices. */
export function weightsByName(
  layer: tfl.layers.Layer,
): Record<string, { shape: number[]; values: number[] }> {
  const out: Record<string, { shape: number[]; values: number[] }> = {};
  const values = layer.getWeights();
  layer.weights.forEach((w, i) => {
    const name = w.originalName.split('/').pop() as string;
    out[name] = {
      shape: [...w.shape] as number[],
      values: Array.from(values[i]!.dataSync()),
    };
  });
  return out;
}

function matrix(w: { shape: number[]; values: number[] }): Matrix {
  const [rows, cols] = w.shape as [number, number];
  return Array.from({ length: rows }, (_, r) =>
    w.values.slice(r * cols, (r + 1) * cols),
  );
}

function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) =>
    b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)),
  );
}

function addRow(a: Matrix, bias: number[]): Matrix {
  return a.map((row) => row.map((v, j) => v + bias[j]!));
}

function layerNorm(a: Matrix, gamma: number[], beta: number[]): Matrix {
  return a.map((row) => {
    const mean = row.reduce((s, v) => s + v, 0) / row.length;
    const variance =
      row.reduce((s, v) => s + (v - mean) * (v - mean), 0) / row.length;
    return row.map(
      (v, j) =>
        ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[j]! + beta[j]!,
    );
  });
}

function gelu(x: number): number {
  const inner = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3);
  return 0.5 * x * (1 + Math.tanh(inner));
}

/**
 * The pre-norm transformer encoder on one text's real tokens (no
 * padding): token + position embeddings, blocks, final norm. Returns the
 * per-token states `[tokens][E]`.
 */
export function transformerReference(
  layer: tfl.layers.Layer,
  ids: number[],
  config: { heads: number; layers: number; activation: 'relu' | 'gelu' },
): Matrix {
  const w = weightsByName(layer);
  const table = matrix(w['embeddings']!);
  const positions = matrix(w['position_embeddings']!);
  let x: Matrix = ids.map((id, p) =>
    table[id]!.map((v, j) => v + positions[p]![j]!),
  );
  const e = x[0]!.length;
  const d = e / config.heads;
  for (let l = 0; l < config.layers; l++) {
    const n1 = layerNorm(
      x,
      w[`ln1_gamma_${l}`]!.values,
      w[`ln1_beta_${l}`]!.values,
    );
    const qkv = addRow(
      matmul(n1, matrix(w[`qkv_kernel_${l}`]!)),
      w[`qkv_bias_${l}`]!.values,
    );
    const context: Matrix = x.map(() => new Array<number>(e).fill(0));
    for (let h = 0; h < config.heads; h++) {
      // Columns of head h: Q at h*d, K at E + h*d, V at 2E + h*d.
      const part = (row: number[], base: number) =>
        row.slice(base + h * d, base + (h + 1) * d);
      const q = qkv.map((r) => part(r, 0));
      const k = qkv.map((r) => part(r, e));
      const v = qkv.map((r) => part(r, 2 * e));
      q.forEach((qi, i) => {
        const logits = k.map(
          (kj) => qi.reduce((s, val, c) => s + val * kj[c]!, 0) / Math.sqrt(d),
        );
        const top = Math.max(...logits);
        const exps = logits.map((z) => Math.exp(z - top));
        const total = exps.reduce((s, z) => s + z, 0);
        exps.forEach((z, j) => {
          for (let c = 0; c < d; c++) {
            context[i]![h * d + c]! += (z / total) * v[j]![c]!;
          }
        });
      });
    }
    const attended = addRow(
      matmul(context, matrix(w[`out_kernel_${l}`]!)),
      w[`out_bias_${l}`]!.values,
    );
    x = x.map((row, i) => row.map((v, j) => v + attended[i]![j]!));
    const n2 = layerNorm(
      x,
      w[`ln2_gamma_${l}`]!.values,
      w[`ln2_beta_${l}`]!.values,
    );
    const hidden = addRow(
      matmul(n2, matrix(w[`ff1_kernel_${l}`]!)),
      w[`ff1_bias_${l}`]!.values,
    ).map((row) =>
      row.map((v) => (config.activation === 'relu' ? Math.max(v, 0) : gelu(v))),
    );
    const ff = addRow(
      matmul(hidden, matrix(w[`ff2_kernel_${l}`]!)),
      w[`ff2_bias_${l}`]!.values,
    );
    x = x.map((row, i) => row.map((v, j) => v + ff[i]![j]!));
  }
  return layerNorm(x, w['final_gamma']!.values, w['final_beta']!.values);
}

/** Mean over tokens of `[tokens][E]`. */
export function meanRows(rows: Matrix): number[] {
  return rows[0]!.map(
    (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length,
  );
}
