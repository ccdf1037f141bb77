// Builds the library with the repository's tsup configuration into another
// folder, so that tests never touch dist/ (which a developer may be using)
// and can run side by side.
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build, type Options } from 'tsup';

import config from '../../tsup.config';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `npm run build`'s configuration with `outDir` and any overrides
 * (for example ESM only, without declarations). tsup reads package.json
 * from the working directory (to keep dependencies external), so that
 * must be the repository root.
 */
export async function buildLibrary(
  outDir: string,
  overrides: Options = {},
): Promise<void> {
  if (resolve(process.cwd()) !== resolve(root)) {
    throw new Error(
      `buildLibrary: run from the repository root ${root}, not ` +
        process.cwd(),
    );
  }
  const options = { ...(config as Options), ...overrides };
  const entry = options.entry as Record<string, string>;
  await build({
    ...options,
    entry: Object.fromEntries(
      Object.entries(entry).map(([k, v]) => [
        k,
        isAbsolute(v) ? v : join(root, v),
      ]),
    ),
    tsconfig: join(root, 'tsconfig.json'),
    outDir,
    config: false,
    silent: true,
  });
}
