/**
 * JSON schemas of the HTTP routes: they validate input, shape every reply (fastify serialises with
 * them, dropping undeclared fields) and document the API in OpenAPI (`npm run docs:openapi` writes
 * docs/openapi.json from them; docs/api.md is the prose). Reply schemas list `required` fields so
 * the tests can validate real replies against the published document.
 */

/** Bytes as hex: whole bytes only (an odd digit would otherwise be dropped silently). */
const hex = { type: 'string', pattern: '^(?:[0-9a-fA-F]{2})*$' } as const;
const hash = { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } as const;
const height = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
/** What the node writes: lower-case hex. */
const outHex = { type: 'string', pattern: '^(?:[0-9a-f]{2})*$' } as const;
const out32 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const out64 = { type: 'string', pattern: '^[0-9a-f]{128}$' } as const;
const uint = { type: 'integer', minimum: 0 } as const;

const errorBody = {
  type: 'object',
  description:
    'Every 4xx/5xx reply. `code` is stable (docs/api.md#errors lists each with what a client should do); `message` is for people.',
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
  description:
    'What executing a committed tx did. `status` reverted: `error` names why and the tx changed nothing but its nonce (consumed).',
  properties: {
    status: { type: 'string', enum: ['ok', 'reverted'] },
    error: { type: 'string' },
    gasUsed: uint,
    returnData: outHex,
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, data: { type: 'array', items: outHex } },
        required: ['name', 'data'],
      },
    },
  },
  required: ['status', 'gasUsed', 'returnData', 'events'],
} as const;

const headerProps = {
  chainId: { type: 'string' },
  height: uint,
  hash: out32,
  parentHash: out32,
  txRoot: out32,
  stateHeight: uint,
  stateRoot: out32,
  proposer: out32,
  term: uint,
  time: { ...uint, description: "the proposer's clock, ms since the Unix epoch" },
  txCount: uint,
  signature: out64,
} as const;
const headerRequired = Object.keys(headerProps) as (keyof typeof headerProps)[];

/** A block's header fields, hash and signature (the `block` event's `block`). */
export const blockHeader = { type: 'object', properties: headerProps, required: headerRequired } as const;

const block = {
  type: 'object',
  description:
    'A block: its header fields, its hash and proposer signature, and its tx hashes in block order (GET /v1/tx/:hash for each; GET /v1/blocks/:height/raw for the canonical bytes with the txs).',
  properties: { ...headerProps, txs: { type: 'array', items: out32 } },
  required: [...headerRequired, 'txs'],
} as const;

export const submitTx = {
  summary: 'Submit a signed transaction',
  description:
    'Body: the canonical signed-tx bytes (application/octet-stream), or JSON {"tx": "<hex>"}. ' +
    'See docs/transactions.md for the encoding. 202 means admitted to the mempool, not committed: ' +
    'poll GET /v1/tx/:hash for the receipt. Resending the same bytes after an unknown outcome is safe ' +
    '(409 duplicate while pending; 409 nonce_stale once committed). 503 disk_full (Retry-After) ' +
    "while the node's disk is full: it takes in nothing it cannot persist (docs/operations.md). " +
    '503 no_leader (Retry-After) while the node has lost its leader and a new one is being elected.',
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
  response: {
    202: { type: 'object', properties: { hash: out32 }, required: ['hash'] },
    ...errors,
  },
} as const;

const batchError = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
} as const;

export const submitTxs = {
  summary: 'Submit a batch of signed transactions',
  description:
    'Body: a tx batch frame (application/octet-stream: u16 count, then u32 length + canonical ' +
    'signed-tx bytes per tx; see docs/transactions.md), or JSON {"txs": ["<hex>", ...]}. At most ' +
    '1,000 txs and 4 MiB. Each tx is checked and admitted on its own, in the order given: 202 with ' +
    'one result per tx, {hash} or {error: {code, message}} with the code POST /v1/tx would give. ' +
    '503 (Retry-After) when the mempool refused every tx for being full, and 503 disk_full while ' +
    "the node's disk is full, and 503 no_leader while it has lost its leader.",
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
        accepted: uint,
        rejected: uint,
        results: {
          type: 'array',
          description: 'One per tx, in request order: {hash} if admitted, {error} (and no hash) if refused.',
          items: { type: 'object', properties: { hash: out32, error: batchError } },
        },
      },
      required: ['accepted', 'rejected', 'results'],
    },
    ...errors,
  },
} as const;

