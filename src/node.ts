/**
 * modalfuse's Node-only entry (`modalfuse/node`): file-system saving and
 * loading of models. Importing it lets `model.save('file://dir')` and
 * `tf.loadLayersModel('file://dir/model.json')` work without tfjs-node.
 *
 * @packageDocumentation
 */
import { registerFileRouter } from './model/node-io';

registerFileRouter();

export {
  fileSystem,
  loadModel,
  registerFileRouter,
  saveModel,
} from './model/node-io';
