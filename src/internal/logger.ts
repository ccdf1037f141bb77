/**
 * The one logger of modalfuse. Library code never calls `console` itself;
 * it logs here, and the caller decides the level and where lines go.
 */

/** Severity of a log line, from quietest to loudest. */
export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** Receives each line that passes the level filter. */
export type LogSink = (
  level: Exclude<LogLevel, 'silent'>,
  text: string,
) => void;

const rank: Record<LogLevel, number> = {
  silent: 0,
  error: 1,
  warn: 2,
  info: 3,
  debug: 4,
};

const consoleSink: LogSink = (level, text) => {
  const method = level === 'debug' ? 'log' : level;
  globalThis.console[method](`[modalfuse] ${text}`);
};

let currentLevel: LogLevel = 'warn';
let currentSink: LogSink = consoleSink;

/**
 * Sets how much modalfuse logs and, optionally, where the lines go.
 *
 * @param level - The loudest level that is still written.
 * @param sink - Receives the lines; defaults to the console.
 * @defaultValue level `'warn'`
 */
export function setLogLevel(level: LogLevel, sink?: LogSink): void {
  currentLevel = level;
  if (sink) currentSink = sink;
}

/** Returns the current log level. */
export function getLogLevel(): LogLevel {
  return currentLevel;
}

/** The internal logger; `text` may be a function so hot paths stay cheap. */
export const logger = {
  error: (text: string | (() => string)) => write('error', text),
  warn: (text: string | (() => string)) => write('warn', text),
  info: (text: string | (() => string)) => write('info', text),
  debug: (text: string | (() => string)) => write('debug', text),
};

function write(
  level: Exclude<LogLevel, 'silent'>,
  text: string | (() => string),
): void {
  if (rank[level] > rank[currentLevel]) return;
  currentSink(level, typeof text === 'function' ? text() : text);
}
