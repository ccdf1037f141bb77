/**
 * Runs the code of the guides as written: the fenced `ts` blocks under a
 * heading are written to test/.generated/ and imported, with 'modalfuse'
 * and 'modalfuse/node' resolving to the sources (vitest.config.ts), so a
 * guide cannot drift from the code it documents.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';

import ts from 'typescript';

const root = new URL('../../', import.meta.url);

/** The text of docs/guides/<name>.md. */
export function readGuide(name: string): Promise<string> {
  return readDoc(`docs/guides/${name}.md`);
}

/** The text of a file of the repository, by its path from the root. */
export function readDoc(path: string): Promise<string> {
  return readFile(new URL(path, root), 'utf8');
}

/**
 * The fenced `ts` blocks under the `## heading` of a markdown text, up to
 * the next `## ` heading.
 *
 * @throws Error naming `where` when the text has no such heading.
 */
export function sectionSnippets(
  text: string,
  heading: string,
  where: string,
): string[] {
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`${where}: no '## ${heading}' section`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The fenced `ts` blocks under the `## heading` of docs/guides/<name>.md. */
export async function guideSnippets(
  name: string,
  heading = 'Example',
): Promise<string[]> {
  const where = `docs/guides/${name}.md`;
  return sectionSnippets(await readGuide(name), heading, where);
}

/** The generated module of a guide's example, for the run and type tests. */
export function snippetModule(code: string, names: string[]): string {
  return `${code}\nexport { ${names.join(', ')} };\n`;
}

/**
 * Writes a guide's example (its `ts` blocks joined) to
 * test/.generated/docs-<name>.ts with `export { ...names }` appended,
 * imports it and returns what it exports.
 */
export async function runGuideExample(
  name: string,
  names: string[],
  heading = 'Example',
): Promise<Record<string, unknown>> {
  const code = (await guideSnippets(name, heading)).join('\n');
  if (code.trim() === '') {
    throw new Error(`docs/guides/${name}.md: '## ${heading}' has no ts code`);
  }
  return runModule(`docs-${name}`, code, names);
}

/**
 * Writes code to test/.generated/<file>.ts with `export { ...names }`
 * appended, imports it and returns what it exports.
 */
export async function runModule(
  file: string,
  code: string,
  names: string[],
): Promise<Record<string, unknown>> {
  const dir = new URL('test/.generated/', root);
  await mkdir(dir, { recursive: true });
  const url = new URL(`${file}.ts`, dir);
  await writeFile(url, snippetModule(code, names));
  return (await import(/* @vite-ignore */ url.href)) as Record<string, unknown>;
}

/**
 * Type-checks modules with the project's compiler options, 'modalfuse' and
 * 'modalfuse/node' mapped to the sources, and returns the diagnostics of
 * those modules as `file:line: message` lines.
 */
export function typeCheck(files: Record<string, string>): string[] {
  const config = ts.readConfigFile(
    new URL('tsconfig.json', root).pathname,
    (path) => ts.sys.readFile(path),
  );
  const parsed = ts.parseJsonConfigFileContent(
    config.config,
    ts.sys,
    new URL('.', root).pathname,
  );
  const dir = new URL('test/.generated/typecheck/', root).pathname;
  const sources = new Map(
    Object.entries(files).map(([name, text]) => [`${dir}${name}.ts`, text]),
  );
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    // Examples compute values for the reader to look at.
    noUnusedLocals: false,
    paths: {
      modalfuse: [new URL('src/index.ts', root).pathname],
      'modalfuse/node': [new URL('src/node.ts', root).pathname],
    },
  };
  const host = ts.createCompilerHost(options);
  const readFileFromDisk = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (path) => sources.get(path) ?? readFileFromDisk(path);
  host.fileExists = (path) => sources.has(path) || ts.sys.fileExists(path);
  host.getSourceFile = (path, language, onError, create) => {
    const text = sources.get(path);
    return text === undefined
      ? getSourceFile(path, language, onError, create)
      : ts.createSourceFile(path, text, language);
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  return [...sources.keys()].flatMap((path) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(path)).map((d) => {
      const where =
        d.file && d.start !== undefined
          ? `:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
          : '';
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      return `${path.slice(dir.length)}${where}: ${message}`;
    }),
  );
}