export const getTx = {
  summary: 'A transaction: pending, or committed with its height, index and receipt',
  description:
    '404 not_found: this node knows no such tx (never admitted here, evicted, or refused). A tx ' +
    'pending on another node is not visible here until it commits.',
  params: { type: 'object', properties: { hash }, required: ['hash'] },
  response: {
    200: {
      type: 'object',
      properties: {
        hash: out32,
        status: { type: 'string', enum: ['pending', 'committed'] },
        chainId: { type: 'string' },
        sender: out32,
        nonce: uint,
        gasLimit: uint,
        contract: { type: 'string' },
        method: { type: 'string' },
        args: { type: 'array', items: outHex },
        signature: out64,
        height: { ...uint, description: 'committed only' },
        index: { ...uint, description: 'committed only: position in the block' },
        receipt: { ...receipt, description: `committed only. ${receipt.description}` },
      },
      required: ['hash', 'status', 'chainId', 'sender', 'nonce', 'gasLimit', 'contract', 'method', 'args'],
    },
    ...errors,
  },
} as const;

export const getBlock = {
  summary: 'A block by height',
  description: '404 not_found: no block at that height yet.',
  params: { type: 'object', properties: { height }, required: ['height'] },
  response: { 200: block, ...errors },
} as const;

export const getBlockRaw = {
  summary: "A block's canonical bytes, with its txs (docs/transactions.md#block)",
  description:
    'application/octet-stream: tag 0x03, header, proposer signature, then u32 length + signed tx per ' +
    'tx. sha256("ehrchain/header/v1" 0x00 || header) is the block hash. 404 not_found: no such block.',
  params: { type: 'object', properties: { height }, required: ['height'] },
  response: {
    200: {
      description: 'the canonical block bytes',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
    ...errors,
  },
} as const;

export const listBlocks = {
  summary: 'A page of blocks in ascending height (the newest page without `from`)',
  description:
    'Pages go up: the next page starts at the last height + 1; fewer than `limit` blocks means the ' +
    'page reached `head`. `from` past the head gives an empty list.',
  querystring: {
    type: 'object',
    properties: { from: height, limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
    additionalProperties: false,
  },
  response: {
    200: {
      type: 'object',
      properties: { head: uint, blocks: { type: 'array', items: block } },
      required: ['head', 'blocks'],
    },
    ...errors,
  },
} as const;

const nullableUint = { type: ['integer', 'null'], minimum: 0 } as const;
const validator = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    publicKey: out32,
    peerId: { type: 'string', description: 'libp2p peer id: what `leader` and `nodeId` name' },
    http: { type: 'string' },
    connected: { type: 'boolean' },
    lastSeen: nullableUint,
    lag: nullableUint,
    protocolVersion: { ...nullableUint, description: 'Raft protocol version of the last stream with it' },
    refusedVersions: {
      type: ['array', 'null'],
      items: uint,
      description: 'while refused: the Raft protocol versions it serves, none of them this node speaks',
    },
  },
  required: ['name', 'publicKey', 'peerId', 'http', 'connected', 'lastSeen', 'lag'],
} as const;

export const status = {
  summary: 'Node status: chain id, role, term, leader, heights, peers, validators',
  description:
    '`chainId` is the id every tx must carry (and sign). `nodeId` and `leader` are libp2p peer ids; ' +
    "find the leader's name and URL in `validators[]` by `peerId`. `leaderSince`: epoch ms, by this " +
    "node's clock, at which it learned `leader` (null with no leader); operational only.",
  response: {
    200: {
      type: 'object',
      properties: {
        nodeId: { type: 'string' },
        name: { type: 'string' },
        chainId: { type: 'string' },
        role: { type: 'string', enum: ['follower', 'preCandidate', 'candidate', 'leader'] },
        term: uint,
        leader: { type: ['string', 'null'] },
        leaderSince: { type: ['integer', 'null'], minimum: 0 },
        height: uint,
        commitIndex: uint,
        appliedIndex: uint,
        stateRoot: out32,
        mempool: {
          type: 'object',
          properties: { txs: uint, bytes: uint },
          required: ['txs', 'bytes'],
        },
        peers: { type: 'array', items: { type: 'string' } },
        validators: { type: 'array', items: validator },
        divergence: { type: ['string', 'null'] },
        disk: {
          type: 'object',
          properties: { full: { type: 'boolean' }, freeBytes: { type: ['integer', 'null'], minimum: 0 } },
          required: ['full', 'freeBytes'],
        },
        version: { type: 'string' },
      },
      required: [
        'nodeId',
        'name',
        'chainId',
        'role',
        'term',
        'leader',
        'leaderSince',
        'height',
        'commitIndex',
        'appliedIndex',
        'stateRoot',
        'mempool',
        'peers',
        'validators',
        'divergence',
        'disk',
        'version',
      ],
    },
    ...errors,
  },
} as const;

