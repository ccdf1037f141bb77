/**
 * Writes test/fixtures/tiny-text-encoder.onnx: a tiny text encoder in the
 * shape of a Hugging Face BERT export, for the OnnxEncoder tests. No ONNX
 * or PyTorch package is needed: the ONNX protobuf is encoded by hand, and
 * every weight is a small dyadic rational, exact in float32, so the file
 * is the same byte for byte on every run.
 *
 *   npx tsx scripts/make-onnx-fixture.ts
 *
 * Graph (opset 13), with B = batch and S = sequence (symbolic):
 *   input_ids int64 [B, S], attention_mask int64 [B, S]
 *   emb  = Gather(embeddings [16, 4], input_ids)            [B, S, 4]
 *   last_hidden_state = Tanh(emb @ proj_weight [4, 3] + proj_bias [3])
 *   m    = Unsqueeze(Cast<float>(attention_mask), [2])      [B, S, 1]
 *   pooler_output = ReduceSum(last_hidden_state * m, [1])
 *                   / Max(ReduceSum(m, [1]), 1)             [B, 3]
 *
 * The weights (see `weights()`) are exported by this module for the test
 * that recomputes the outputs.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Vocabulary size, embedding width and output width of the model. */
export const SIZES = { vocabulary: 16, embedding: 4, hidden: 3 };

/** The model's weights as plain numbers, row-major. */
export function weights(): {
  embeddings: number[];
  projWeight: number[];
  projBias: number[];
} {
  const { vocabulary, embedding, hidden } = SIZES;
  const value = (i: number, mod: number, shift: number) =>
    (((i * 37) % mod) - shift) / 16;
  return {
    embeddings: Array.from({ length: vocabulary * embedding }, (_, i) =>
      value(i, 17, 8),
    ),
    projWeight: Array.from({ length: embedding * hidden }, (_, i) =>
      value(i + 5, 13, 6),
    ),
    projBias: Array.from({ length: hidden }, (_, i) => (i - 1) / 8),
  };
}

// --- protobuf wire format -------------------------------------------------

function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

type Bytes = number[];

const key = (field: number, wire: number): Bytes => varint((field << 3) | wire);
const int = (field: number, value: number): Bytes => [
  ...key(field, 0),
  ...varint(value),
];
const bytes = (field: number, data: Bytes): Bytes => [
  ...key(field, 2),
  ...varint(data.length),
  ...data,
];
const str = (field: number, text: string): Bytes =>
  bytes(field, [...new TextEncoder().encode(text)]);
const msg = (field: number, parts: Bytes[]): Bytes =>
  bytes(field, parts.flat());

const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;

function tensor(
  name: string,
  dims: number[],
  type: number,
  values: number[],
): Bytes {
  const raw =
    type === FLOAT
      ? new Uint8Array(Float32Array.from(values).buffer)
      : new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
  return [
    ...dims.flatMap((d) => int(1, d)),
    ...int(2, type),
    ...str(8, name),
    ...bytes(9, [...raw]),
  ];
}

function valueInfo(
  name: string,
  type: number,
  dims: (number | string)[],
): Bytes {
  const shape = dims.flatMap((d) =>
    msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]),
  );
  return [
    ...str(1, name),
    ...msg(2, [msg(1, [int(1, type), msg(2, [shape])])]),
  ];
}

function node(
  op: string,
  inputs: string[],
  outputs: string[],
  attributes: Bytes[] = [],
): Bytes {
  return [
    ...inputs.flatMap((n) => str(1, n)),
    ...outputs.flatMap((n) => str(2, n)),
    ...str(3, `${op}_${outputs[0]}`),
    ...str(4, op),
    ...attributes.flatMap((a) => msg(5, [a])),
  ];
}

const intAttribute = (name: string, value: number): Bytes => [
  ...str(1, name),
  ...int(3, value),
  ...int(20, ATTR_INT),
];

// --- the model --------------------------------------------------------------

/** The model file as bytes. */
export function modelBytes(): Uint8Array {
  const { vocabulary, embedding, hidden } = SIZES;
  const w = weights();
  const graph = [
    ...msg(1, [node('Gather', ['embeddings', 'input_ids'], ['emb'])]),
    ...msg(1, [node('MatMul', ['emb', 'proj_weight'], ['projected'])]),
    ...msg(1, [node('Add', ['projected', 'proj_bias'], ['pre'])]),
    ...msg(1, [node('Tanh', ['pre'], ['last_hidden_state'])]),
    ...msg(1, [
      node(
        'Cast',
        ['attention_mask'],
        ['mask_float'],
        [intAttribute('to', FLOAT)],
      ),
    ]),
    ...msg(1, [node('Unsqueeze', ['mask_float', 'axis_2'], ['mask3'])]),
    ...msg(1, [node('Mul', ['last_hidden_state', 'mask3'], ['masked'])]),
    ...msg(1, [
      node(
        'ReduceSum',
        ['masked', 'axis_1'],
        ['summed'],
        [intAttribute('keepdims', 0)],
      ),
    ]),
    ...msg(1, [
      node(
        'ReduceSum',
        ['mask3', 'axis_1'],
        ['count'],
        [intAttribute('keepdims', 0)],
      ),
    ]),
    ...msg(1, [node('Max', ['count', 'one'], ['safe_count'])]),
    ...msg(1, [node('Div', ['summed', 'safe_count'], ['pooler_output'])]),
    ...str(2, 'tiny_text_encoder'),
    ...msg(5, [
      tensor('embeddings', [vocabulary, embedding], FLOAT, w.embeddings),
    ]),
    ...msg(5, [
      tensor('proj_weight', [embedding, hidden], FLOAT, w.projWeight),
    ]),
    ...msg(5, [tensor('proj_bias', [hidden], FLOAT, w.projBias)]),
    ...msg(5, [tensor('axis_1', [1], INT64, [1])]),
    ...msg(5, [tensor('axis_2', [1], INT64, [2])]),
    ...msg(5, [tensor('one', [1], FLOAT, [1])]),
    ...msg(11, [valueInfo('input_ids', INT64, ['batch', 'sequence'])]),
    ...msg(11, [valueInfo('attention_mask', INT64, ['batch', 'sequence'])]),
    ...msg(12, [
      valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', hidden]),
    ]),
    ...msg(12, [valueInfo('pooler_output', FLOAT, ['batch', hidden])]),
  ];
  const model: Bytes = [
    ...int(1, 8), // ir_version
    ...str(2, 'modalfuse scripts/make-onnx-fixture.ts'),
    ...str(3, '1'),
    ...msg(7, [graph]),
    ...msg(8, [[...str(1, ''), ...int(2, 13)]]), // opset_import
  ];
  return Uint8Array.from(model);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(
    new URL('../test/fixtures/tiny-text-encoder.onnx', import.meta.url),
  );
  const data = modelBytes();
  writeFileSync(path, data);
  process.stdout.write(`Wrote ${path} (${data.length} bytes)\n`);
}
