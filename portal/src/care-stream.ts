/**
 * A clinician's one live connection to the node's actor-event index: their own id, their
 * organisation's key (`org:<code>`: grants to it, its doctors' emergency requests and
 * co-signatures) and their role's key (`role:<role>`: grants to every doctor, insurer, ...) in one
 * stream (`GET /v1/events?actor=<id>,org:<code>,role:<role>&since=0-0`, docs/notify.md), replayed
 * from what the index retains, then live. "My patients" and "open emergencies" both read it.
 */
import { useEffect, useState } from 'preact/hooks';
import { roleName } from '../../client/consent-views.js';
import type { ActorEvent } from '../../protocol/notify.js';
import type { Session } from './chain.js';

/** What the stream has yielded so far. */
export interface CareStream {
  /** The grant and emergency events seen, in chain order. */
  readonly events: readonly ActorEvent[];
  readonly connected: boolean;
  /** This person's organisation code, once known. */
  readonly org: string | null;
}

const TYPES = [
  'grant.given',
  'grant.revoked',
  'grant.expiring',
  'emergency.requested',
  'emergency.cosigned',
] as const;

/** The stream's keys: the actor id, and the org and role keys once the actor is known. */
export function streamKeys(id: string, actor: { org: string; role: string } | null): string {
  return actor === null ? id : `${id},org:${actor.org},role:${actor.role}`;
}

/** Opens the stream for `s` (one EventSource; closed on unmount). */
export function useCareStream(s: Session): CareStream {
  const [events, setEvents] = useState<readonly ActorEvent[]>([]);
  const [connected, setConnected] = useState(false);
  const [org, setOrg] = useState<string | null>(null);
  useEffect(() => {
    let es: EventSource | null = null;
    let live = true;
    const open = (keys: string) => {
      // since=0-0: replay what the node's index retains (at most notify.maxReplay per key), then go live.
      es = new EventSource(`/v1/events?actor=${encodeURIComponent(keys)}&since=0-0`);
      es.onopen = () => setConnected(true);
      es.onerror = () => setConnected(false);
      const on = (m: MessageEvent<string>) => {
        const e = JSON.parse(m.data) as ActorEvent;
        setEvents((xs) => (xs.some((x) => x.id === e.id) ? xs : [...xs, e]));
      };
      for (const t of TYPES) es.addEventListener(t, on);
    };
    s.consent.actor(s.id).then(
      (a) => {
        if (!live) return;
        if (a !== null) setOrg(a.org);
        open(streamKeys(s.id, a === null ? null : { org: a.org, role: String(roleName(a.role)) }));
      },
      () => live && open(s.id),
    );
    return () => {
      live = false;
      es?.close();
    };
  }, [s]);
  return { events, connected, org };
}
