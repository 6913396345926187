import { randomUUID } from 'node:crypto';
import { validCallbackValues } from '../fixtures/callback-fixture.js';

/** Sends distinct callbacks until the server stops answering; collects the sids answered 200. */
export async function sendUntilDead(url: string, acked: string[], onAck: () => void): Promise<void> {
  for (;;) {
    const values = validCallbackValues({ sid: randomUUID() });
    try {
      const res = await fetch(`${url}/callbacks/call-event?${new URLSearchParams(values)}`);
      await res.arrayBuffer();
      if (res.status === 200) {
        acked.push(values.sid ?? '');
        onAck();
      }
    } catch {
      return; // the server is gone: this delivery's fate is unknown, and that is allowed
    }
  }
}
