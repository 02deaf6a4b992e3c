/** An actor id shown as its role and organisation (looked up once per page) and a short id. */
import { useEffect, useState } from 'preact/hooks';
import { roleName } from '../../client/consent-views.js';
import type { Session } from './chain.js';
import { short } from './text.js';

type Info = { role: string; org: string; suspended: boolean } | null;
const cache = new Map<string, Promise<Info>>();

/** The actor's role and organisation, or null if unknown. */
export function actorInfo(s: Session, id: string): Promise<Info> {
  let p = cache.get(id);
  if (p === undefined) {
    p = s.consent
      .actor(id)
      .then((a) =>
        a === null ? null : { role: String(roleName(a.role)), org: a.org, suspended: a.suspended },
      );
    cache.set(id, p);
    p.catch(() => cache.delete(id));
  }
  return p;
}

/** Forgets cached actors (after a register, suspend or reinstate). */
export const forgetActors = (): void => cache.clear();

/** "doctor at hospital-a (ab12cd34…)"; "you" for oneself. */
export function ActorName({ s, id }: { s: Session; id: string }) {
  const [info, setInfo] = useState<Info | undefined>(undefined);
  useEffect(() => {
    let live = true;
    actorInfo(s, id).then(
      (i) => live && setInfo(i),
      () => live && setInfo(null),
    );
    return () => {
      live = false;
    };
  }, [s, id]);
  if (id === s.id) return <span>you</span>;
  const who = info === undefined ? '' : info === null ? 'unknown actor ' : `${info.role} at ${info.org} `;
  return (
    <span title={id}>
      {who}
      <span class="mono">({short(id)})</span>
    </span>
  );
}
