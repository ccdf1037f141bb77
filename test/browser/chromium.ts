// Starts Debian's Chromium headless through playwright-core (which
// downloads no browser of its own) and serves the bundled test page to it
// from memory.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type Page } from 'playwright-core';

/**
 * Where Chromium is looked for, first match wins: MODALFUSE_CHROMIUM
 * alone when it is set, else Debian's and Ubuntu's paths.
 */
export const CHROMIUM_PATHS = process.env.MODALFUSE_CHROMIUM
  ? [process.env.MODALFUSE_CHROMIUM]
  : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

// Headless without a GPU (WebGL runs on SwiftShader, which recent
// Chromium enables only on request) and without the background requests
// that a closed network refuses.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The origin the page is served from; requests never leave Chromium. */
export const ORIGIN = 'http://modalfuse.localhost';

/** A running page and what it reported. */
export interface TestPage {
  /** The page, with `window.modalfusePage` ready. */
  page: Page;
  /** Uncaught errors and console errors seen so far. */
  errors: string[];
  /** Closes Chromium and removes its profile. */
  close(): Promise<void>;
}

/** The first Chromium executable that exists, or undefined. */
export function findChromium(): string | undefined {
  return CHROMIUM_PATHS.find((p) => existsSync(p));
}

/**
 * Launches Chromium with a fresh profile and opens the page whose script
 * is `script` (an ES module).
 */
export async function openTestPage(
  executablePath: string,
  script: string,
): Promise<TestPage> {
  const profile = await mkdtemp(join(tmpdir(), 'modalfuse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: FLAGS,
  });
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    });
    await context.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') {
        return route.fulfill({
          contentType: 'text/html',
          body:
            '<!doctype html><meta charset="utf-8"><title>modalfuse</title>' +
            '<script type="module" src="/page.js"></script>',
        });
      }
      if (path === '/page.js') {
        return route.fulfill({ contentType: 'text/javascript', body: script });
      }
      return route.fulfill({ status: 404, body: 'not found' });
    });
    // A script that throws while loading fails here, not after a timeout.
    const failed = new Promise<never>((_, reject) =>
      page.once('pageerror', (e) => reject(e)),
    );
    failed.catch(() => undefined); // later errors are collected in `errors`
    await page.goto(`${ORIGIN}/`);
    await Promise.race([
      failed,
      page.waitForFunction(() => window.modalfusePage !== undefined, null, {
        timeout: 30_000,
      }),
    ]);
    return { page, errors, close };
  } catch (e) {
    await close();
    throw e;
  }
}
