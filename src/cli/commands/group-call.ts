import type { Command } from 'commander';
import type { SourceOptions } from '../api-client.js';
import { openGroupCallSource } from '../group-call-source.js';
import { addSourceOptions, timeZoneOf } from './calls.js';
import { formatGroupCall } from './group-call-format.js';

interface GroupCallOptions extends SourceOptions {
  json?: boolean;
  tz?: string;
}

/** `callevt group-call <sid>`: one group call, its stays and a timeline of its participants. */
export function registerGroupCall(program: Command): void {
  const command = program
    .command('group-call')
    .description("show one group call (room session): its room, host, state and flags, each participant stay (joined, left, duration, status, reason, who ended it) and a timeline of joins, media changes and leaves")
    .argument('<sid>', 'the group call id (32 hexadecimal digits, with or without hyphens)')
    .option('--json', 'print the group call as JSON, like GET /api/group-calls/:sid')
    .option('--tz <zone>', 'time zone for times, e.g. Asia/Tokyo (default: this machine\'s)');
  addSourceOptions(command).action(async (sid: string, options: GroupCallOptions) => {
    const text = await runGroupCall(sid, options);
    if (text === null) {
      process.stderr.write(`callevt: no group call with sid ${sid}\n`);
      process.exitCode = 3;
      return;
    }
    process.stdout.write(text);
  });
}

/** The text `callevt group-call` prints, or null when there is no such group call. */
export async function runGroupCall(sid: string, options: GroupCallOptions): Promise<string | null> {
  const tz = timeZoneOf(options.tz);
  const source = await openGroupCallSource(options);
  try {
    const call = await source.getGroupCall(sid);
    if (call === null) return null;
    return options.json === true ? `${JSON.stringify(call, null, 2)}\n` : formatGroupCall(call, tz);
  } finally {
    await source.close();
  }
}
