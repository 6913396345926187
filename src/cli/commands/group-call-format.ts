import { plural } from '../../domain/plural.js';
import type { GroupCallJson, GroupCallJsonPage } from '../group-call-source.js';
import { alignedTable, formatDuration, formatTime } from './calls.js';

type GroupStayJson = GroupCallJson['stays'][number];

const LIST_HEADINGS = ['sid', 'started', 'room', 'host', 'media', 'state', 'duration', 'participants', 'peak'];

const media = (type: string) => (type === 'A' ? 'audio' : 'video');
const msTime = (ms: number, tz: string) => formatTime(ms / 1000, tz);
const msDuration = (ms: number | null) => (ms === null ? '-' : formatDuration(Math.floor(ms / 1000)));

/** A readable table of group calls: sid, start in `tz`, room, host, media, state, duration, participants and peak online. */
export function formatGroupCallTable(calls: GroupCallJsonPage['items'], tz: string): string {
  if (calls.length === 0) return 'no group calls match\n';
  const rows = calls.map((c) => [
    c.sid,
    msTime(c.started_at, tz),
    `${c.id} @ ${c.svc_id}`,
    c.host_id,
    media(c.media_type),
    c.state,
    msDuration(c.duration_ms),
    String(c.participants),
    String(c.peak_online),
  ]);
  return alignedTable(LIST_HEADINGS, rows);
}

/**
 * The human form of one group call: the session, its flags, a table of its stays (who,
 * when they joined and left, for how long, the status, reason and who ended it), then a
 * timeline of the participants' joins, media changes and leaves.
 */
export function formatGroupCall(call: GroupCallJson, tz: string): string {
  const time = (ms: number | null) => (ms === null ? '-' : msTime(ms, tz));
  const end = call.ended_at !== null ? time(call.ended_at) : `- (${call.state}${call.end_due_at === null ? '' : `, end_missing after ${time(call.end_due_at)}`})`;
  const lines = [
    `group call ${call.sid} (${media(call.media_type)})`,
    `  room          ${call.id} @ ${call.svc_id}`,
    `  host          ${call.host_id} @ ${call.host_svc_id}`,
    `  started       ${time(call.started_at)}`,
    `  ended         ${end}`,
    `  duration      ${msDuration(call.duration_ms)}`,
    `  state         ${call.state}`,
    `  participants  ${call.participants} (peak online ${call.peak_online}, final online ${call.final_online}, most stays at once ${call.peak_stays})`,
    `  events        ${call.event_count}, last ${time(call.last_event_at)}${call.conflicts > 0 ? `; ${plural(call.conflicts, 'conflicting version')}` : ''}`,
    '',
    call.flags.length === 0 ? 'no flags' : 'flags',
    ...call.flags.map((f) => `  - ${f.code}: ${f.message}`),
    '',
    `stays (${call.stays.length})`,
  ];
  const stayRows = call.stays.map((s) => [
    participantOf(s),
    time(s.joined_at),
    time(s.left_at),
    msDuration(s.duration_ms),
    s.status,
    s.reason ?? '-',
    s.ended_by,
  ]);
  if (stayRows.length > 0) lines.push(indent(alignedTable(['participant', 'joined', 'left', 'duration', 'status', 'reason', 'ended by'], stayRows)));
  lines.push('', 'timeline', ...timelineOf(call.stays).map((moment) => `  ${time(moment.at)}  ${moment.text}`));
  const explained = call.stays.filter((s) => s.flags.length > 0);
  if (explained.length > 0) lines.push('', 'stay flags', ...explained.flatMap((s) => s.flags.map((f) => `  ${participantOf(s)}: ${f.code}: ${f.message}`)));
  lines.push('', `rules v${call.rules_version}`);
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** Each stay's join, media changes and end, in time order (a stay never joined shows only its end). */
function timelineOf(stays: readonly GroupStayJson[]): Array<{ at: number; text: string }> {
  const moments: Array<{ at: number; order: number; text: string }> = [];
  for (const s of stays) {
    const who = participantOf(s);
    if (s.joined_at !== null) moments.push({ at: s.joined_at, order: 0, text: `${who} joined (${media(s.media_type)}, ${s.ue_type})` });
    for (const change of s.media_changes) moments.push({ at: change.ts, order: 1, text: `${who} switched to ${media(change.media_type)}` });
    if (s.left_at === null) continue;
    const reason = s.reason === null ? '' : `, ${s.reason}`;
    const text = s.joined_at === null
      ? `${who} failed to join${reason}, ended by ${s.ended_by}`
      : `${who} left after ${msDuration(s.duration_ms)}: ${s.status}${reason}, ended by ${s.ended_by}`;
    moments.push({ at: s.left_at, order: 2, text });
  }
  return moments.sort((a, b) => a.at - b.at || a.order - b.order);
}

function participantOf(stay: GroupStayJson): string {
  return `${stay.user_id}${stay.display_name === null ? '' : ` "${stay.display_name}"`}`;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ').replace(/\n$/, '');
}
