/**
 * The explorer's whole data layer: typed GETs against the node's public HTTP API. The view types
 * are the node's own (type-only imports, erased by the bundler), so a changed view breaks tsc here.
 */
import type {
  BlockView,
  NodeEvent,
  QueryResult,
  ReceiptView,
  StatusView,
  TxView,
  ValidatorView,
} from '../../protocol/api.js';

export type { BlockView, NodeEvent, QueryResult, ReceiptView, StatusView, TxView, ValidatorView };
export type BlockHeaderView = Extract<NodeEvent, { type: 'block' }>['block'];

/** A failed request: `status` 0 means the node could not be reached at all. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/** GET a JSON view; throws HttpError (status 0 when unreachable, else the node's error code). */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new HttpError(0, 'unreachable', 'The node cannot be reached (is it running?)');
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    throw new HttpError(res.status, 'bad_response', `Unexpected answer from the node (HTTP ${res.status})`);
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new HttpError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`);
  }
  return body as T;
}

export interface BlocksPage {
  readonly head: number;
  readonly blocks: BlockView[];
}

export const api = {
  status: (s?: AbortSignal) => getJson<StatusView>('/v1/status', s),
  block: (height: number, s?: AbortSignal) => getJson<BlockView>(`/v1/blocks/${height}`, s),
  blocks: (from: number | null, limit: number, s?: AbortSignal) =>
    getJson<BlocksPage>(`/v1/blocks?${from === null ? '' : `from=${from}&`}limit=${limit}`, s),
  tx: (hash: string, s?: AbortSignal) => getJson<TxView>(`/v1/tx/${hash}`, s),
  /** Read-only contract call; args as hex. */
  query: (contract: string, method: string, args: readonly string[], s?: AbortSignal) =>
    getJson<QueryResult>(
      `/v1/query/${encodeURIComponent(contract)}/${encodeURIComponent(method)}${
        args.length === 0 ? '' : `?args=${args.join(',')}`
      }`,
      s,
    ),
};

/** A short human message for any error thrown by the API helpers. */
export function describeError(e: unknown): string {
  if (e instanceof HttpError) return e.status === 0 ? e.message : `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
