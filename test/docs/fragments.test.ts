import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import {
  distillationLoss,
  findLayers,
  type CoTraining,
  type CoTrainingData,
  type GroupFitHistory,
  type StandardScaler,
} from '../../src/index';
import { expectClose } from '../helpers';
import { CONTEXT, type Context } from './fragment-contexts';
import { readDoc, runModule, snippetModule, typeCheck } from './snippets';

// The guides' `ts` fragments outside their runnable sections: each becomes
// one module (its context's setup, the fragment, a return of named
// results) that is type-checked against the sources and then run.

/** Sections whose ts blocks the other tests run. */
const RUNNABLE = ['Example', 'A runnable example', 'A first explanation'];

/** The ts blocks of a markdown text outside its runnable sections. */
function fragments(text: string): string[] {
  const sections = text.split(/\n(?=## )/);
  return sections
    .filter((s) => !RUNNABLE.some((h) => s.startsWith(`## ${h}\n`)))
    .flatMap((s) => [...s.matchAll(/```ts\n([\s\S]*?)```/g)])
    .map((m) => m[1]!);
}

/**
 * A fragment as a module: its own imports and the setup's first, then an
 * async function `fragment` (fragments may `await`) that runs the setup,
 * then the fragment, and returns the context's names. `runModule` and
 * the type-check append the same `export { fragment }`.
 */
function fragmentModule(context: Context, code: string): string {
  const imports: string[] = [];
  const body: string[] = [];
  let inImport = false;
  for (const line of code.split('\n')) {
    if (line.startsWith('import ') || inImport) {
      imports.push(line);
      inImport = !line.includes(' from ');
    } else {
      body.push(line);
    }
  }
  return (
    `${imports.join('\n')}\n${context.imports}\n` +
    `async function fragment() {\n${context.setup}\n${body.join('\n')}\n` +
    `return { ${context.returns.join(', ')} };\n}\n`
  );
}

/** The file name of a guide's fragment `k`, e.g. `fragment-colearning-0`. */
function fileName(path: string, k: number): string {
  return `fragment-${path.replace(/^docs\/guides\/|\.md$/g, '')}-${k}`;
}

/** The module text of every fragment, keyed by file name. */
async function fragmentModules(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [path, contexts] of Object.entries(CONTEXT)) {
    const found = fragments(await readDoc(path));
    expect(
      found.length,
      `${path}: ts fragments outside runnable sections`,
    ).toBe(contexts.length);
    found.forEach((code, k) => {
      files[fileName(path, k)] = fragmentModule(contexts[k]!, code);
    });
  }
  return files;
}

/**
 * Runs fragment `k` of a guide (the module the type-check saw) and
 * returns the names of its context.
 */
async function runFragment(
  path: string,
  k: number,
): Promise<Record<string, unknown>> {
  const name = fileName(path, k);
  const text = (await fragmentModules())[name]!;
  const { fragment } = await runModule(name, text, ['fragment']);
  return (fragment as () => Promise<Record<string, unknown>>)();
}

/**
 * Runs `run` with a fresh temporary directory as the working directory,
 * so fragments that write `./...` write there, and removes it after.
 */
async function inTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'modalfuse-fragment-'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await run(dir);
  } finally {
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
  }
}

/** A test title: the guide's file name and what its fragment continues. */
function title(path: string, k: number, says: string): string {
  return `${path.replace(/^docs\/guides\//, '')} ${CONTEXT[path]![k]!.title}: ${says}`;
}

/** A round of the history without its wall time. */
function withoutTime(rounds: CoTraining['history']): object[] {
  return rounds.map(({ ms: _ms, ...rest }) => rest);
}

