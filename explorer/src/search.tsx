/**
 * Search: a block height, a tx hash, an actor or patient id (or a public key), or a CID, resolved
 * to its page through the API; a clear "not found" otherwise.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { useState } from 'preact/hooks';
import { api, HttpError } from './api.js';
import { actorInfo, ConsentMissing, recordOfCid, versionInfo } from './consent-data.js';
import { fromHex, toHex } from './format.js';
import { go, useAsync } from './hooks.js';
import { Loading, NotFound, Page } from './ui.js';

/** A CIDv1 in base32 (b...) or base58btc (z...), or a CIDv0 (Qm...). */
const CID_RE = /^(b[a-z2-7]{20,}|z[1-9A-HJ-NP-Za-km-z]{20,}|Qm[1-9A-HJ-NP-Za-km-z]{44})$/;

type Outcome = { readonly path: string } | { readonly none: string };

export async function resolve(q: string, s?: AbortSignal): Promise<Outcome> {
  const x = q.trim();
  if (/^#?\d+$/.test(x)) {
    const h = Number(x.replace('#', ''));
    if (!Number.isSafeInteger(h) || h < 1) return { none: 'Block heights start at 1.' };
    try {
      await api.block(h, s);
      return { path: `/blocks/${h}` };
    } catch (e) {
      if (e instanceof HttpError && e.notFound) return { none: `There is no block at height ${h} (yet).` };
      throw e;
    }
  }
  const hex = x.toLowerCase().replace(/^0x/, '');
  if (/^[0-9a-f]{64}$/.test(hex)) {
    try {
      await api.tx(hex, s);
      return { path: `/tx/${hex}` };
    } catch (e) {
      if (!(e instanceof HttpError && e.notFound)) throw e;
    }
    let consent = true;
    try {
      // An actor id, or a public key whose sha256 is the actor id.
      for (const id of [hex, toHex(sha256(fromHex(hex)))]) {
        const a = await actorInfo(id, s);
        if (a !== null)
          return { path: a.role === 'patient' ? `/consent/patient/${id}` : `/consent/actor/${id}` };
      }
    } catch (e) {
      if (!(e instanceof ConsentMissing)) throw e;
      consent = false;
    }
    return {
      none: consent
        ? 'No transaction with this hash, and no actor with this id or public key.'
        : 'No transaction with this hash. (Actor and patient ids cannot be looked up: the consent contract is not deployed on this chain.)',
    };
  }
  if (CID_RE.test(x)) {
    try {
      const at = await recordOfCid(x, s);
      if (at === null) return { none: 'No record version was anchored with this content id (CID).' };
      const v = await versionInfo(at.record, at.version, s);
      if (v !== null) return { path: `/consent/patient/${v.patient}` };
      return { none: 'This CID was anchored, but its record version is no longer listed.' };
    } catch (e) {
      if (e instanceof ConsentMissing) {
        return { none: 'CIDs cannot be looked up: the consent contract is not deployed on this chain.' };
      }
      throw e;
    }
  }
  return { none: 'Enter a block height, a transaction hash (64 hex), an actor or patient id, or a CID.' };
}

export function SearchPage({ q }: { q: string }) {
  const res = useAsync(
    async (s) => {
      const r = await resolve(q, s);
      if ('path' in r) go(r.path, true);
      return r;
    },
    [q],
  );
  return (
    <Page title="Search">
      {res.state === 'loading' && <Loading what={`results for “${q}”`} />}
      {res.state === 'error' && (
        <NotFound title="Search failed">
          <p>{res.error instanceof Error ? res.error.message : String(res.error)}</p>
        </NotFound>
      )}
      {res.state === 'ok' && 'none' in res.value && (
        <NotFound title="Not found">
          <p>
            Nothing matches <code class="hash">{q}</code>.
          </p>
          <p>{res.value.none}</p>
        </NotFound>
      )}
    </Page>
  );
}

export function SearchBox() {
  const [v, setV] = useState('');
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not in preact's JSX types; the role is equivalent
    <form
      class="search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        const q = v.trim();
        if (q !== '') go(`/search/${encodeURIComponent(q)}`);
      }}
    >
      <label for="search" class="sr-only">
        Search by block height, tx hash, actor or patient id, or CID
      </label>
      <input
        id="search"
        type="search"
        value={v}
        onInput={(e) => setV(e.currentTarget.value)}
        placeholder="Height, tx hash, actor id, CID"
        spellcheck={false}
        autocomplete="off"
      />
      <button type="submit">Search</button>
    </form>
  );
}
