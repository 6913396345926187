import pino, { type Logger } from 'pino';
import { redactSecretPath } from '../http/callback-guard.js';
import { pathOnly } from '../http/error-handler.js';

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/**
 * The structured logger. Secrets never reach it: request URLs are logged without their
 * query (which holds user ids) and with the callback secret segment replaced, and the
 * Authorization header is redacted.
 */
export function createLogger(options: { level: string; callbackSecret: string | null; destination?: pino.DestinationStream }): Logger {
  const secret = options.callbackSecret;
  return pino(
    {
      level: options.level,
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'config.apiTokens', 'config.callbackSecret'], censor: '[redacted]' },
      serializers: {
        req: (req: RequestLike) => ({
          method: req.method,
          url: redactSecretPath(pathOnly(req.url ?? ''), secret),
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
        }),
        err: pino.stdSerializers.err,
      },
    },
    options.destination,
  );
}
