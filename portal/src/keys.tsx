/**
 * Keys in the browser: create one, import a key file (`ehrchain keygen`'s format), unlock with
 * the passphrase, export it again as a key file, show the public key as a QR code. Sealed keys
 * live in IndexedDB (keystore.ts); the unlocked seed lives only in this page's memory.
 */
import { useEffect, useState } from 'preact/hooks';
import { decodeKeyFile, encodeKeyFile, generateKeyPair, type KeyPair } from '../../client/keyfile-format.js';
import { toHex } from '../../protocol/chain/encoding.js';
import { platformCrypto } from '../../protocol/crypto/platform.js';
import { deleteKey, listKeys, loadSettings, saveKey, saveSettings } from './keystore.js';
import { QrCode, qrTextOf } from './qr.js';
import { errorSentence, short } from './text.js';
import { Section } from './ui.js';
import { KDF_PARAMS, openKey, type SealedKey, sealKey } from './vault.js';

type Busy = { readonly what: string; readonly progress: number } | null;

/** The locked screen: unlock a stored key, create one, or import a key file. */
export function KeyGate({ onUnlock }: { onUnlock: (k: KeyPair) => void }) {
  const [keys, setKeys] = useState<SealedKey[] | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () => listKeys().then(setKeys, (e: unknown) => setError(errorSentence(e)));
  useEffect(() => void reload(), []);

  const progress = (what: string) => (f: number) => setBusy({ what, progress: f });
  const guard = async (what: string, f: () => Promise<void>) => {
    setError(null);
    setBusy({ what, progress: 0 });
    try {
      await f();
    } catch (e) {
      setError(errorSentence(e));
    } finally {
      setBusy(null);
    }
  };

  const unlock = (k: SealedKey, pass: string) =>
    guard('Unlocking', async () => onUnlock(await openKey(k, pass, progress('Unlocking'))));
  const store = (key: KeyPair, pass: string, confirm: string, what: string) =>
    guard(what, async () => {
      if (pass !== confirm) throw new Error('The two passphrases differ.');
      await saveKey(await sealKey(key, pass, KDF_PARAMS, progress(what)));
      await reload();
      onUnlock(key);
    });

  return (
    <div class="gate">
      {busy !== null ? (
        <p class="tx tx-pending" role="status" aria-live="polite">
          <span class="spinner" aria-hidden="true" />
          {busy.what}… {Math.round(busy.progress * 100)}% (scrypt, 128 MiB)
        </p>
      ) : null}
      {error !== null ? (
        <p class="error" role="alert" id="key-error">
          {error}
        </p>
      ) : null}
      <Section title="Unlock your key" id="unlock">
        {keys === null ? <p class="muted">Loading…</p> : null}
        {keys?.length === 0 ? <p class="muted">No key is stored in this browser yet.</p> : null}
        {keys?.map((k) => (
          <UnlockRow
            key={k.publicKey}
            sealed={k}
            onUnlock={unlock}
            onForget={() => deleteKey(k.publicKey).then(reload)}
            disabled={busy !== null}
          />
        ))}
      </Section>
      <div class="two">
        <Section title="Create a new key" id="create">
          <NewKeyForm
            disabled={busy !== null}
            onSubmit={(p, c) => store(generateKeyPair(platformCrypto), p, c, 'Creating')}
          />
        </Section>
        <Section title="Import a key file" id="import">
          <ImportForm
            disabled={busy !== null}
            onSubmit={(key, p, c) => store(key, p, c, 'Importing')}
            onError={setError}
          />
        </Section>
      </div>
      <p class="muted small">
        Your key never leaves this browser: it is stored encrypted with your passphrase (scrypt N=2
        <sup>17</sup>, r=8, p=1, then XChaCha20-Poly1305) and only signatures are sent to the node.
      </p>
    </div>
  );
}

function UnlockRow(p: {
  sealed: SealedKey;
  onUnlock: (k: SealedKey, pass: string) => void;
  onForget: () => void;
  disabled: boolean;
}) {
  const [pass, setPass] = useState('');
  const id = `pass-${p.sealed.publicKey.slice(0, 8)}`;
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        p.onUnlock(p.sealed, pass);
        setPass('');
      }}
    >
      <span class="mono" title={p.sealed.publicKey}>
        Key {short(p.sealed.publicKey)}
      </span>
      <label for={id}>Passphrase</label>
      <input
        id={id}
        type="password"
        autocomplete="current-password"
        value={pass}
        onInput={(e) => setPass(e.currentTarget.value)}
      />
      <button type="submit" disabled={p.disabled || pass === ''}>
        Unlock
      </button>
      <button
        type="button"
        class="link"
        disabled={p.disabled}
        onClick={() => {
          if (confirm('Forget this key in this browser? Without an exported key file it is lost.'))
            p.onForget();
        }}
      >
        Forget
      </button>
    </form>
  );
}

