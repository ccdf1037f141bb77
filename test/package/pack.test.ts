// The package as npm publishes it: what `npm pack` puts in the tarball,
// and a tarball built from the current sources installed into temporary
// projects, loaded with require and import, type-checked by TypeScript
// consumers, and run with `@tensorflow/tfjs` instead of tfjs-core and
// tfjs-layers.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildLibrary } from './tsup-build';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const consumerScripts = fileURLToPath(new URL('./consumer/', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** What may be in the tarball besides dist/. */
const TOP_LEVEL = ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'];

/** The installed version of a dev dependency, to pin the consumers to. */
function installed(name: string): string {
  const file = join(root, 'node_modules', name, 'package.json');
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

// Nested npm runs must not inherit the npm_* settings of an `npm test`
// that started vitest.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)),
);

async function sh(
  cmd: string,
  args: string[],
  cwd: string,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(cmd, args, { cwd, env, maxBuffer: 64 << 20 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}:\n${stderr}\n${stdout}`,
    );
  }
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

async function npmPack(cwd: string, args: string[]): Promise<PackResult> {
  const { stdout } = await sh(
    'npm',
    ['pack', '--json', '--ignore-scripts', ...args],
    cwd,
  );
  return (JSON.parse(stdout) as PackResult[])[0]!;
}

/** A temporary project with the tarball and `deps` installed. */
async function consumer(
  dir: string,
  tarball: string,
  deps: string[],
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  await sh(
    'npm',
    [
      'install',
      tarball,
      ...deps,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
    ],
    dir,
  );
  for (const f of ['esm.mjs', 'cjs.cjs']) {
    await copyFile(join(consumerScripts, f), join(dir, f));
  }
  return dir;
}

/** Every file path that `main`, `module`, `types` and `exports` name. */
function entryPaths(): string[] {
  const paths = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') paths.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk([pkg.main, pkg.module, pkg.types, pkg.exports]);
  return [...paths].sort();
}

// TypeScript consumers: tfjs's own declarations do not pass a library
// check, so the check keeps only errors in modalfuse's declarations and in
// the consumer's files.
const TYPED = `import * as tf from '@tensorflow/tfjs-core';
import {
  buildModel,
  explainModalities,
  fitModel,
  lstmEncoder,
  mlpEncoder,
  type FitHistory,
  type ShapleyExplanation,
} from 'modalfuse';

export async function train(): Promise<{
  history: FitHistory;
  parts: ShapleyExplanation;
}> {
  const model = buildModel({
    modalities: {
      series: { shape: [5, 2], encoder: lstmEncoder({ units: [4] }) },
      table: { shape: [3], encoder: mlpEncoder({ units: [4] }) },
    },
    heads: { name: 'y' },
  });
  const x = { series: tf.zeros([4, 5, 2]), table: tf.zeros([4, 3]) };
  const history = await fitModel(model, x, tf.zeros([4, 1]), { epochs: 1 });
  const parts = await explainModalities(model, x, { baseline: x });
  // @ts-expect-error: heads are required, so these types are real ones
  buildModel({ modalities: {} });
  return { history, parts };
}
`;
const TYPED_NODE = `${TYPED}
import { loadModel, saveModel } from 'modalfuse/node';

export async function roundTrip(dir: string): Promise<number> {
  const { history } = await train();
  const model = buildModel({
    modalities: { t: { shape: [2], encoder: mlpEncoder({ units: [2] }) } },
    heads: { name: 'y' },
  });
  await saveModel(model, dir);
  const loaded = await loadModel(dir);
  return loaded.countParams() + history.steps;
}
`;

const TS_SETUPS = {
  node16: {
    files: { 'typed.mts': TYPED_NODE, 'typed.cts': TYPED_NODE },
    options: { module: 'node16', moduleResolution: 'node16', types: ['node'] },
    declarations: [
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/node.d.ts',
      'dist/node.d.cts',
    ],
  },
  bundler: {
    files: { 'typed.ts': TYPED },
    options: {
      module: 'esnext',
      moduleResolution: 'bundler',
      lib: ['es2022', 'dom'],
      types: [],
    },
    declarations: ['dist/index.d.ts'],
  },
} as const;

let tmp = '';
let dryRun: PackResult;
let packed: PackResult;
let core = '';
let full = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'modalfuse-pack-'));
  dryRun = await npmPack(root, ['--dry-run']);

  // Stage what npm would pack, with dist/ built from the current sources.
  const stage = join(tmp, 'stage');
  await mkdir(stage);
  for (const f of dryRun.files) {
    if (!f.path.startsWith('dist/')) {
      await copyFile(join(root, f.path), join(stage, f.path));
    }
  }
  await buildLibrary(join(stage, 'dist'));
  packed = await npmPack(stage, ['--pack-destination', tmp]);
  const tarball = join(tmp, packed.filename);

  const tfjs = installed('@tensorflow/tfjs-core');
  [core, full] = await Promise.all([
    consumer(join(tmp, 'core'), tarball, [
      `@tensorflow/tfjs-core@${tfjs}`,
      `@tensorflow/tfjs-layers@${tfjs}`,
      `@tensorflow/tfjs-backend-cpu@${tfjs}`,
      `@types/node@${installed('@types/node')}`,
    ]),
    consumer(join(tmp, 'tfjs'), tarball, [`@tensorflow/tfjs@${tfjs}`]),
  ]);
}, 600_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('packs only dist, README.md, LICENSE, CHANGELOG.md and package.json', () => {
    for (const { files } of [dryRun, packed]) {
      const paths = files.map((f) => f.path);
      expect(
        paths.filter((p) => !p.startsWith('dist/') && !TOP_LEVEL.includes(p)),
      ).toEqual([]);
      expect(paths).toEqual(expect.arrayContaining(TOP_LEVEL));
    }
    const inTarball = packed.files.map((f) => f.path);
    expect(inTarball).toEqual(expect.arrayContaining(entryPaths()));
    // Source maps carry their sources; nothing points outside the package.
    expect(
      inTarball.filter((p) => /\.(ts|tsx)$/.test(p) && !/\.d\.c?ts$/.test(p)),
    ).toEqual([]);
  });

  it('names only files that exist in main, module, types and exports', () => {
    const dist = join(core, 'node_modules', 'modalfuse');
    expect(entryPaths().filter((p) => !existsSync(join(dist, p)))).toEqual([]);
    const exportsMap = pkg.exports as Record<string, Record<string, object>>;
    for (const [subpath, conditions] of Object.entries(exportsMap)) {
      if (typeof conditions !== 'object') continue;
      for (const target of Object.values(conditions)) {
        // `types` first, so TypeScript picks it before `default`.
        expect(Object.keys(target)[0], subpath).toBe('types');
      }
    }
  });

  it('loads with require(), and a fused model predicts', async () => {
    const { stdout } = await sh(process.execPath, ['cjs.cjs'], core);
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.exports).toBeGreaterThan(100);
    expect(result.nodeExports).toEqual(
      expect.arrayContaining(['loadModel', 'saveModel', 'fileSystem']),
    );
    expect(result.shape).toEqual([2, 1]);
    expect(result.finite).toBe(true);
  });

  it.for([
    ['@tensorflow/tfjs-core', 'tfjs-core and tfjs-layers'],
    ['@tensorflow/tfjs', '@tensorflow/tfjs alone'],
  ] as const)(
    'imports as ES modules with %s (%s): trains an LSTM fusion model, saves, loads and reads a CSV',
    async ([tfPackage]) => {
      const dir = tfPackage === '@tensorflow/tfjs' ? full : core;
      const { stdout } = await sh(
        process.execPath,
        ['esm.mjs', tfPackage],
        dir,
      );
      const result = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(result).toMatchObject({
        tfjs: tfPackage,
        backend: 'cpu',
        epochs: 2,
        finiteLoss: true,
        maxDiff: 0,
        sessions: ['2024-01-02', '2024-01-03'],
      });
      expect(result.exports).toBeGreaterThan(100);
    },
  );

  it.for(Object.keys(TS_SETUPS) as (keyof typeof TS_SETUPS)[])(
    'type-checks a TypeScript consumer with moduleResolution %s',
    async (setup) => {
      const { files, options } = TS_SETUPS[setup];
      const dir = join(core, `ts-${setup}`);
      await mkdir(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) {
        await writeFile(join(dir, name), text);
      }
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'es2022',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            ...options,
          },
          files: Object.keys(files),
        }),
      );
      const tsc = join(root, 'node_modules', 'typescript', 'lib', 'tsc.js');
      const out = await run(process.execPath, [tsc, '-p', dir, '--listFiles'], {
        cwd: core,
        env,
        maxBuffer: 64 << 20,
      }).then(
        (r) => r.stdout,
        (e: { stdout?: string }) => e.stdout ?? String(e),
      );
      const lines = out.split('\n');
      const declarations = lines
        .filter((l) => l.includes('/node_modules/modalfuse/'))
        .map((l) => l.replace(/.*\/node_modules\/modalfuse\//, ''));
      expect(declarations).toEqual(
        expect.arrayContaining([...TS_SETUPS[setup].declarations]),
      );
      const ours = lines
        .filter((l) => /error TS/.test(l))
        .filter((l) => !l.startsWith('node_modules/@tensorflow/'));
      expect(ours).toEqual([]);
    },
  );
});
