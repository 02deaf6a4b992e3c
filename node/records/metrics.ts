/**
 * Metrics of the records service through a small interface (the service does not import
 * prom-client); `RecordPromMetrics` puts them on the node's Prometheus registry:
 *   ehrchain_records_uploads_total{result}            uploads by result (ok or the refusal code)
 *   ehrchain_records_reads_served_total{via,source}   blobs released (via http|peer; source local|dht|validator)
 *   ehrchain_records_reads_refused_total{via,reason}  reads refused, by code or consent reason
 *   ehrchain_records_replication_pushes_total{direction,result}  blob pushes sent / received, ok|failed
 *   ehrchain_records_receipts_pending                 served reads not yet recorded on chain
 *   ehrchain_records_receipts_resubmitted_total       reads resubmitted after their tx left the mempool
 *   ehrchain_records_blobs_swept_total                blobs deleted by the erased-blob sweep
 *   ehrchain_records_disk_full                        1 while the blob store refuses writes for lack of space
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** How the records service reports what it does. */
export interface RecordMetrics {
  upload(result: string): void;
  served(via: 'http' | 'peer', source: string): void;
  refused(via: 'http' | 'peer', reason: string): void;
  push(direction: 'sent' | 'received', ok: boolean): void;
  swept(blobs: number): void;
  /** The blob store's disk filled (true) or has room again (false). */
  diskFull(full: boolean): void;
  /** Reads the recorder's counts when scraped. */
  watchReceipts(stats: () => { readonly pending: number; readonly resubmitted: number }): void;
}

/** Metrics that go nowhere. */
export const noopRecordMetrics: RecordMetrics = {
  upload: () => undefined,
  served: () => undefined,
  refused: () => undefined,
  push: () => undefined,
  swept: () => undefined,
  diskFull: () => undefined,
  watchReceipts: () => undefined,
};

/** The records metrics on a Prometheus registry. */
export class RecordPromMetrics implements RecordMetrics {
  #stats: () => { readonly pending: number; readonly resubmitted: number } = () => ({
    pending: 0,
    resubmitted: 0,
  });
  readonly #uploads: Counter<'result'>;
  readonly #served: Counter<'via' | 'source'>;
  readonly #refused: Counter<'via' | 'reason'>;
  readonly #pushes: Counter<'direction' | 'result'>;
  readonly #swept: Counter;
  readonly #diskFull: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#uploads = new Counter({
      name: 'ehrchain_records_uploads_total',
      help: 'Blob uploads (PUT /v1/blobs), by result: ok or the refusal code',
      labelNames: ['result'],
      registers,
    });
    this.#served = new Counter({
      name: 'ehrchain_records_reads_served_total',
      help: 'Blobs released to a signed read, via http (a client) or peer (a forwarding node), by source',
      labelNames: ['via', 'source'],
      registers,
    });
    this.#refused = new Counter({
      name: 'ehrchain_records_reads_refused_total',
      help: 'Signed reads refused, by reason (error code, or the consent reason of a denial)',
      labelNames: ['via', 'reason'],
      registers,
    });
    this.#pushes = new Counter({
      name: 'ehrchain_records_replication_pushes_total',
      help: 'Blob replication pushes sent to and received from peers, by result',
      labelNames: ['direction', 'result'],
      registers,
    });
    this.#swept = new Counter({
      name: 'ehrchain_records_blobs_swept_total',
      help: 'Blobs deleted by the sweep because their record was erased on chain',
      registers,
    });
    this.#diskFull = new Gauge({
      name: 'ehrchain_records_disk_full',
      help: '1 while the blob store refuses writes (uploads answer 503 disk_full) for lack of space',
      registers,
    });
    const stats = () => this.#stats();
    new Gauge({
      name: 'ehrchain_records_receipts_pending',
      help: 'Served reads not yet recorded on chain (queued or submitted without a receipt)',
      registers,
      collect() {
        this.set(stats().pending);
      },
    });
    new Counter({
      name: 'ehrchain_records_receipts_resubmitted_total',
      help: 'Served reads resubmitted because their recordReads tx left the mempool without a receipt',
      registers,
      collect() {
        // The recorder keeps the count; the counter mirrors it when scraped.
        this.reset();
        this.inc(stats().resubmitted);
      },
    });
  }

  upload(result: string): void {
    this.#uploads.inc({ result });
  }
  served(via: 'http' | 'peer', source: string): void {
    this.#served.inc({ via, source });
  }
  refused(via: 'http' | 'peer', reason: string): void {
    this.#refused.inc({ via, reason });
  }
  push(direction: 'sent' | 'received', ok: boolean): void {
    this.#pushes.inc({ direction, result: ok ? 'ok' : 'failed' });
  }
  swept(blobs: number): void {
    this.#swept.inc(blobs);
  }
  diskFull(full: boolean): void {
    this.#diskFull.set(full ? 1 : 0);
  }
  watchReceipts(stats: () => { readonly pending: number; readonly resubmitted: number }): void {
    this.#stats = stats;
  }
}