describe('the fragments of the guides', () => {
  it('are all accounted for and type-check in their context', async () => {
    const modules = Object.entries(await fragmentModules()).map(
      ([name, text]) => [name, snippetModule(text, ['fragment'])],
    );
    expect(typeCheck(Object.fromEntries(modules))).toEqual([]);
  });

  it('exist only in the guides listed above', async () => {
    const guides = (
      await readdir(new URL('../../docs/guides/', import.meta.url))
    )
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/guides/${f}`);
    for (const path of guides) {
      if (path in CONTEXT) continue;
      expect(fragments(await readDoc(path)), path).toEqual([]);
    }
  });

  const colearning = 'docs/guides/colearning.md';

  it(
    title(colearning, 0, 'the restored run continues where it stopped'),
    async () => {
      const x = (await runFragment(colearning, 0)) as {
        co: CoTraining;
        resumed: CoTraining;
        data: CoTrainingData;
      };
      try {
        // The saved run had one round; the restored one ran the second
        // (the last, maxRounds 1) from the saved pool and pseudo-labels.
        expect(x.co.history).toHaveLength(1);
        expect(x.co.stop).toBeNull();
        expect(x.resumed.history).toHaveLength(2);
        expect(x.resumed.stop).toBe('maxRounds');
        const first = x.co.history[0]!;
        expect(first.added.a!.count + first.added.b!.count).toBeGreaterThan(0);
        expect(x.resumed.history[1]!.trainingSize).toEqual({
          a: 8 + first.added.b!.count,
          b: 8 + first.added.a!.count,
        });

        // Exactly as the run would have gone on without the interruption.
        await x.co.fit(x.data);
        expect(withoutTime(x.resumed.history)).toEqual(
          withoutTime(x.co.history),
        );
        expectClose(
          x.resumed.predict(x.data.unlabelled.inputs),
          x.co.predict(x.data.unlabelled.inputs),
          { atol: 1e-6, rtol: 0 },
        );
      } finally {
        x.co.dispose();
        x.resumed.dispose();
      }
    },
  );

  it(title(colearning, 1, 'only the news encoder stays frozen'), async () => {
    const x = (await runFragment(colearning, 1)) as {
      model: tfl.LayersModel;
      encoder: tfl.layers.Layer;
    };
    expect(findLayers(x.model, 'price_encoder')).toEqual([x.encoder]);
    const frozen = x.model.layers
      .filter((l) => l.weights.length > 0 && !l.trainable)
      .map((l) => l.name);
    expect(frozen).toEqual(['news_encoder']);
    expect(x.encoder.trainable).toBe(true);
    const trained = x.model.trainableWeights.map((w) => w.originalName);
    expect(trained.some((n) => n.startsWith('price_encoder/'))).toBe(true);
    expect(trained.some((n) => n.startsWith('news_encoder/'))).toBe(false);
  });

  it(
    title(colearning, 2, 'the reused encoder learns at a tenth of the rate'),
    async () => {
      const x = (await runFragment(colearning, 2)) as {
        encoder: tfl.layers.Layer;
        fusion: tfl.LayersModel;
        histories: GroupFitHistory[];
      };
      expect(findLayers(x.fusion, 'price_encoder')).toEqual([x.encoder]);
      expect(x.histories).toHaveLength(1);
      const history = x.histories[0]!;
      expect(history.epochs).toHaveLength(10);
      expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0]!.loss);

      // One optimizer at 1e-4 over the price encoder's weights, one at
      // 1e-3 over the others.
      const groups = [...history.groups].sort(
        (p, q) => p.learningRate - q.learningRate,
      );
      expect(groups.map((g) => g.learningRate)).toEqual([
        expect.closeTo(1e-4, 12),
        1e-3,
      ]);
      const slow = x.encoder.trainableWeights.map(
        (w) => (w.read() as tf.Variable).name,
      );
      expect([...groups[0]!.weights].sort()).toEqual([...slow].sort());
      expect(groups[1]!.weights.some((w) => slow.includes(w))).toBe(false);
      expect(groups[1]!.weights.length).toBeGreaterThan(0);
    },
  );

  it(title(colearning, 3, 'the student moves toward the teacher'), async () => {
    const x = (await runFragment(colearning, 3)) as {
      teacher: tf.Tensor2D;
      newsStudent: tfl.LayersModel;
      newsInputs: { news: tf.Tensor };
      studentBefore: tf.Tensor;
    };
    const options = {
      temperature: 4,
      teacherOutput: 'probabilities' as const,
    };
    const after = x.newsStudent.predict(x.newsInputs.news) as tf.Tensor;
    // The loss of a student that copies the teacher: its logits.
    const copy = tf.log(tf.div(x.teacher, tf.sub(1, x.teacher)));
    const [floor, before, now] = [copy, x.studentBefore, after].map(
      (s) => distillationLoss(s, x.teacher, options).dataSync()[0]!,
    ) as [number, number, number];
    expect(x.teacher.shape).toEqual([32, 1]);
    // 20 Adam steps at 1e-3 take off more than a quarter of the gap.
    expect(now - floor).toBeLessThan(0.75 * (before - floor));
    expect(now - floor).toBeGreaterThan(0);
    tf.dispose([after, copy]);
  });

  it(
    title(
      'docs/guides/data.md',
      0,
      'the reloaded scaler transforms like the original',
    ),
    async () => {
      await inTempDir(async (dir) => {
        const x = (await runFragment('docs/guides/data.md', 0)) as {
          scaler: StandardScaler;
          again: StandardScaler;
        };
        expect((await readdir(join(dir, 'model'))).sort()).toEqual([
          'model.json',
          'weights.bin',
        ]);
        expect([...x.again.mean]).toEqual([...x.scaler.mean]);
        const rows = [
          [0, 0, 0],
          [2, 30, 200],
          [10, -5, 1e3],
        ];
        expect(x.again.transform(rows)).toEqual(x.scaler.transform(rows));
      });
    },
  );

  it(
    title(
      'docs/guides/saving-and-loading.md',
      0,
      'the reloaded model predicts as the saved one',
    ),
    async () => {
      await inTempDir(async (dir) => {
        const x = (await runFragment(
          'docs/guides/saving-and-loading.md',
          0,
        )) as {
          model: tfl.LayersModel;
          again: tfl.LayersModel;
          inputs: tf.Tensor[];
        };
        expect((await readdir(join(dir, 'models/fusion'))).sort()).toEqual([
          'model.json',
          'weights.bin',
        ]);
        expect(x.again).not.toBe(x.model);
        expect(x.again.layers.map((l) => l.getClassName())).toContain(
          'modalfuse>GatedFusion',
        );
        expectClose(
          x.again.predict(x.inputs) as tf.Tensor,
          x.model.predict(x.inputs) as tf.Tensor,
          { atol: 1e-6, rtol: 0 },
        );
      });
    },
  );
});