function Passphrases({
  prefix,
  pass,
  confirm,
  set,
}: {
  prefix: string;
  pass: string;
  confirm: string;
  set: (p: string, c: string) => void;
}) {
  return (
    <>
      <label for={`${prefix}-pass`}>Passphrase (8 characters or more)</label>
      <input
        id={`${prefix}-pass`}
        type="password"
        autocomplete="new-password"
        value={pass}
        onInput={(e) => set(e.currentTarget.value, confirm)}
      />
      <label for={`${prefix}-confirm`}>Passphrase again</label>
      <input
        id={`${prefix}-confirm`}
        type="password"
        autocomplete="new-password"
        value={confirm}
        onInput={(e) => set(pass, e.currentTarget.value)}
      />
    </>
  );
}

function NewKeyForm({ onSubmit, disabled }: { onSubmit: (p: string, c: string) => void; disabled: boolean }) {
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(pass, confirm);
      }}
    >
      <Passphrases
        prefix="new"
        pass={pass}
        confirm={confirm}
        set={(p, c) => {
          setPass(p);
          setConfirm(c);
        }}
      />
      <button type="submit" disabled={disabled || pass === ''}>
        Create key
      </button>
    </form>
  );
}

function ImportForm(p: {
  onSubmit: (k: KeyPair, pass: string, c: string) => void;
  onError: (s: string) => void;
  disabled: boolean;
}) {
  const [text, setText] = useState('');
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        try {
          p.onSubmit(decodeKeyFile(text, 'The key file', platformCrypto), pass, confirm);
          setText('');
        } catch (err) {
          p.onError(errorSentence(err));
        }
      }}
    >
      <label for="import-file">Key file (from ehrchain keygen or an export)</label>
      <input
        id="import-file"
        type="file"
        accept=".json,application/json"
        onChange={async (e) => setText((await e.currentTarget.files?.[0]?.text()) ?? '')}
      />
      <label for="import-text">or paste its text</label>
      <textarea
        id="import-text"
        rows={4}
        spellcheck={false}
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <Passphrases
        prefix="import"
        pass={pass}
        confirm={confirm}
        set={(a, b) => {
          setPass(a);
          setConfirm(b);
        }}
      />
      <button type="submit" disabled={p.disabled || text === '' || pass === ''}>
        Import key
      </button>
    </form>
  );
}

/** The unlocked key: public key, actor id, QR code, export, idle lock setting. */
export function MyKey({
  keyPair,
  id,
  onIdleChange,
}: {
  keyPair: KeyPair;
  id: string;
  onIdleChange: (m: number) => void;
}) {
  const pub = toHex(keyPair.publicKey);
  const [idle, setIdle] = useState<number | null>(null);
  useEffect(() => void loadSettings().then((s) => setIdle(s.idleMinutes)), []);
  const exportFile = () => {
    const url = URL.createObjectURL(new Blob([encodeKeyFile(keyPair)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `ehrchain-key-${pub.slice(0, 8)}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  };
  return (
    <Section title="My key" id="mykey">
      <div class="two">
        <div>
          <p>
            Public key{' '}
            <span class="mono break" id="my-public-key">
              {pub}
            </span>
          </p>
          <p>
            Actor id{' '}
            <span class="mono break" id="my-actor-id">
              {id}
            </span>
          </p>
          <p class="muted">Show this QR code to your hospital's admin to be registered.</p>
          <button type="button" onClick={exportFile}>
            Export key file
          </button>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (idle !== null && idle >= 1)
                void saveSettings({ idleMinutes: idle }).then(() => onIdleChange(idle));
            }}
          >
            <label for="idle">Lock after</label>
            <input
              id="idle"
              type="number"
              min={1}
              max={240}
              value={idle ?? ''}
              onInput={(e) => setIdle(Number(e.currentTarget.value))}
            />
            <span>minutes idle</span>
            <button type="submit">Save</button>
          </form>
        </div>
        <QrCode text={qrTextOf(pub)} label={`QR code of public key ${short(pub)}`} />
      </div>
    </Section>
  );
}
