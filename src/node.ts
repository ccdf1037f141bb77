/**
 * modalfuse's Node-only entry (`modalfuse/node`): file-system saving and
 * loading of models, and PNG renderers (through pngjs, which needs Node's
 * zlib). Importing it lets `model.save('file://dir')` and
 * `tf.loadLayersModel('file://dir/model.json')` work without tfjs-node.
 *
 * @packageDocumentation
 */
import { registerFileRouter } from './model/node-io';

registerFileRouter();

export {
  encodePng,
  renderGradCamPng,
  renderHeatmapPng,
  type HeatmapPngOptions,
  type Raster,
} from './explain/render/png';
export {
  fileSystem,
  loadModel,
  registerFileRouter,
  saveModel,
} from './model/node-io';
