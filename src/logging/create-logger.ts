import pino, { type Logger } from 'pino';
import { pathOnly } from './path-only.js';
import { createSecretRedactor } from './redact-secret.js';

interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/**
 * The structured logger. Secrets never reach it: request URLs are logged without their
 * query (which holds user ids), the Authorization header is redacted, and the callback
 * secret is replaced wherever it appears in a URL, raw or percent-encoded. Every line
 * passes through the redactor once more before it is written, so the secret cannot leak
 * through another field either (an error message, a header).
 */
export function createLogger(options: { level: string; callbackSecret: string | null; destination?: pino.DestinationStream }): Logger {
  const redactor = options.callbackSecret === null ? null : createSecretRedactor(options.callbackSecret);
  return pino(
    {
      level: options.level,
      ...(redactor === null ? {} : { hooks: { streamWrite: (line: string) => redactor.redactLine(line) } }),
      redact: { paths: ['req.headers.authorization', 'headers.authorization', 'config.apiTokens', 'config.callbackSecret', 'config.callEventRelay.signingSecret'], censor: '[redacted]' },
      serializers: {
        req: (req: RequestLike) => ({
          method: req.method,
          url: redactor === null ? pathOnly(req.url ?? '') : redactor.redactUrl(pathOnly(req.url ?? '')),
          remoteAddress: req.ip ?? req.socket?.remoteAddress,
        }),
        err: pino.stdSerializers.err,
      },
    },
    options.destination,
  );
}