export const account = {
  summary: "A sender's committed next nonce and its count of txs pending on this node",
  description:
    '`nonce` is the next nonce by committed state. With nothing pending it is the nonce the next tx ' +
    'must carry; with `pending` txs of consecutive nonces from `nonce` on, the next is `nonce + pending`. ' +
    'An unknown key answers {nonce: 0, pending: 0}.',
  params: { type: 'object', properties: { publicKey: hash }, required: ['publicKey'] },
  response: {
    200: { type: 'object', properties: { nonce: uint, pending: uint }, required: ['nonce', 'pending'] },
    ...errors,
  },
} as const;

export const query = {
  summary: 'Read-only contract call against the latest applied state (no transaction)',
  description:
    'Read `value`: the value as hex when `status` is ok ("" is an empty value), null when the query ' +
    'reverted, with `error` saying why (kv: `not_found` = no such key; consent methods answer an ' +
    'empty value for "none", docs/consent.md). `returnData` is kept for older clients ("" on a ' +
    'revert). 404 unknown_contract: no such contract.',
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
        error: { type: 'string', description: 'reverted only: why' },
        gasUsed: uint,
        value: {
          anyOf: [outHex, { type: 'null' }],
          description: 'ok: the value as hex ("" is an empty value); reverted: null',
        },
        returnData: { ...outHex, description: 'kept for older clients: the value when ok, "" when reverted' },
      },
      required: ['status', 'gasUsed', 'value', 'returnData'],
    },
    ...errors,
  },
} as const;

export const events = {
  summary:
    'Server-sent events: `block` for each applied block, `leader` on leader change, `receipts` with ?receipts=true; ' +
    "with ?actor=<id>, that actor's notifications instead",
  description:
    'text/event-stream. Without `actor`: no replay: after a reconnect, read what was missed with GET /v1/blocks?from= ' +
    "(the last block height seen + 1) and GET /v1/tx/:hash. docs/api.md#events has each event's data. " +
    'With `actor` (an actor id: sha256 of a public key, hex): the typed events that concern that actor ' +
    '(request.received, request.approved, record.read, ...), each with `id: <height>-<index>`; a reconnect ' +
    'with the Last-Event-ID header or ?since=<event id> replays what was missed first, bounded ' +
    '(notify.maxReplay events, notify.retainBlocks blocks), and sends `event: reset` when it cannot. ' +
    'Not authenticated: anyone who knows an actor id can follow it. docs/notify.md has each type.',
  querystring: {
    type: 'object',
    properties: {
      receipts: { type: 'boolean' },
      actor: {
        type: 'string',
        pattern:
          '^(?:[0-9a-fA-F]{64}|org:[a-z0-9-]{1,32}|role:[a-z]{1,16})(?:,(?:[0-9a-fA-F]{64}|org:[a-z0-9-]{1,32}|role:[a-z]{1,16})){0,3}$',
        description:
          "follow this actor's events; or up to 4 comma-separated keys in one stream: actor ids and the group keys " +
          "`org:<code>` (grants to the organisation, its doctors' emergency requests and co-signatures) and " +
          '`role:<role>` (grants to the role)',
      },
      since: {
        type: 'string',
        pattern: '^[0-9]{1,15}-[0-9]{1,9}$',
        description: 'with actor: replay the events after this event id (as Last-Event-ID does)',
      },
    },
    additionalProperties: false,
  },
  response: {
    200: {
      description:
        'an endless text/event-stream (event: block | leader | receipts, or with actor an actor event type | reset; data: one JSON object). ' +
        "This operation's x-events maps each event name to its data's schema in components.schemas.",
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
    ...errors,
  },
} as const;
