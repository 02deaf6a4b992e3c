/** A transaction's page: the decoded call, the signer, and (once committed) its receipt. */
import { sha256 } from '@noble/hashes/sha2.js';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type ReceiptView, type TxView } from './api.js';
import { decodeInt, fromHex, num, toHex } from './format.js';
import { useAsync } from './hooks.js';
import { Badge, Bytes, Fields, Hash, Load, NotFound, Page } from './ui.js';

/** A hex arg with its text form, and its int form when it is 8 bytes (the VM's int encoding). */
export function Arg({ hex }: { hex: string }) {
  const b = fromHex(hex);
  const n = decodeInt(b);
  return (
    <span class="arg">
      <Bytes hex={hex} bytes={b} />
      {n !== null && (
        <span class="as-text">
          <span class="muted">int</span> {num(n)}
        </span>
      )}
      <span class="muted"> ({b.length} B)</span>
    </span>
  );
}

function ArgList({ args, label }: { args: readonly string[]; label: string }) {
  if (args.length === 0) return <span class="muted">none</span>;
  return (
    <ol class="args" aria-label={label} start={0}>
      {args.map((a, i) => (
        <li key={i}>
          <Arg hex={a} />
        </li>
      ))}
    </ol>
  );
}

function Receipt({ r }: { r: ReceiptView }) {
  return (
    <>
      <Fields
        label="Receipt"
        rows={[
          ['Outcome', r.status === 'ok' ? <Badge kind="ok">ok</Badge> : <Badge kind="bad">reverted</Badge>],
          ...(r.error === undefined
            ? []
            : ([['Error', <code>{r.error}</code>]] as [string, ComponentChildren][])),
          ['Gas used', num(r.gasUsed)],
          ['Return data', r.returnData === '' ? <span class="muted">none</span> : <Arg hex={r.returnData} />],
        ]}
      />
      <h3>Events ({r.events.length})</h3>
      {r.events.length === 0 ? (
        <p class="muted">No events.</p>
      ) : (
        <ol class="events">
          {r.events.map((e, i) => (
            <li key={i}>
              <strong>{e.name}</strong>
              <ArgList args={e.data} label={`Fields of event ${e.name}`} />
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function TxBody({ tx }: { tx: TxView }) {
  const actorId = toHex(sha256(fromHex(tx.sender)));
  return (
    <>
      <Fields
        label="Transaction"
        rows={[
          ['Hash', <Hash value={tx.hash} />],
          [
            'Status',
            tx.status === 'committed' ? (
              <span data-field="status">
                <Badge kind={tx.receipt?.status === 'reverted' ? 'bad' : 'ok'}>committed</Badge> in{' '}
                <a href={`#/blocks/${tx.height}`}>block {num(tx.height)}</a>, position {num(tx.index)}
              </span>
            ) : (
              <span data-field="status">
                <Badge kind="warn">pending</Badge> in the mempool, not yet in a block
              </span>
            ),
          ],
          ['Contract', <code data-field="contract">{tx.contract}</code>],
          ['Method', <code data-field="method">{tx.method}</code>],
          ['Arguments', <ArgList args={tx.args} label="Call arguments" />],
          [
            'Sender',
            <span>
              <Hash value={tx.sender} />{' '}
              <a href={`#/consent/actor/${actorId}`} class="small">
                consent actor
              </a>
            </span>,
          ],
          ['Nonce', <span data-field="nonce">{num(tx.nonce)}</span>],
          ['Gas limit', num(tx.gasLimit)],
          ['Chain', <code>{tx.chainId}</code>],
          ['Signature', <Hash value={tx.signature} />],
        ]}
      />
      <h2>Receipt</h2>
      {tx.receipt === undefined ? (
        <p class="state empty">No receipt yet: the transaction is waiting to be included in a block.</p>
      ) : (
        <Receipt r={tx.receipt} />
      )}
    </>
  );
}

export function TxPage({ hash }: { hash: string }) {
  const h = hash.toLowerCase().replace(/^0x/, '');
  // A pending tx is re-read every 2 s until it is committed.
  const [round, setRound] = useState(0);
  const res = useAsync((s) => api.tx(h, s), [h, round]);
  const pending = res.state === 'ok' && res.value.status === 'pending';
  useEffect(() => {
    if (!pending) return;
    const t = setTimeout(() => setRound((r) => r + 1), 2000);
    return () => clearTimeout(t);
  }, [pending, round]);
  const notFound = (
    <NotFound title="Transaction not found">
      <p>
        No transaction <code class="hash">{h}</code> is known to this node: it is neither committed nor
        waiting in the mempool.
      </p>
    </NotFound>
  );
  if (!/^[0-9a-f]{64}$/.test(h)) return notFound;
  return (
    <Page title="Transaction">
      <Load res={res} what="the transaction" notFound={notFound}>
        {(tx) => <TxBody tx={tx} />}
      </Load>
    </Page>
  );
}
