// A typedoc plugin that groups the API reference by pipeline stage. Every
// export is put in the category of the src/ folder that declares it (an
// explicit `@category` tag wins), each category gets the doc comment of
// that folder's index.ts as its description, and the entry modules take
// the names users import them by (`modalfuse`, `modalfuse/node`). An
// export from a folder that has no stage below fails the build, so a new
// folder gets a title on purpose.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';
import { Comment, CommentTag, Converter, ReflectionKind } from 'typedoc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** src/ folder -> category title, in pipeline order. */
export const STAGES = {
  data: 'Data',
  encoders: 'Encoders',
  alignment: 'Alignment',
  fusion: 'Fusion',
  colearning: 'Co-learning',
  model: 'Model',
  eval: 'Evaluation',
  explain: 'Explanations',
  kernels: 'Kernels',
  internal: 'Errors, logging and utilities',
};

const INTERNAL_DESCRIPTION =
  'Errors that modalfuse throws, its logger, the seeded random stream ' +
  'and the names of initializers and activations that layer options ' +
  'accept.';

/** The doc comment at the top of src/<folder>/index.ts, as markdown. */
function folderDescription(folder) {
  if (folder === 'internal') return INTERNAL_DESCRIPTION;
  let text;
  try {
    text = readFileSync(join(src, folder, 'index.ts'), 'utf8');
  } catch {
    return undefined;
  }
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(text);
  if (!match) return undefined;
  return match[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .filter((line) => !/^@(packageDocumentation|module)\b/.test(line.trim()))
    .join('\n')
    .trim();
}

/** The src/ folder that declares a symbol, following re-exports. */
function declaringFolder(context, reflection) {
  let symbol = context.getSymbolFromReflection(reflection);
  if (!symbol) return undefined;
  if (symbol.flags & ts.SymbolFlags.Alias) {
    symbol = context.checker.getAliasedSymbol(symbol);
  }
  const file = symbol.declarations?.[0]?.getSourceFile().fileName;
  if (!file) return undefined;
  const path = relative(src, file).split(sep);
  return path.length > 1 && path[0] !== '..' ? path[0] : undefined;
}

function hasCategory(comment) {
  return comment?.blockTags.some((t) => t.tag === '@category') ?? false;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  const folders = new Map();

  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, refl) => {
    if (refl.parent?.kindOf(ReflectionKind.Module)) {
      folders.set(refl, declaringFolder(context, refl));
    }
  });

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const used = new Map();
    for (const [refl, folder] of folders) {
      const title = STAGES[folder];
      if (title === undefined) {
        app.logger.error(
          `typedoc-stages: ${refl.getFullName()} is declared in src/` +
            `${folder ?? '?'}, which has no stage; add the folder to ` +
            `STAGES in scripts/typedoc-stages.mjs`,
        );
        continue;
      }
      // Functions carry their comment on the signature.
      const comment = refl.comment ?? refl.signatures?.[0]?.comment;
      if (!comment) continue; // validation reports it as undocumented
      if (!hasCategory(comment)) {
        comment.blockTags.push(
          new CommentTag('@category', [{ kind: 'text', text: title }]),
        );
      }
      const module = refl.parent;
      if (!used.has(module)) used.set(module, new Map());
      used.get(module).set(title, folder);
    }

    for (const [module, titles] of used) {
      module.comment ??= new Comment();
      for (const [title, folder] of titles) {
        const description = folderDescription(folder);
        if (!description) continue;
        module.comment.blockTags.push(
          new CommentTag('@categoryDescription', [
            { kind: 'text', text: `${title}\n${description}` },
          ]),
        );
      }
    }

    // Entry modules take the names users import: `modalfuse` and
    // `modalfuse/<entry>` for each subpath in package.json's exports.
    for (const module of context.project.getReflectionsByKind(
      ReflectionKind.Module,
    )) {
      const name =
        module.name === 'index' ? pkg.name : `${pkg.name}/${module.name}`;
      const subpath = name === pkg.name ? '.' : `./${module.name}`;
      if (!(subpath in pkg.exports)) {
        app.logger.error(
          `typedoc-stages: entry ${module.name} is not exported as ` +
            `${subpath} in package.json`,
        );
      }
      module.name = name;
    }
    folders.clear();
  });
}
