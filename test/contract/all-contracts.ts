import { describeCallLifeContract } from './call-life-contract.js';
import { describeCallLogContract } from './call-log-contract.js';
import { describeDeliveriesContract } from './deliveries-contract.js';
import { describeGroupCallsContract } from './group-calls-contract.js';
import { describeGroupStatsContract } from './group-stats-contract.js';
import { describeIngestContract, type StoreFactory } from './ingest-contract.js';
import { describeLifecycleStatsContract } from './lifecycle-stats-contract.js';
import { describePeakEdgesContract } from './peak-edges-contract.js';
import { describeReplayRebuildContract } from './replay-rebuild-contract.js';
import { describeRelayOutboxContract } from './relay-outbox-contract.js';
import { describeSidCaseContract } from './sid-case-contract.js';
import { describeStatsContract } from './stats-contract.js';

/** Every part of the storage contract. Each feature adds its describe…Contract here. */
export function describeStoreContract(name: string, open: StoreFactory): void {
  describeIngestContract(name, open);
  describeCallLogContract(name, open);
  describeCallLifeContract(name, open);
  describeDeliveriesContract(name, open);
  describeSidCaseContract(name, open);
  describeReplayRebuildContract(name, open);
  describeRelayOutboxContract(name, open);
  describeStatsContract(name, open, { runs: name === 'sqlite' ? 40 : 20 });
  describePeakEdgesContract(name, open, { runs: name === 'sqlite' ? 100 : 40 });
  describeLifecycleStatsContract(name, open);
  describeGroupCallsContract(name, open, { runs: name === 'sqlite' ? 40 : 15 });
  describeGroupStatsContract(name, open, { runs: name === 'sqlite' ? 25 : 10 });
}
