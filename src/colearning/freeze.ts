/**
 * Freezing and unfreezing the layers (encoders) of a model by name, by
 * pattern, by instance or by predicate.
 */
import * as tfl from '@tensorflow/tfjs-layers';

import { describe } from '../internal/errors';

/**
 * Which layers: a name, a regular expression over names, a layer instance,
 * a predicate, or a list of names and instances (each must be found).
 */
export type LayerSelector =
  | string
  | RegExp
  | tfl.layers.Layer
  | ((layer: tfl.layers.Layer) => boolean)
  | readonly (string | tfl.layers.Layer)[];

/**
 * The layers of `model` that `selector` picks, searching nested models too
 * (a nested model is itself a layer and can be picked whole).
 *
 * @param model - The model to search.
 * @param selector - See {@link LayerSelector}.
 * @returns The layers, in the order of a depth-first walk of the model.
 * @throws TypeError when a name or instance is not in the model, a
 *   pattern or predicate matches nothing, or the selector has another type.
 */
export function findLayers(
  model: tfl.LayersModel,
  selector: LayerSelector,
): tfl.layers.Layer[] {
  const where = 'findLayers';
  const all = walk(model);
  const names = () => all.map((l) => l.name).join(', ');
  const wanted = Array.isArray(selector) ? selector : [selector];
  const matches = new Set<tfl.layers.Layer>();
  for (const item of wanted as unknown[]) {
    let found: tfl.layers.Layer[];
    if (typeof item === 'string') found = all.filter((l) => l.name === item);
    else if (item instanceof RegExp)
      found = all.filter((l) => item.test(l.name));
    else if (item instanceof tfl.layers.Layer) {
      found = all.filter((l) => l === item);
    } else if (typeof item === 'function' && !Array.isArray(selector)) {
      found = all.filter((l) => (item as (x: tfl.layers.Layer) => boolean)(l));
    } else {
      throw new TypeError(
        `${where}: expected a layer name, RegExp, layer, predicate or list ` +
          `of names and layers, received ${describe(item)}`,
      );
    }
    if (found.length === 0) {
      const shown =
        item instanceof tfl.layers.Layer
          ? `layer '${item.name}' (not part of the model)`
          : typeof item === 'function'
            ? 'a predicate that matched nothing'
            : String(item);
      throw new TypeError(
        `${where}: expected layers of model '${model.name}' among ` +
          `[${names()}], received ${shown}`,
      );
    }
    found.forEach((l) => matches.add(l));
  }
  return all.filter((l) => matches.has(l));
}

/**
 * Freezes layers: their weights stop changing in training, as with
 * `layer.trainable = false` in Keras.
 *
 * tfjs-layers reads `trainable` when a model is compiled: `fitModel` and
 * the helpers here compile or read it on every call; after freezing, call
 * `model.compile` again before `model.fit`.
 *
 * @example
 * ```ts
 * freezeLayers(fusionModel, 'price_encoder'); // train the rest only
 * ```
 * @param model - The model.
 * @param selector - The layers to freeze; see {@link LayerSelector}.
 * @returns The names of the frozen layers.
 * @throws TypeError as {@link findLayers}.
 */
export function freezeLayers(
  model: tfl.LayersModel,
  selector: LayerSelector,
): string[] {
  return setTrainable(model, selector, false);
}

/**
 * Unfreezes layers frozen by {@link freezeLayers}. A layer inside a nested
 * model that is itself frozen stays frozen: unfreeze the nested model.
 *
 * @param model - The model.
 * @param selector - The layers to unfreeze; see {@link LayerSelector}.
 * @returns The names of the unfrozen layers.
 * @throws TypeError as {@link findLayers}.
 */
export function unfreezeLayers(
  model: tfl.LayersModel,
  selector: LayerSelector,
): string[] {
  return setTrainable(model, selector, true);
}

function setTrainable(
  model: tfl.LayersModel,
  selector: LayerSelector,
  trainable: boolean,
): string[] {
  const layers = findLayers(model, selector);
  for (const layer of layers) layer.trainable = trainable;
  return layers.map((l) => l.name);
}

/** Every layer of a model, nested models and their layers included. */
function walk(model: tfl.LayersModel): tfl.layers.Layer[] {
  const out: tfl.layers.Layer[] = [];
  for (const layer of model.layers) {
    out.push(layer);
    if (layer instanceof tfl.LayersModel) out.push(...walk(layer));
  }
  return out;
}
