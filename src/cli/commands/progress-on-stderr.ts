import { formatProgressLine } from '../../simulate/format-run-report.js';
import type { SendStats } from '../../simulate/send-stats.js';

/**
 * A simulator run's progress on stderr: one line rewritten in place on a terminal, a line
 * per report otherwise, with the rate since the last report. `end` closes the line.
 */
export function progressOnStderr(): { onProgress: (stats: SendStats, elapsedMs: number) => void; end: () => void } {
  let lastCount = 0;
  let lastAt = 0;
  return {
    onProgress(stats, elapsedMs) {
      const rate = ((stats.requests - lastCount) * 1000) / Math.max(1, elapsedMs - lastAt);
      [lastCount, lastAt] = [stats.requests, elapsedMs];
      const line = formatProgressLine(stats, elapsedMs, rate);
      process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
    },
    end() {
      if (process.stderr.isTTY) process.stderr.write('\n');
    },
  };
}
