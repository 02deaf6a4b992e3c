/**
 * The hospital admin's page: register a person from their public key (pasted text: hex, the
 * portal's QR text or a key file; or a QR image), suspend and reinstate, link guardians, renew
 * licences, validate record versions.
 */
import { useState } from 'preact/hooks';
import type { ConsentClient } from '../../client/consent.js';
import { actorIdOf } from '../../client/consent.js';
import { actorInfo, forgetActors } from './actors.js';
import { PeopleSections } from './admin-people.js';
import { ValidateVersion } from './admin-validate.js';
import { CameraQr } from './camera-qr.js';
import type { Session } from './chain.js';
import { readQrImage } from './qr.js';
import { errorSentence, holdsSeed, publicKeyFromText, short } from './text.js';
import { Section, TxStatus, useTx } from './ui.js';

type Role = Parameters<ConsentClient['register']>[0]['role'];
const ROLES: readonly Role[] = ['patient', 'doctor', 'guardian', 'insurer', 'researcher', 'admin'];

function Register({ s }: { s: Session }) {
  const tx = useTx(forgetActors);
  const [text, setText] = useState('');
  const [role, setRole] = useState<Role>('patient');
  const [licence, setLicence] = useState(new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10));
  const [note, setNote] = useState<string | null>(null);
  const key = publicKeyFromText(text);
  const licensed = role === 'doctor' || role === 'insurer' || role === 'researcher';
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (key === null) return;
        void tx.run(`Register ${role} ${short(key)}`, () =>
          s.consent.register({
            publicKey: key,
            role,
            ...(licensed ? { licenceExpiry: Date.parse(`${licence}T00:00:00Z`) } : {}),
          }),
        );
      }}
    >
      <label for="reg-key">
        Their public key (paste the text under their QR code, or a key file's publicKey)
      </label>
      <textarea
        id="reg-key"
        rows={3}
        spellcheck={false}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <label for="reg-image">or choose a picture of their QR code</label>
      <input
        id="reg-image"
        type="file"
        accept="image/*"
        onChange={async (e) => {
          const f = e.currentTarget.files?.[0];
          if (f === undefined) return;
          const t = await readQrImage(f).catch(() => null);
          if (t === null) setNote('No QR code found in that picture.');
          else {
            setText(t);
            setNote(null);
          }
        }}
      />
      <CameraQr
        onText={(t) => {
          setText(t);
          setNote(null);
        }}
      />
      {note !== null ? <p class="error">{note}</p> : null}
      {holdsSeed(text) ? (
        <p class="error" role="alert">
          This text holds a private key. Only the public key is used; ask the person to keep their key file to
          themselves.
        </p>
      ) : null}
      <p class="muted" id="reg-parsed">
        {key === null ? 'No public key found yet.' : `Key ${short(key)} → actor id ${short(actorIdOf(key))}`}
      </p>
      <label for="reg-role">Role</label>
      <select id="reg-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      {licensed ? (
        <>
          <label for="reg-licence">Licence valid until</label>
          <input
            id="reg-licence"
            type="date"
            value={licence}
            onInput={(e) => setLicence(e.currentTarget.value)}
          />
        </>
      ) : null}
      <button type="submit" disabled={key === null || tx.busy}>
        Register
      </button>
      <TxStatus state={tx.state} />
    </form>
  );
}

function Suspend({ s }: { s: Session }) {
  const tx = useTx(forgetActors);
  const [id, setId] = useState('');
  const [info, setInfo] = useState<string | null>(null);
  const actor = id.trim();
  return (
    <form class="stack" onSubmit={(e) => e.preventDefault()}>
      <label for="sus-id">Actor id</label>
      <input
        id="sus-id"
        value={id}
        onInput={(e) => {
          setId(e.currentTarget.value);
          setInfo(null);
        }}
        onBlur={() =>
          actorInfo(s, actor).then(
            (a) =>
              setInfo(
                a === null ? 'Unknown actor.' : `${a.role} at ${a.org}${a.suspended ? ', suspended' : ''}`,
              ),
            (err: unknown) => setInfo(errorSentence(err)),
          )
        }
      />
      <div class="row">
        <button
          type="button"
          disabled={tx.busy || actor === ''}
          onClick={() => tx.run('Suspend', () => s.consent.suspend(actor))}
        >
          Suspend
        </button>
        <button
          type="button"
          class="secondary"
          disabled={tx.busy || actor === ''}
          onClick={() => tx.run('Reinstate', () => s.consent.reinstate(actor))}
        >
          Reinstate
        </button>
      </div>
      {/* Below the buttons: a line appearing above them on blur moved them under a pressed mouse. */}
      {info !== null ? (
        <p class="muted" id="sus-info">
          {info}
        </p>
      ) : null}
      <TxStatus state={tx.state} />
    </form>
  );
}

/** The admin page. */
export function AdminPage({ s }: { s: Session }) {
  return (
    <div class="page two" id="admin-page">
      <Section title="Register a person" id="register">
        <Register s={s} />
      </Section>
      <Section title="Suspend or reinstate" id="suspend">
        <Suspend s={s} />
      </Section>
      <PeopleSections s={s} />
      <ValidateVersion s={s} />
    </div>
  );
}
