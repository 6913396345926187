/**
 * The schema steps of every SQL database, applied in order and written once: where the
 * dialects differ (an id column, a 64-bit integer, SQLite's WITHOUT ROWID) a step names
 * the difference through its SqlDialect; the rest is the same text for both.
 * Steps 1–8 are released: each renders exactly the SQL it ran then, byte for byte
 * (test/migrations/released-migrations.test.ts keeps it so). Never change a released
 * step; add a new one. Adding a column of a call event: docs/architecture.md.
 */
import type { SqlDialect } from './sql-dialect.js';

export interface Migration {
  version: number;
  name: string;
  /** The step's SQL in a dialect (several statements, run as one script). */
  sql: (d: SqlDialect) => string;
  /** A step SQL alone cannot do, run by each adapter after `sql` in the same transaction. */
  dataStep?: DataStep;
}

/** The data steps migrations name; each adapter maps every one to its code. */
export type DataStep = 'merge-sid-case' | 'build-quarter-rollups-and-blocks' | 'build-lifecycle-rollups';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'calls, conflicts, raw requests and quarantine',
    sql: (d) => `
      CREATE TABLE raw_requests (
        id ${d.idColumn},
        received_at ${d.int64} NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        query TEXT NOT NULL,
        body TEXT,
        content_type TEXT,
        source_ip TEXT NOT NULL,
        result TEXT NOT NULL,
        sid TEXT
      );
      CREATE INDEX raw_requests_received_at ON raw_requests (received_at);

      CREATE TABLE calls (
        id ${d.idColumn},
        sid TEXT NOT NULL UNIQUE,
        from_service_id TEXT NOT NULL,
        from_user_id TEXT NOT NULL,
        to_service_id TEXT NOT NULL,
        to_user_id TEXT NOT NULL,
        type TEXT NOT NULL,
        stid TEXT,
        app_svr_data TEXT,
        setup_time ${d.int64} NOT NULL,
        start_time ${d.int64} NOT NULL,
        end_time ${d.int64} NOT NULL,
        duration ${d.int64} NOT NULL,
        billing_sec ${d.int64},
        srcip TEXT NOT NULL,
        dstip TEXT NOT NULL,
        terminate INTEGER NOT NULL,
        disconnect_reason INTEGER,
        releaser_type INTEGER,
        call_end_reason INTEGER,
        releaser TEXT,
        rel_code ${d.int64} NOT NULL,
        rel_code_str TEXT NOT NULL,
        user_rel_code TEXT,
        extra TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        received_at ${d.int64} NOT NULL,
        raw_request_id ${d.int64} NOT NULL,
        conflicts INTEGER NOT NULL DEFAULT 0,
        outcome TEXT NOT NULL,
        ended_by TEXT NOT NULL,
        reason TEXT NOT NULL,
        reason_source TEXT NOT NULL,
        classifier_version INTEGER NOT NULL
      );
      CREATE INDEX calls_setup_time ON calls (setup_time, id);
      CREATE INDEX calls_end_time ON calls (end_time, id);
      CREATE INDEX calls_from_user ON calls (from_user_id, setup_time);
      CREATE INDEX calls_to_user ON calls (to_user_id, setup_time);

      CREATE TABLE call_conflicts (
        id ${d.idColumn},
        sid TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        event TEXT NOT NULL,
        received_at ${d.int64} NOT NULL,
        raw_request_id ${d.int64} NOT NULL,
        UNIQUE (sid, content_hash)
      );

      CREATE TABLE quarantine (
        id ${d.idColumn},
        raw_request_id ${d.int64} NOT NULL,
        received_at ${d.int64} NOT NULL,
        reasons TEXT NOT NULL
      );
    `,
  },
  {
    // Statistics rollups (docs/statistics.md): per UTC hour slot of setup_time, per dimension value.
    version: 2,
    name: 'statistics rollups',
    sql: (d) => `
      CREATE TABLE call_rollups (
        slot ${d.int64} NOT NULL,
        dim TEXT NOT NULL,
        value TEXT NOT NULL,
        completed INTEGER NOT NULL,
        dropped INTEGER NOT NULL,
        canceled INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        busy INTEGER NOT NULL,
        no_answer INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        duration_sum ${d.int64} NOT NULL,
        billing_sum ${d.int64} NOT NULL,
        answered_duration_sum ${d.int64} NOT NULL,
        short_calls INTEGER NOT NULL,
        peak_concurrency INTEGER NOT NULL,
        duration_hist TEXT NOT NULL,
        tta_hist TEXT NOT NULL,
        PRIMARY KEY (dim, slot, value)
      )${d.withoutRowid};
      -- Finds the calls of one hour still talking at a given time (exact peak concurrency at ingest).
      CREATE INDEX calls_setup_talk ON calls (setup_time, end_time, start_time);
    `,
  },
  {
    // A call's deliveries (GET /api/calls/:sid/deliveries) are found by sid, not by scanning.
    version: 3,
    name: 'raw requests by sid',
    sql: () => `
      CREATE INDEX raw_requests_sid ON raw_requests (sid);
    `,
  },
  {
    // Ingest no longer reads an hour's calls to keep peak concurrency exact: it marks the
    // hour stale and the statistics read side recomputes it (src/storage/sql/stale-peaks.ts).
    version: 4,
    name: 'stale peak hours',
    sql: (d) => `
      CREATE TABLE rollup_stale_peaks (slot ${d.int64} PRIMARY KEY);
      DROP INDEX IF EXISTS calls_setup_talk;
    `,
  },
  {
    // Exact peak concurrency over several hours (src/domain/stats/peak-reach.ts): each rollup
    // row keeps its hour's reach vector and a count of calls too long for it; calls that
    // talk past their setup hour are indexed (few) so a refresh finds them without a scan.
    // Every hour is marked stale, so the read side fills the new columns before using them.
    version: 5,
    name: 'peak reach',
    sql: (d) => `
      ALTER TABLE call_rollups ADD COLUMN peak_reach TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE call_rollups ADD COLUMN long_calls ${d.int64} NOT NULL DEFAULT 0;
      CREATE INDEX calls_spill ON calls (setup_time, end_time)
        WHERE start_time > 0 AND end_time > setup_time - setup_time % 3600 + 3600;
      INSERT INTO rollup_stale_peaks (slot) SELECT DISTINCT slot FROM call_rollups WHERE true ON CONFLICT (slot) DO NOTHING;
    `,
  },
  {
    // Every accepted delivery is its call's first and the call keeps its id (raw_request_id),
    // so only the later ones (duplicates, conflicts) and quarantined requests need finding by
    // sid. A random-UUID index entry per accepted delivery cost ingest one more random page
    // per commit (a third of the WAL written; bench/README.md, "raw_requests by sid").
    version: 6,
    name: 'raw requests by sid, after the first delivery',
    sql: () => `
      DROP INDEX IF EXISTS raw_requests_sid;
      CREATE INDEX raw_requests_sid_repeat ON raw_requests (sid) WHERE result <> 'accepted';
    `,
  },
  {
    // A sid is a UUID, stored in lower case since this version (src/domain/canonical-sid.ts).
    // Older rows with upper-case letters are lower-cased; a sid stored in several cases is
    // merged into one call, the first received, by the data step (src/storage/sql/sid-case-merge.ts).
    // Quarantined requests keep the sid text as sent: they never became a call.
    version: 7,
    name: 'sids in lower case',
    sql: () => `
      UPDATE raw_requests SET sid = lower(sid) WHERE sid <> lower(sid) AND result <> 'quarantined';
    `,
    dataStep: 'merge-sid-case',
  },
  {
    // Peak concurrency counts answered calls only (src/domain/stats/peak-concurrency.ts);
    // rows written before may count a call that talked without being answered. Every peak
    // is cleared and every hour marked stale: the read side recomputes the hours it reads
    // (as after migration 5), and rows without an answered talking call stay 0.
    version: 8,
    name: 'peaks of answered calls',
    sql: () => `
      UPDATE call_rollups SET peak_concurrency = 0, peak_reach = '[0]', long_calls = 0;
      INSERT INTO rollup_stale_peaks (slot) SELECT DISTINCT slot FROM call_rollups WHERE true ON CONFLICT (slot) DO NOTHING;
    `,
  },
  {
    // Quarter-hour rollups (docs/statistics.md, "Zones and windows off the hour"): the same
    // rows as call_rollups per 15-minute UTC slot, so that zones like Asia/Kolkata (+5:30) and
    // windows ending off the hour are answered from rollups instead of a scan. They have
    // their own stale-peak marks. Coarse blocks (3 hours, UTC days: counts, sums and
    // histograms of the hourly rows, no peaks) let long windows merge few rows; they are
    // rebuilt from the hours when marked stale. Covering indexes serve the peak reads.
    // The data step builds both from the stored
    // calls (src/storage/sql/quarter-rollup-build.ts, rollup-blocks.ts), exact peaks included.
    version: 9,
    name: 'quarter-hour rollups and coarse blocks',
    sql: (d) => `
      CREATE TABLE call_rollups_q (
        slot ${d.int64} NOT NULL,
        dim TEXT NOT NULL,
        value TEXT NOT NULL,
        completed INTEGER NOT NULL,
        dropped INTEGER NOT NULL,
        canceled INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        busy INTEGER NOT NULL,
        no_answer INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        duration_sum ${d.int64} NOT NULL,
        billing_sum ${d.int64} NOT NULL,
        answered_duration_sum ${d.int64} NOT NULL,
        short_calls INTEGER NOT NULL,
        peak_concurrency INTEGER NOT NULL,
        duration_hist TEXT NOT NULL,
        tta_hist TEXT NOT NULL,
        peak_reach TEXT NOT NULL DEFAULT '[]',
        long_calls ${d.int64} NOT NULL DEFAULT 0,
        PRIMARY KEY (dim, slot, value)
      )${d.withoutRowid};
      CREATE TABLE rollup_stale_peaks_q (slot ${d.int64} PRIMARY KEY);
      CREATE TABLE call_rollup_blocks (
        slot ${d.int64} NOT NULL,
        width INTEGER NOT NULL,
        dim TEXT NOT NULL,
        value TEXT NOT NULL,
        completed INTEGER NOT NULL,
        dropped INTEGER NOT NULL,
        canceled INTEGER NOT NULL,
        rejected INTEGER NOT NULL,
        busy INTEGER NOT NULL,
        no_answer INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        duration_sum ${d.int64} NOT NULL,
        billing_sum ${d.int64} NOT NULL,
        answered_duration_sum ${d.int64} NOT NULL,
        short_calls INTEGER NOT NULL,
        duration_hist TEXT NOT NULL,
        tta_hist TEXT NOT NULL,
        PRIMARY KEY (dim, width, slot, value)
      )${d.withoutRowid};
      CREATE TABLE rollup_stale_blocks (width INTEGER NOT NULL, slot ${d.int64} NOT NULL, PRIMARY KEY (width, slot));
      -- Peaks are read from many rows whose histograms are long (on SQLite, overflow pages
      -- before the peak columns): these covering indexes answer those reads alone.
      CREATE INDEX call_rollups_peaks ON call_rollups (dim, slot, peak_concurrency, value, long_calls, peak_reach);
      CREATE INDEX call_rollups_q_peaks ON call_rollups_q (dim, slot, peak_concurrency, value, long_calls, peak_reach);
      -- Hourly reach vectors are indexed in quarter-hours from now on: every hour is read as
      -- its own peak until the read side recomputes it (as after migrations 5 and 8).
      UPDATE call_rollups SET peak_reach = '[]';
      INSERT INTO rollup_stale_peaks (slot) SELECT DISTINCT slot FROM call_rollups WHERE true ON CONFLICT (slot) DO NOTHING;
    `,
    dataStep: 'build-quarter-rollups-and-blocks',
  },
  {
    // Replay and rebuild read every delivery again from its raw request alone. A delivery
    // refused before its content was read (a query over 16 KiB kept cut, a body over 16 KiB
    // not kept) cannot be read again: its refusal is kept with it (src/ingest/read-callback-request.ts).
    // Older ones are found by the reasons their quarantine entry was given then.
    version: 10,
    name: 'refusals of unread deliveries',
    sql: () => `
      ALTER TABLE raw_requests ADD COLUMN unread_reasons TEXT;
      UPDATE raw_requests SET unread_reasons = (SELECT q.reasons FROM quarantine q WHERE q.raw_request_id = raw_requests.id)
        WHERE result = 'quarantined' AND id IN (SELECT raw_request_id FROM quarantine
          WHERE reasons LIKE '[{"field":"query","problem":"is % bytes, more than % (kept truncated)"}]'
             OR reasons LIKE '[{"field":"body","problem":"is larger than % bytes"}]');
    `,
  },
  {
    // Erasure and retention (docs/operations.md, "Personal data"): an audit row per erasure
    // that holds no personal data (when, by which entry point, the service, counts per table),
    // and how far IP truncation got per table, so that each run starts where the last stopped.
    version: 11,
    name: 'erasures and retention progress',
    sql: (d) => `
      CREATE TABLE erasures (
        id ${d.idColumn},
        erased_at ${d.int64} NOT NULL,
        actor TEXT NOT NULL,
        service_id TEXT NOT NULL,
        touched TEXT NOT NULL
      );
      CREATE TABLE retention_progress (
        task TEXT PRIMARY KEY,
        done_time ${d.int64} NOT NULL,
        done_id ${d.int64} NOT NULL
      );
    `,
  },
  {
    // Notify and Agent Call Status (docs/spec/callbacks.md §3, §4), kept once per sid like
    // the Call Event, with their conflicting versions; the Notify relay's attempts; whether
    // a notified call was found past its end deadline without a Call Event (end_missing).
    version: 12,
    name: 'notify, agent call status and relay attempts',
    sql: (d) => `
      CREATE TABLE notifies (
        id ${d.idColumn},
        sid TEXT NOT NULL UNIQUE,
        from_service_id TEXT NOT NULL,
        from_user_id TEXT NOT NULL,
        to_service_id TEXT NOT NULL,
        to_user_id TEXT NOT NULL,
        type TEXT NOT NULL,
        param TEXT NOT NULL,
        stid TEXT,
        app_svr_data TEXT,
        extra TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        received_at ${d.int64} NOT NULL,
        raw_request_id ${d.int64} NOT NULL,
        conflicts INTEGER NOT NULL DEFAULT 0,
        end_checked_at ${d.int64},
        end_missing INTEGER NOT NULL DEFAULT 0
      );
      -- The end_missing sweep reads only the notifies it has not looked at yet, and the
      -- end_missing list only those it found missing: neither scans every Notify ever kept.
      CREATE INDEX notifies_end_unchecked ON notifies (received_at) WHERE end_checked_at IS NULL;
      CREATE INDEX notifies_end_missing ON notifies (received_at) WHERE end_missing = 1;

      CREATE TABLE agent_call_statuses (
        id ${d.idColumn},
        sid TEXT NOT NULL UNIQUE,
        agent_type TEXT NOT NULL,
        media_source_type TEXT NOT NULL,
        result TEXT NOT NULL,
        fail_reason TEXT,
        extra TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        received_at ${d.int64} NOT NULL,
        raw_request_id ${d.int64} NOT NULL,
        conflicts INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE callback_conflicts (
        id ${d.idColumn},
        kind TEXT NOT NULL,
        sid TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        content TEXT NOT NULL,
        received_at ${d.int64} NOT NULL,
        raw_request_id ${d.int64} NOT NULL,
        UNIQUE (kind, sid, content_hash)
      );

      CREATE TABLE notify_relays (
        id ${d.idColumn},
        sid TEXT NOT NULL,
        attempted_at ${d.int64} NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER,
        latency_ms INTEGER NOT NULL,
        error TEXT
      );
      CREATE INDEX notify_relays_sid ON notify_relays (sid);
    `,
  },
  {
    // The relay outbox (docs/operations.md, "Call Event relay"): one row per delivery to pass
    // on to the app's own handler, written in the transaction that records the delivery, so a
    // crash never loses one. It holds the raw request as received (method, query, body,
    // content type, source address): erasing or pruning a sid's raw requests must erase its
    // rows here too. state: pending (waiting, backing off or leased), delivered, dead.
    // delivery_id is the stable webhook-id of every attempt. A row is leased by setting
    // lease_owner and lease_until; an expired lease makes it due again. Leases read the due
    // rows by next_attempt_at, so that a long outage of the app (every sid backing off) costs
    // a lease nothing: a retry also moves its sid's later rows to its own next attempt.
    // delivery_id (a random UUID) has no index: nothing looks rows up by it, and a random
    // key's index costs ingest a random page per commit (migration 6).
    version: 13,
    name: 'relay outbox',
    sql: (d) => `
      CREATE TABLE relay_outbox (
        id ${d.idColumn},
        delivery_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        sid TEXT NOT NULL,
        received_at ${d.int64} NOT NULL,
        method TEXT NOT NULL,
        query TEXT NOT NULL,
        body TEXT,
        content_type TEXT,
        source_ip TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at ${d.int64} NOT NULL,
        lease_owner TEXT,
        lease_until ${d.int64},
        last_error TEXT,
        settled_at ${d.int64}
      );
      CREATE INDEX relay_outbox_due ON relay_outbox (next_attempt_at, id) WHERE state = 'pending';
      CREATE INDEX relay_outbox_pending_sid ON relay_outbox (sid, id) WHERE state = 'pending';
      CREATE INDEX relay_outbox_dead ON relay_outbox (id) WHERE state = 'dead';
    `,
  },
  {
    // Call lifecycle statistics (docs/spec/outcomes.md §3, src/storage/sql/lifecycle-rollups.ts):
    // counts per quarter-hour UTC slot, counter and value, kept in the transaction of every
    // write that changes a sid's Notify, call, relay attempts or Agent Call Status. The
    // indexes serve the scans of window edges that are not whole quarter-hours. The data
    // step derives the counts from the rows already stored.
    version: 14,
    name: 'call lifecycle rollups',
    sql: (d) => `
      CREATE TABLE lifecycle_rollups (
        slot ${d.int64} NOT NULL,
        counter TEXT NOT NULL,
        value TEXT NOT NULL,
        n ${d.int64} NOT NULL,
        PRIMARY KEY (counter, slot, value)
      )${d.withoutRowid};
      CREATE INDEX notifies_received_at ON notifies (received_at);
      CREATE INDEX notify_relays_attempted_at ON notify_relays (attempted_at);
      CREATE INDEX agent_call_statuses_received_at ON agent_call_statuses (received_at);
    `,
    dataStep: 'build-lifecycle-rollups',
  },
  {
    // Group calls (docs/spec/callbacks.md §2, docs/spec/group-calls.md). group_call_events
    // keeps the first version of each event key (its columns: GROUP_CALL_FIELDS, checked by
    // test/migrations/group-call-schema.test.ts; it has no own id, its room id is `id`);
    // conflicting versions go to callback_conflicts. group_sessions and group_stays are
    // derived: rebuilt from every stored event of a sid in the transaction that stores one
    // (storage/sql/record-group-events.ts), so arrival order never matters. A session's
    // state is `ended` or `in_progress` as stored; end_missing is read with the deadline
    // from last_event_at. Lists go newest start first by (started_at, sid).
    version: 15,
    name: 'group call events, sessions and stays',
    sql: (d) => `
      CREATE TABLE group_call_events (
        sid TEXT NOT NULL,
        svc_id TEXT NOT NULL,
        id TEXT NOT NULL,
        user_svc_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        host_svc_id TEXT NOT NULL,
        host_id TEXT NOT NULL,
        sc TEXT NOT NULL,
        msc TEXT NOT NULL,
        setup_time ${d.int64} NOT NULL,
        start_time ${d.int64} NOT NULL,
        end_time ${d.int64} NOT NULL,
        online ${d.int32} NOT NULL,
        media_type TEXT NOT NULL,
        ts ${d.int64} NOT NULL,
        stid TEXT,
        app_svr_data TEXT,
        rel_code ${d.int64},
        rel_code_str TEXT,
        ue_type TEXT NOT NULL,
        display_name TEXT,
        disconnect_reason ${d.int32},
        releaser_type ${d.int32},
        extra TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        received_at ${d.int64} NOT NULL,
        raw_request_id ${d.int64} NOT NULL,
        conflicts INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (sid, user_svc_id, user_id, sc, msc, ts)
      );
      CREATE INDEX group_call_events_received_at ON group_call_events (received_at);
      -- rebuild --check walks the events by raw request id (ids only grow: appends).
      CREATE INDEX group_call_events_raw ON group_call_events (raw_request_id);

      CREATE TABLE group_sessions (
        sid TEXT PRIMARY KEY,
        svc_id TEXT NOT NULL,
        id TEXT NOT NULL,
        host_svc_id TEXT NOT NULL,
        host_id TEXT NOT NULL,
        media_type TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at ${d.int64} NOT NULL,
        ended_at ${d.int64},
        duration_ms ${d.int64},
        last_event_at ${d.int64} NOT NULL,
        participants INTEGER NOT NULL,
        peak_online INTEGER NOT NULL,
        final_online INTEGER NOT NULL,
        peak_stays INTEGER NOT NULL,
        event_count INTEGER NOT NULL,
        conflicts INTEGER NOT NULL,
        flags TEXT NOT NULL,
        rules_version INTEGER NOT NULL
      );
      CREATE INDEX group_sessions_started ON group_sessions (started_at, sid);
      CREATE INDEX group_sessions_room ON group_sessions (svc_id, id, started_at);
      CREATE INDEX group_sessions_host ON group_sessions (host_id, host_svc_id, started_at);
      CREATE INDEX group_sessions_open ON group_sessions (last_event_at) WHERE ended_at IS NULL;

      CREATE TABLE group_stays (
        sid TEXT NOT NULL,
        seq INTEGER NOT NULL,
        user_svc_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        display_name TEXT,
        ue_type TEXT NOT NULL,
        media_type TEXT NOT NULL,
        media_changes TEXT NOT NULL,
        joined_at ${d.int64},
        left_at ${d.int64},
        duration_ms ${d.int64},
        stay_end TEXT NOT NULL,
        disconnect_reason ${d.int32},
        releaser_type ${d.int32},
        status TEXT NOT NULL,
        ended_by TEXT NOT NULL,
        reason TEXT,
        explanation TEXT NOT NULL,
        flags TEXT NOT NULL,
        PRIMARY KEY (sid, seq)
      );
      CREATE INDEX group_stays_participant ON group_stays (user_id, user_svc_id, sid);
      CREATE INDEX group_stays_status ON group_stays (status, sid);
    `,
  },
  {
    // Group statistics (docs/statistics.md, "Group figures"): the mergeable figures of the
    // sessions that started in a UTC slot (width 900: a quarter-hour; 3600; 10800; 86400: a
    // day, all in seconds), per dimension (all, media_type, ue_type) and value. Derived, never
    // written at ingest: a change to group_sessions marks its quarter-hour in
    // group_rollups_stale, and a query rebuilds the stale slots it reads (quarters from the
    // sessions, wider slots from the narrower ones; storage/sql/group-rollup-refresh.ts).
    // Every quarter that holds a session is marked here, so the first query builds them.
    // group_sessions_open_started: the sessions without sc=E by start, which the statistics
    // count as end_missing at the time of the question (by quarter-hour, from the index
    // alone), and which the list's state filter reads within a window.
    version: 16,
    name: 'group statistics rollups',
    sql: (d) => `
      CREATE TABLE group_rollups (
        width INTEGER NOT NULL,
        slot ${d.int64} NOT NULL,
        dim TEXT NOT NULL,
        value TEXT NOT NULL,
        sessions ${d.int64} NOT NULL,
        sessions_ended ${d.int64} NOT NULL,
        completed ${d.int64} NOT NULL,
        dropped ${d.int64} NOT NULL,
        timed_out ${d.int64} NOT NULL,
        kicked ${d.int64} NOT NULL,
        replaced ${d.int64} NOT NULL,
        failed_to_join ${d.int64} NOT NULL,
        in_room ${d.int64} NOT NULL,
        participants_sum ${d.int64} NOT NULL,
        participant_ms ${d.int64} NOT NULL,
        peak_participants ${d.int64} NOT NULL,
        stay_seconds TEXT NOT NULL,
        session_seconds TEXT NOT NULL,
        join_failures TEXT NOT NULL,
        drops TEXT NOT NULL,
        PRIMARY KEY (width, slot, dim, value)
      )${d.withoutRowid};
      CREATE TABLE group_rollups_stale (
        width INTEGER NOT NULL,
        slot ${d.int64} NOT NULL,
        PRIMARY KEY (width, slot)
      )${d.withoutRowid};
      INSERT INTO group_rollups_stale (width, slot) SELECT DISTINCT 900, started_at / 900000 * 900 FROM group_sessions;
      CREATE INDEX group_sessions_open_started ON group_sessions (started_at, last_event_at, media_type) WHERE ended_at IS NULL;
    `,
  },
  {
    // Group session updates (storage/sql/apply-group-events.ts): a late event that moves a
    // join or a leave reads where every stay of its room stands (seq, participant, join,
    // leave), and events in order that open stays read their counts. From this index alone:
    // the stays' own rows carry long text (explanations, media changes), which SQLite would
    // otherwise read past for two numbers a row.
    version: 17,
    name: 'group stay places',
    sql: () => 'CREATE INDEX group_stays_places ON group_stays (sid, seq, user_svc_id, user_id, joined_at, left_at);',
  },
];

/** The table of applied steps, made by each adapter's runner before the first step. */
export function schemaMigrationsSql(d: SqlDialect): string {
  return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${d.int64} NOT NULL)`;
}
