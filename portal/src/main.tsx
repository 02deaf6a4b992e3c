/**
 * Portal entry point: the key gate while locked; once unlocked, the page for the person's role
 * (patient or guardian, doctor / insurer / researcher, admin), their key, a lock button and the
 * idle lock. The seed is held in memory only while unlocked.
 */
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { KeyPair } from '../../client/keyfile-format.js';
import { actorInfo, forgetActors } from './actors.js';
import { AdminPage } from './admin.js';
import { connect, type Session } from './chain.js';
import { ClinicianPage } from './doctor.js';
import { KeyGate, MyKey } from './keys.js';
import { loadSettings } from './keystore.js';
import { PatientPage } from './patient.js';
import { errorSentence } from './text.js';

type Who = { role: string; org: string; suspended: boolean } | null;

function useIdleLock(active: boolean, minutes: number, lock: () => void): void {
  useEffect(() => {
    if (!active) return;
    let t = setTimeout(lock, minutes * 60_000);
    const reset = () => {
      clearTimeout(t);
      t = setTimeout(lock, minutes * 60_000);
    };
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const e of events) addEventListener(e, reset, { passive: true });
    return () => {
      clearTimeout(t);
      for (const e of events) removeEventListener(e, reset);
    };
  }, [active, minutes, lock]);
}

function RolePage({ s, who }: { s: Session; who: Who }) {
  if (who === null)
    return (
      <p class="notice" id="not-registered">
        This key is not registered on the chain yet. Show the QR code below to your hospital's admin.
      </p>
    );
  if (who.suspended)
    return (
      <p class="notice error" id="suspended">
        Your account is suspended. Contact your organisation's admin.
      </p>
    );
  if (who.role === 'patient' || who.role === 'guardian') return <PatientPage s={s} />;
  if (who.role === 'admin') return <AdminPage s={s} />;
  return <ClinicianPage s={s} role={who.role} />;
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [who, setWho] = useState<Who | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [idle, setIdle] = useState(5);
  const [why, setWhy] = useState<string | null>(null);

  useEffect(() => void loadSettings().then((s) => setIdle(s.idleMinutes)), []);

  const lock = useCallback((reason: string) => {
    setSession((s) => {
      s?.key.seed.fill(0);
      return null;
    });
    setWho(undefined);
    setWhy(reason);
  }, []);
  const idleLock = useCallback(() => lock(`Locked after ${idle} minutes without activity.`), [lock, idle]);
  useIdleLock(session !== null, idle, idleLock);

  const unlock = async (key: KeyPair) => {
    setError(null);
    setWhy(null);
    forgetActors();
    try {
      const s = await connect(key);
      setSession(s);
      setWho(await actorInfo(s, s.id));
    } catch (e) {
      setError(`The node cannot be reached: ${errorSentence(e)}`);
    }
  };

  return (
    <>
      <header class="top">
        <h1>ehrchain portal</h1>
        {session !== null ? (
          <div class="who">
            <span id="who-role">
              {who === undefined ? '' : who === null ? 'not registered' : `${who.role} · ${who.org}`}
            </span>
            <span class="muted">
              chain {session.status.chainId} · node {session.status.name}
            </span>
            <button type="button" id="lock" onClick={() => lock('Locked.')}>
              Lock
            </button>
          </div>
        ) : null}
      </header>
      <main>
        {why !== null ? (
          <p class="notice" role="status" id="locked-why">
            {why}
          </p>
        ) : null}
        {error !== null ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        {session === null ? (
          <KeyGate onUnlock={(k) => void unlock(k)} />
        ) : (
          <>
            {who !== undefined ? <RolePage s={session} who={who} /> : <p class="muted">Loading…</p>}
            <MyKey keyPair={session.key} id={session.id} onIdleChange={setIdle} />
          </>
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
