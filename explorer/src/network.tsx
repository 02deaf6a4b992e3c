/** The network dashboard: chain head, leader, validators' health, mempool, and live charts. */
import { useMemo } from 'preact/hooks';
import type { StatusView, ValidatorView } from './api.js';
import { Chart } from './chart.js';
import { ago, bytesSize, dateTime, num, short } from './format.js';
import { useTick } from './hooks.js';
import { type LiveState, perBlock, txRate, useLive, useStatus } from './live.js';
import { Badge, ErrorState, Hash, Loading, Page } from './ui.js';

/** Validator name for a node id (peer id) or a public key. */
export function validatorName(status: StatusView | null, id: string | null): string | null {
  if (id === null || status === null) return null;
  return status.validators.find((v) => v.peerId === id || v.publicKey === id)?.name ?? null;
}

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div class="stat">
      <div class="stat-label">{label}</div>
      <div class="stat-value" data-stat={label.toLowerCase()}>
        {value}
      </div>
      {detail !== undefined && <div class="stat-detail">{detail}</div>}
    </div>
  );
}

function Validators({
  vs,
  leader,
  self,
}: {
  vs: readonly ValidatorView[];
  leader: string | null;
  self: string;
}) {
  useTick(1000);
  return (
    <table class="stack" aria-label="Validators">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Node id</th>
          <th scope="col">Health</th>
          <th scope="col">Last seen</th>
          <th scope="col">Lag (entries)</th>
        </tr>
      </thead>
      <tbody>
        {vs.map((v) => (
          <tr key={v.peerId}>
            <td data-label="Name">
              <strong>{v.name}</strong> {v.peerId === leader && <Badge kind="info">leader</Badge>}{' '}
              {v.peerId === self && <span class="muted">(this node)</span>}
            </td>
            <td data-label="Node id">
              <Hash value={v.peerId} abbrev />
            </td>
            <td data-label="Health">
              {v.connected ? <Badge kind="ok">connected</Badge> : <Badge kind="bad">disconnected</Badge>}
            </td>
            <td data-label="Last seen">
              {v.peerId === self ? '—' : v.lastSeen === null ? 'never' : ago(v.lastSeen)}
            </td>
            <td data-label="Lag (entries)">{v.lag === null ? '—' : num(v.lag)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LiveCharts({ live }: { live: LiveState }) {
  const tick = useTick(2000);
  const rate = useMemo(() => txRate(live.blocks, Date.now()), [live.blocks, tick]);
  const pb = useMemo(() => perBlock(live.blocks.slice(-120)), [live.blocks]);
  const last = live.blocks.at(-1);
  const lastRate = rate[1]?.slice(-10).reduce((a, b) => (a ?? 0) + (b ?? 0), 0) ?? 0;
  return (
    <div class="charts">
      <Chart
        title="Committed tx/s"
        data={rate}
        series={[{ label: 'tx/s', color: '#2563eb', bars: true }]}
        yLabel="tx/s"
        summary={`About ${num(lastRate / 10, 1)} committed transactions per second over the last 10 seconds.`}
      />
      <Chart
        title="Block time (ms since the previous block)"
        data={pb.interval}
        series={[{ label: 'ms', color: '#059669' }]}
        yLabel="ms"
        summary={
          last === undefined ? 'No blocks yet.' : `Last block ${last.height} at ${dateTime(last.time)}.`
        }
      />
      <Chart
        title="Transactions per block"
        data={pb.txs}
        series={[{ label: 'txs', color: '#7c3aed', bars: true }]}
        yLabel="txs"
        summary={last === undefined ? 'No blocks yet.' : `Block ${last.height} holds ${last.txCount} txs.`}
      />
    </div>
  );
}

export function NetworkPage() {
  const { status, error } = useStatus();
  const live = useLive();
  if (status === null) {
    return error !== null ? <ErrorState error={error} what="the node status" /> : <Loading what="status" />;
  }
  const liveHead = live.blocks.at(-1);
  const height = Math.max(status.height, liveHead?.height ?? 0);
  const leaderId = live.leader !== null && live.leader.term >= status.term ? live.leader.id : status.leader;
  const term = Math.max(status.term, live.leader?.term ?? 0);
  const leaderName = validatorName(status, leaderId);
  const stale = error !== null;
  return (
    <Page
      title="Network"
      sub={
        <>
          Chain <code>{status.chainId}</code>, answered by <strong>{status.name}</strong> ({status.role}),
          version {status.version}.{' '}
          <span class={`live ${live.connected}`} role="status">
            {live.connected === 'open'
              ? 'Live'
              : live.connected === 'connecting'
                ? 'Connecting…'
                : 'Disconnected'}
          </span>
        </>
      }
    >
      {stale && (
        <p class="banner bad" role="alert">
          The node stopped answering; the figures below may be out of date.
        </p>
      )}
      {status.divergence !== null && (
        <p class="banner bad" role="alert">
          State divergence: {status.divergence}
        </p>
      )}
      <div class="stats">
        <Stat
          label="Height"
          value={num(height)}
          detail={liveHead ? `last block ${ago(liveHead.time)}` : undefined}
        />
        <Stat
          label="Leader"
          value={leaderName ?? (leaderId === null ? 'none' : short(leaderId))}
          detail={leaderId === null ? 'election in progress' : short(leaderId, 12, 6)}
        />
        <Stat label="Term" value={num(term)} />
        <Stat
          label="Mempool"
          value={`${num(status.mempool.txs)} txs`}
          detail={bytesSize(status.mempool.bytes)}
        />
        <Stat
          label="Peers"
          value={num(status.peers.length)}
          detail={`of ${status.validators.length - 1} others`}
        />
        <Stat
          label="Applied index"
          value={num(status.appliedIndex)}
          detail={`commit ${num(status.commitIndex)}`}
        />
      </div>
      <h2>Validators</h2>
      <Validators vs={status.validators} leader={leaderId} self={status.nodeId} />
      {status.role !== 'leader' && (
        <p class="muted small">
          Replication lag is known by the leader only; this node is a {status.role}. Open the explorer on the
          leader's node to see it.
        </p>
      )}
      <h2>Live</h2>
      <LiveCharts live={live} />
    </Page>
  );
}
