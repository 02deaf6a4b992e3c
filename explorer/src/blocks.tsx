/** Blocks: a paged list (newest first) and one block's page. */
import { api, type BlockView } from './api.js';
import { ago, dateTime, num, short } from './format.js';
import { useAsync } from './hooks.js';
import { useStatus } from './live.js';
import { validatorName } from './network.js';
import { Fields, Hash, Load, NotFound, Page } from './ui.js';

export const PAGE_SIZE = 20;

function Proposer({ pk, full }: { pk: string; full?: boolean }) {
  const { status } = useStatus();
  const name = validatorName(status, pk);
  return (
    <span>
      {name !== null && <strong>{name} </strong>}
      <Hash value={pk} abbrev={name !== null && full !== true} />
    </span>
  );
}

export function BlocksPage({ from }: { from: number | null }) {
  const res = useAsync((s) => api.blocks(from, PAGE_SIZE, s), [from]);
  return (
    <Page title="Blocks">
      <Load res={res} what="blocks">
        {(p) => {
          const blocks = [...p.blocks].reverse();
          const first = p.blocks[0]?.height ?? from ?? 1;
          const last = p.blocks.at(-1)?.height ?? first;
          const older = first > 1 ? Math.max(1, first - PAGE_SIZE) : null;
          const newer = last < p.head ? last + 1 : null;
          return (
            <>
              <p class="sub">
                Head at height {num(p.head)}.{' '}
                {blocks.length > 0 ? `Showing ${num(last)} to ${num(first)}.` : ''}
              </p>
              {blocks.length === 0 ? (
                <p class="state empty">
                  No blocks {p.head === 0 ? 'yet: the chain has only its genesis.' : 'here.'}
                </p>
              ) : (
                <BlockTable blocks={blocks} />
              )}
              <nav class="pager" aria-label="Block pages">
                <a
                  href={
                    newer === null
                      ? undefined
                      : newer + PAGE_SIZE > p.head
                        ? '#/blocks'
                        : `#/blocks?from=${newer}`
                  }
                  aria-disabled={newer === null}
                  class={newer === null ? 'pg disabled' : 'pg'}
                >
                  ← Newer
                </a>
                <a
                  href={older === null ? undefined : `#/blocks?from=${older}`}
                  aria-disabled={older === null}
                  class={older === null ? 'pg disabled' : 'pg'}
                >
                  Older →
                </a>
              </nav>
            </>
          );
        }}
      </Load>
    </Page>
  );
}

function BlockTable({ blocks }: { blocks: readonly BlockView[] }) {
  return (
    <table class="stack" aria-label="Blocks, newest first">
      <thead>
        <tr>
          <th scope="col">Height</th>
          <th scope="col">Time</th>
          <th scope="col">Txs</th>
          <th scope="col">Proposer</th>
          <th scope="col">Hash</th>
        </tr>
      </thead>
      <tbody>
        {blocks.map((b) => (
          <tr key={b.height}>
            <td data-label="Height">
              <a href={`#/blocks/${b.height}`}>{num(b.height)}</a>
            </td>
            <td data-label="Time" title={dateTime(b.time)}>
              {ago(b.time)}
            </td>
            <td data-label="Txs">{num(b.txCount)}</td>
            <td data-label="Proposer">
              <Proposer pk={b.proposer} />
            </td>
            <td data-label="Hash">
              <code title={b.hash}>{short(b.hash)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BlockPage({ height }: { height: number }) {
  const res = useAsync((s) => api.block(height, s), [height]);
  const notFound = (
    <NotFound title={`Block ${height} not found`}>
      <p>There is no block at height {height} on this node (yet). The chain may be shorter.</p>
    </NotFound>
  );
  if (!Number.isSafeInteger(height) || height < 1) return notFound;
  return (
    <Page title={`Block ${num(height)}`}>
      <Load res={res} what={`block ${height}`} notFound={notFound}>
        {(b) => (
          <>
            <nav class="pager" aria-label="Neighbouring blocks">
              <a
                href={b.height > 1 ? `#/blocks/${b.height - 1}` : undefined}
                aria-disabled={b.height <= 1}
                class={b.height <= 1 ? 'pg disabled' : 'pg'}
              >
                ← Block {num(b.height - 1)}
              </a>
              <a class="pg" href={`#/blocks/${b.height + 1}`}>
                Block {num(b.height + 1)} →
              </a>
            </nav>
            <Fields
              label="Block header"
              rows={[
                ['Height', <span data-field="height">{num(b.height)}</span>],
                ['Hash', <Hash value={b.hash} />],
                [
                  'Parent',
                  b.height > 1 ? (
                    <Hash value={b.parentHash} href={`#/blocks/${b.height - 1}`} />
                  ) : (
                    <Hash value={b.parentHash} />
                  ),
                ],
                ['Time', `${dateTime(b.time)} (${ago(b.time)})`],
                ['Proposer', <Proposer pk={b.proposer} full />],
                ['Term', num(b.term)],
                ['Transactions', <span data-field="txCount">{num(b.txCount)}</span>],
                ['Tx root', <Hash value={b.txRoot} />],
                ['State root', <Hash value={b.stateRoot} />],
                [
                  'State height',
                  <>
                    {num(b.stateHeight)}{' '}
                    <span class="muted">(the state root is the state after this height)</span>
                  </>,
                ],
                ['Signature', <Hash value={b.signature} />],
              ]}
            />
            <h2>Transactions ({num(b.txs.length)})</h2>
            {b.txs.length === 0 ? (
              <p class="state empty">This block carries no transactions.</p>
            ) : (
              <ol class="txlist" aria-label="Transactions in this block">
                {b.txs.map((h) => (
                  <li key={h}>
                    <Hash value={h} href={`#/tx/${h}`} />
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </Load>
    </Page>
  );
}
