import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** pino, pretty on a terminal and JSON lines otherwise. Nothing secret is ever passed to it. */
export function createLogger(level: LogLevel = 'info', destination: NodeJS.WritableStream = process.stderr): Logger {
  const isTty = (destination as { isTTY?: boolean }).isTTY === true;
  if (isTty) return pino({ level }, pretty({ destination, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
  return pino({ level, base: undefined }, destination);
}
