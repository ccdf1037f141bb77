/**
 * Eager evaluation of a functional tfjs-layers model node by node, with
 * values fed at any symbolic tensor (not only at the model inputs), node
 * outputs replaced by a function, and batch-1 constants broadcast where
 * they meet batched tensors. Grad-CAM splits a model at a layer with it;
 * the Shapley explainers run the branches that see only constant inputs
 * once instead of once per row.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { ShapeError } from '../internal/errors';

type Layer = tfl.layers.Layer;
type SymbolicTensor = tfl.SymbolicTensor;
type LayerNode = Layer['inboundNodes'][number];

/** Replaces the computation of one node. */
export interface NodeReplacement {
  /** The layer whose node is replaced. */
  layer: Layer;
  /** Index of the node in `layer.inboundNodes`. */
  nodeIndex: number;
  /** Computes the node's outputs from its input values. */
  compute: (inputs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** Options of {@link evaluateGraph}. */
export interface EvaluateOptions {
  /** Nodes computed by a function instead of their layer. */
  replace?: NodeReplacement[];
  /**
   * Keep every intermediate value alive (needed under `tf.grad`); by
   * default a value is disposed once its last consumer has run.
   * @defaultValue false
   */
  keep?: boolean;
}

/**
 * Computes `fetches` from values fed at symbolic tensors. Run it inside
 * `tf.tidy` or dispose the results; fed tensors are never disposed.
 *
 * @param fetches - The symbolic tensors to compute.
 * @param feeds - Values by symbolic tensor id; every path from a fetch
 *   back to the model inputs must reach a fed tensor.
 * @param options - See {@link EvaluateOptions}.
 * @returns The fetched values, in order.
 * @throws ShapeError when a path reaches an input that was not fed.
 */
export function evaluateGraph(
  fetches: SymbolicTensor[],
  feeds: Map<number, tf.Tensor>,
  options: EvaluateOptions = {},
): tf.Tensor[] {
  const order = nodesToRun(fetches, feeds);
  const replacements = new Map<LayerNode, NodeReplacement>();
  for (const r of options.replace ?? []) {
    const node = r.layer.inboundNodes[r.nodeIndex];
    if (node) replacements.set(node, r);
  }

  // How many nodes still need each value, so it can be freed after them.
  const pending = new Map<number, number>();
  for (const node of order) {
    for (const t of node.inputTensors) {
      pending.set(t.id, (pending.get(t.id) ?? 0) + 1);
    }
  }
  const keepIds = new Set<number>([
    ...feeds.keys(),
    ...fetches.map((t) => t.id),
  ]);
  const values = new Map<number, tf.Tensor>(feeds);
  const masks = new Map<number, tf.Tensor | null>();

  for (const node of order) {
    const raw = node.inputTensors.map((t) => values.get(t.id) as tf.Tensor);
    const inputs = alignBatches(raw);
    const inputMasks = node.inputTensors.map((t) => masks.get(t.id) ?? null);
    const replacement = replacements.get(node);
    const layer = node.outboundLayer as Layer;
    let outputs: tf.Tensor | tf.Tensor[];
    if (replacement) {
      outputs = replacement.compute(inputs);
    } else {
      const kwargs: Record<string, unknown> = {
        ...(node.callArgs ?? {}),
        training: false,
      };
      if (inputMasks.some((m) => m !== null)) {
        kwargs['mask'] = inputMasks.length === 1 ? inputMasks[0] : inputMasks;
      }
      outputs = layer.apply(
        inputs.length === 1 ? inputs[0]! : inputs,
        kwargs,
      ) as tf.Tensor | tf.Tensor[];
    }
    const list = Array.isArray(outputs) ? outputs : [outputs];
    const outMask = inputMasks.some((m) => m !== null)
      ? computeMask(layer, inputs, inputMasks)
      : null;
    node.outputTensors.forEach((st, i) => {
      values.set(st.id, list[i] as tf.Tensor);
      masks.set(st.id, Array.isArray(outMask) ? outMask[i]! : outMask);
    });
    inputs.forEach((t, i) => {
      if (t !== raw[i]) t.dispose();
    });
    if (!options.keep) {
      for (const st of node.inputTensors) {
        const left = (pending.get(st.id) ?? 1) - 1;
        pending.set(st.id, left);
        if (left === 0 && !keepIds.has(st.id)) {
          values.get(st.id)?.dispose();
          values.delete(st.id);
        }
      }
    }
  }
  return fetches.map((t) => values.get(t.id) as tf.Tensor);
}

/** The nodes between the feeds and the fetches, in an order to run them. */
function nodesToRun(
  fetches: SymbolicTensor[],
  feeds: Map<number, tf.Tensor>,
): LayerNode[] {
  const order: LayerNode[] = [];
  const done = new Set<LayerNode>();
  const visiting = new Set<LayerNode>();
  const visit = (st: SymbolicTensor): void => {
    if (feeds.has(st.id)) return;
    const node = st.sourceLayer.inboundNodes[st.nodeIndex];
    if (!node || node.inboundLayers.length === 0) {
      throw new ShapeError(
        `evaluateGraph: no value was fed for '${st.name}' ` +
          `(layer '${st.sourceLayer.name}'), which the outputs depend on`,
      );
    }
    if (done.has(node) || visiting.has(node)) return;
    visiting.add(node);
    node.inputTensors.forEach(visit);
    visiting.delete(node);
    done.add(node);
    order.push(node);
  };
  fetches.forEach(visit);
  return order;
}

/**
 * Broadcasts batch-1 tensors to the batch of the others (copies), so a
 * constant branch can meet a batched one.
 */
function alignBatches(inputs: tf.Tensor[]): tf.Tensor[] {
  if (inputs.length < 2) return inputs;
  const rows = Math.max(...inputs.map((t) => t.shape[0] ?? 1));
  if (inputs.every((t) => t.shape[0] === rows)) return inputs;
  return inputs.map((t) =>
    t.shape[0] === 1 && rows > 1
      ? tf.tile(t, [rows, ...t.shape.slice(1).map(() => 1)])
      : t,
  );
}

function computeMask(
  layer: Layer,
  inputs: tf.Tensor[],
  masks: (tf.Tensor | null)[],
): tf.Tensor | tf.Tensor[] | null {
  const result = layer.computeMask(
    inputs.length === 1 ? inputs[0]! : inputs,
    (masks.length === 1 ? masks[0] : masks) as tf.Tensor | tf.Tensor[],
  );
  return result ?? null;
}

/** A model nested as a layer, with its output in the enclosing graph. */
export interface NestedModel {
  /** The nested model. */
  model: tfl.LayersModel;
  /** Its output in the graph of the model that contains it. */
  output: SymbolicTensor;
}

/**
 * Where a layer sits in a model: the chain of nested models leading to it
 * and the symbolic tensor of its output in the innermost one.
 */
export interface LayerLocation {
  /** The layer. */
  layer: Layer;
  /** Its output in the graph of the innermost model that contains it. */
  output: SymbolicTensor;
  /** Nested models from the outermost (a layer of the model) inwards. */
  path: NestedModel[];
}

/**
 * Finds a layer by name in a model or in models nested in it (a path
 * `outer/inner` names a layer of a nested model).
 *
 * @returns The location, or null when no layer has that name.
 * @throws TypeError when the layer runs at more than one node of the
 *   graph, so its output is ambiguous.
 */
export function locateLayer(
  model: tfl.LayersModel,
  name: string,
): LayerLocation | null {
  const parts = name.split('/');
  const search = (
    m: tfl.LayersModel,
    path: NestedModel[],
  ): LayerLocation | null => {
    if (parts.length > 1 && path.length < parts.length - 1) {
      const inner = m.layers.find((l) => l.name === parts[path.length]);
      return isModel(inner)
        ? search(inner, [...path, { model: inner, output: outputOf(m, inner) }])
        : null;
    }
    const target = parts[parts.length - 1] as string;
    const layer = m.layers.find((l) => l.name === target);
    if (layer) return { layer, output: outputOf(m, layer), path };
    if (parts.length > 1) return null;
    for (const l of m.layers) {
      if (!isModel(l)) continue;
      const found = search(l, [...path, { model: l, output: outputOf(m, l) }]);
      if (found) return found;
    }
    return null;
  };
  return search(model, []);
}

/** Names of every layer of a model and of the models nested in it. */
export function layerNames(model: tfl.LayersModel, prefix = ''): string[] {
  return model.layers.flatMap((l) => [
    prefix + l.name,
    ...(isModel(l) ? layerNames(l, `${prefix}${l.name}/`) : []),
  ]);
}

/** True for a tfjs-layers model (nested models are layers too). */
export function isModel(layer: unknown): layer is tfl.LayersModel {
  return (
    typeof layer === 'object' &&
    layer !== null &&
    'layers' in layer &&
    'inputNames' in layer &&
    'outputs' in layer
  );
}

/** The output of `layer` at the node the model's graph uses. */
function outputOf(model: tfl.LayersModel, layer: Layer): SymbolicTensor {
  const found = new Map<number, SymbolicTensor>();
  const seen = new Set<number>();
  const walk = (st: SymbolicTensor): void => {
    if (seen.has(st.id)) return;
    seen.add(st.id);
    if (st.sourceLayer === layer) found.set(st.nodeIndex, st);
    const node = st.sourceLayer.inboundNodes[st.nodeIndex];
    node?.inputTensors.forEach(walk);
  };
  model.outputs.forEach(walk);
  if (found.size > 1) {
    throw new TypeError(
      `locateLayer: layer '${layer.name}' runs at ${found.size} nodes of ` +
        `model '${model.name}'; its output is ambiguous`,
    );
  }
  const st = [...found.values()][0];
  if (st) return st;
  const output = layer.output;
  return (Array.isArray(output) ? output[0] : output) as SymbolicTensor;
}

/**
 * The model inputs (symbolic) that a symbolic tensor depends on.
 */
export function inputsFeeding(
  model: tfl.LayersModel,
  st: SymbolicTensor,
): SymbolicTensor[] {
  const inputs = new Set(model.inputs.map((t) => t.id));
  const found = new Map<number, SymbolicTensor>();
  const seen = new Set<number>();
  const walk = (t: SymbolicTensor): void => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    if (inputs.has(t.id)) found.set(t.id, t);
    t.sourceLayer.inboundNodes[t.nodeIndex]?.inputTensors.forEach(walk);
  };
  walk(st);
  return model.inputs.filter((t) => found.has(t.id));
}
