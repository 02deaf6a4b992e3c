/** JSON schemas of the HTTP routes: they validate input and document the API in OpenAPI. */

/** Bytes as hex: whole bytes only (an odd digit would otherwise be dropped silently). */
const hex = { type: 'string', pattern: '^(?:[0-9a-fA-F]{2})*$' } as const;
const hash = { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } as const;
const height = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;

const errorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** The error responses every route declares: `{ error: { code, message } }`. */
export const errors = { '4xx': errorBody, '5xx': errorBody } as const;

const receipt = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'reverted'] },
    error: { type: 'string' },
    gasUsed: { type: 'integer' },
    returnData: { type: 'string' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, data: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
} as const;

const header = {
  height: { type: 'integer' },
  hash: { type: 'string' },
  parentHash: { type: 'string' },
  txRoot: { type: 'string' },
  stateHeight: { type: 'integer' },
  stateRoot: { type: 'string' },
  proposer: { type: 'string' },
  term: { type: 'integer' },
  time: { type: 'integer' },
  txCount: { type: 'integer' },
  signature: { type: 'string' },
} as const;

const block = {
  type: 'object',
  properties: { ...header, txs: { type: 'array', items: { type: 'string' } } },
} as const;

export const submitTx = {
  summary: 'Submit a signed transaction',
  description:
    'Body: the canonical signed-tx bytes (application/octet-stream), or JSON {"tx": "<hex>"}. ' +
    'See docs/transactions.md for the encoding. 202 means admitted to the mempool, not committed.',
  // Per content type: a oneOf of the two let a JSON body match both branches (and be refused) or,
  // shaped wrong, neither check (and reach the handler).
  body: {
    content: {
      'application/octet-stream': { schema: { description: 'the canonical signed-tx bytes' } },
      'application/json': {
        schema: {
          type: 'object',
          properties: { tx: { ...hex, minLength: 2 } },
          required: ['tx'],
          additionalProperties: false,
        },
      },
    },
  },
  response: { 202: { type: 'object', properties: { hash: { type: 'string' } } }, ...errors },
} as const;

export const submitTxs = {
  summary: 'Submit a batch of signed transactions',
  description:
    'Body: a tx batch frame (application/octet-stream: u16 count, then u32 length + canonical ' +
    'signed-tx bytes per tx; see docs/transactions.md), or JSON {"txs": ["<hex>", ...]}. At most ' +
    '1,000 txs and 4 MiB. Each tx is checked and admitted on its own, in the order given: 202 with ' +
    'one result per tx, {hash} or {error: {code, message}} with the code POST /v1/tx would give. ' +
    '503 (Retry-After) when the mempool refused every tx for being full.',
  body: {
    content: {
      'application/octet-stream': { schema: { description: 'a tx batch frame' } },
      'application/json': {
        schema: {
          type: 'object',
          properties: {
            txs: { type: 'array', items: { ...hex, minLength: 2 }, minItems: 1, maxItems: 1000 },
          },
          required: ['txs'],
          additionalProperties: false,
        },
      },
    },
  },
  response: {
    202: {
      type: 'object',
      properties: {
        accepted: { type: 'integer' },
        rejected: { type: 'integer' },
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              hash: { type: 'string' },
              error: {
                type: 'object',
                properties: { code: { type: 'string' }, message: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    ...errors,
  },
} as const;

export const getTx = {
  summary: 'A transaction: pending, or committed with its height and receipt',
  params: { type: 'object', properties: { hash }, required: ['hash'] },
  response: {
    200: {
      type: 'object',
      properties: {
        hash: { type: 'string' },
        status: { type: 'string', enum: ['pending', 'committed'] },
        chainId: { type: 'string' },
        sender: { type: 'string' },
        nonce: { type: 'integer' },
        gasLimit: { type: 'integer' },
        contract: { type: 'string' },
        method: { type: 'string' },
        args: { type: 'array', items: { type: 'string' } },
        signature: { type: 'string' },
        height: { type: 'integer' },
        index: { type: 'integer' },
        receipt,
      },
    },
    ...errors,
  },
} as const;

export const getBlock = {
  summary: 'A block by height',
  params: { type: 'object', properties: { height }, required: ['height'] },
  response: { 200: block, ...errors },
} as const;

export const listBlocks = {
  summary: 'A page of blocks in ascending height (the newest page without `from`)',
  querystring: {
    type: 'object',
    properties: { from: height, limit: { type: 'integer', minimum: 1, maximum: 100 } },
    additionalProperties: false,
  },
  response: {
    200: {
      type: 'object',
      properties: { head: { type: 'integer' }, blocks: { type: 'array', items: block } },
    },
    ...errors,
  },
} as const;

const validator = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    publicKey: { type: 'string' },
    peerId: { type: 'string' },
    http: { type: 'string' },
    connected: { type: 'boolean' },
    lastSeen: { type: ['integer', 'null'] },
    lag: { type: ['integer', 'null'] },
  },
} as const;

export const status = {
  summary: 'Node status: role, term, leader, heights, peers, validators',
  response: {
    200: {
      type: 'object',
      properties: {
        nodeId: { type: 'string' },
        name: { type: 'string' },
        chainId: { type: 'string' },
        role: { type: 'string' },
        term: { type: 'integer' },
        leader: { type: ['string', 'null'] },
        height: { type: 'integer' },
        commitIndex: { type: 'integer' },
        appliedIndex: { type: 'integer' },
        stateRoot: { type: 'string' },
        mempool: { type: 'object', properties: { txs: { type: 'integer' }, bytes: { type: 'integer' } } },
        peers: { type: 'array', items: { type: 'string' } },
        validators: { type: 'array', items: validator },
        divergence: { type: ['string', 'null'] },
        version: { type: 'string' },
      },
    },
    ...errors,
  },
} as const;

export const account = {
  summary: "A sender's committed nonce (the nonce its next tx must carry) and its pending tx count",
  params: { type: 'object', properties: { publicKey: hash }, required: ['publicKey'] },
  response: {
    200: { type: 'object', properties: { nonce: { type: 'integer' }, pending: { type: 'integer' } } },
    ...errors,
  },
} as const;

export const query = {
  summary: 'Read-only contract call against the latest applied state (no transaction)',
  params: {
    type: 'object',
    properties: {
      contract: { type: 'string', minLength: 1, maxLength: 64 },
      method: { type: 'string', minLength: 1, maxLength: 64 },
    },
    required: ['contract', 'method'],
  },
  querystring: {
    type: 'object',
    properties: {
      args: { type: 'string', pattern: '^((?:[0-9a-fA-F]{2})*)(,(?:[0-9a-fA-F]{2})*)*$', maxLength: 65536 },
    },
    additionalProperties: false,
  },
  response: {
    200: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: ['ok', 'reverted'] },
        error: { type: 'string' },
        gasUsed: { type: 'integer' },
        returnData: { type: 'string' },
      },
    },
    ...errors,
  },
} as const;

export const events = {
  summary:
    'Server-sent events: `block` for each applied block, `leader` on leader change, `receipts` with ?receipts=true',
  querystring: {
    type: 'object',
    properties: { receipts: { type: 'boolean' } },
    additionalProperties: false,
  },
} as const;
