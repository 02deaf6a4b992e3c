/**
 * The interaction environment behind the transcripts (after etcd's rafttest): a few Raft nodes
 * over MemoryStorage with a mailbox each, driven one command at a time. Every command returns
 * the lines it printed: Readies as they are handled, messages as they are delivered, and every
 * RaftEvent where it happens (`[2] voteGranted ...`). Randomness (election jitter) is seeded per
 * node, so a transcript prints the same output on every run.
 */
import { decodeConfChange } from '../../../../consensus/confchange.js';
import { defaultRaftOptions } from '../../../../consensus/options.js';
import { Raft } from '../../../../consensus/raft.js';
import { MemoryStorage } from '../../../../consensus/storage.js';
import { EntryType, type Message, type RaftEvent } from '../../../../consensus/types.js';
import { formatEvent } from '../helpers/events.js';
import { seeded } from '../helpers/pump.js';
import { formatEntry, formatMessage, formatReady } from './format.js';

interface EnvNode {
  readonly id: string;
  readonly raft: Raft;
  readonly storage: MemoryStorage;
  readonly inbox: Message[];
}

/** A command with positional arguments and key=value options. */
interface Command {
  readonly name: string;
  readonly args: readonly string[];
  readonly opts: ReadonlyMap<string, string>;
}

const MAX_STABILIZE_ROUNDS = 1000;
const enc = new TextEncoder();

function parseCommand(line: string): Command {
  const [name = '', ...rest] = line.trim().split(/\s+/);
  const args: string[] = [];
  const opts = new Map<string, string>();
  for (const w of rest) {
    const eq = w.indexOf('=');
    if (eq > 0) opts.set(w.slice(0, eq), w.slice(eq + 1));
    else args.push(w);
  }
  return { name, args, opts };
}

/** See the file comment. Throws on an unknown command or a bad argument. */
export class TranscriptEnv {
  readonly #nodes = new Map<string, EnvNode>();
  /** Directed links that drop messages: `from>to`. */
  readonly #cut = new Set<string>();
  #out: string[] = [];
  #indent = '';

  /** Runs one command line; returns what it printed (`ok` when nothing). */
  run(line: string): string[] {
    this.#out = [];
    this.#indent = '';
    const c = parseCommand(line);
    const handler = this.#commands[c.name];
    if (!handler) throw new Error(`unknown command ${c.name}`);
    handler(c);
    return this.#out.length > 0 ? this.#out : ['ok'];
  }

  readonly #commands: Record<string, (c: Command) => void> = {
    'add-nodes': (c) => this.#addNodes(c),
    campaign: (c) => this.#node(c.args[0]).raft.campaign(),
    tick: (c) => this.#tick(c.args[0], Number(c.args[1] ?? 1)),
    'tick-election': (c) => this.#tick(c.args[0], this.#node(c.args[0]).raft.config.electionTick),
    'tick-heartbeat': (c) => this.#tick(c.args[0], this.#node(c.args[0]).raft.config.heartbeatTick),
    'process-ready': (c) => this.#processReady(this.#node(c.args[0])),
    'deliver-msgs': (c) => this.#deliver(this.#node(c.args[0])),
    stabilize: () => this.#stabilize(),
    propose: (c) => this.#propose(c.args[0], c.args.slice(1).join(' ')),
    'transfer-leader': (c) => {
      this.#node(c.args[0]).raft.transferLeadership(this.#node(c.args[1]).id);
    },
    isolate: (c) => {
      const id = this.#node(c.args[0]).id;
      for (const other of this.#nodes.keys()) if (other !== id) this.#cutBoth(id, other);
    },
    partition: (c) => this.#partition(c.args),
    heal: () => this.#cut.clear(),
    status: (c) => this.#status(this.#node(c.args[0])),
    'raft-state': () => {
      for (const n of this.#nodes.values()) {
        const r = n.raft;
        this.#print(
          `${n.id}: ${r.role} term=${r.term} vote=${r.vote ?? 'none'} leader=${r.leader ?? 'none'}`,
        );
      }
    },
    'raft-log': (c) => {
      const { log } = this.#node(c.args[0]).raft;
      const ents = log.slice(log.firstIndex(), log.lastIndex() + 1);
      if (ents.length === 0) this.#print('log is empty');
      for (const e of ents) this.#print(formatEntry(e));
    },
  };

  #print(line: string): void {
    this.#out.push(`${this.#indent}${line}`);
  }

  #node(id: string | undefined): EnvNode {
    const n = id === undefined ? undefined : this.#nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** add-nodes N [prevote=true] [checkquorum=true] [election=10] [heartbeat=1] [seed=s] */
  #addNodes(c: Command): void {
    const count = Number(c.args[0]);
    const flag = (k: string) => c.opts.get(k) === 'true';
    const first = this.#nodes.size + 1;
    const ids = Array.from({ length: count }, (_, i) => String(first + i));
    const voters = [...this.#nodes.keys(), ...ids];
    const seed = c.opts.get('seed') ?? 'transcript';
    for (const id of ids) {
      const storage = new MemoryStorage({ voters, learners: [] });
      const raft = new Raft({
        ...defaultRaftOptions,
        electionTick: Number(c.opts.get('election') ?? 10),
        heartbeatTick: Number(c.opts.get('heartbeat') ?? 1),
        preVote: flag('prevote'),
        checkQuorum: flag('checkquorum'),
        maxUncommittedBytes: 0,
        id,
        storage,
        random: seeded(`${seed}:${id}`),
        onEvent: (e: RaftEvent) => this.#print(`[${id}] ${formatEvent(e)}`),
      });
      this.#nodes.set(id, { id, raft, storage, inbox: [] });
      this.#print(`${id}: ${raft.role} term=${raft.term} voters=(${voters.join(' ')})`);
    }
  }

  #tick(id: string | undefined, n: number): void {
    const { raft } = this.#node(id);
    for (let i = 0; i < n; i++) raft.tick();
  }

  #propose(id: string | undefined, data: string): void {
    const res = this.#node(id).raft.propose(enc.encode(data));
    if (res.ok) this.#print(`proposed index=${res.index} term=${res.term}`);
    else this.#print(`refused ${res.code} leader=${res.leader ?? 'none'}`);
  }

  /** partition 1 2 / 3: links between the groups drop messages (inside a group they work). */
  #partition(args: readonly string[]): void {
    const groups: string[][] = [[]];
    for (const a of args) {
      if (a === '/') groups.push([]);
      else groups[groups.length - 1]?.push(this.#node(a).id);
    }
    this.#cut.clear();
    for (const [i, g] of groups.entries()) {
      for (const h of groups.slice(i + 1)) for (const a of g) for (const b of h) this.#cutBoth(a, b);
    }
  }

  #cutBoth(a: string, b: string): void {
    this.#cut.add(`${a}>${b}`);
    this.#cut.add(`${b}>${a}`);
  }

  /** Persist, send (dropping what crosses a cut link), apply, advance; printing the Ready. */
  #processReady(n: EnvNode): void {
    if (!n.raft.hasReady()) return;
    this.#indent = '';
    this.#print(`> ${n.id} handling Ready`);
    this.#indent = '  ';
    const rd = n.raft.ready();
    for (const line of formatReady(rd)) this.#out.push(line);
    if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    for (const m of rd.messages) {
      // A cut link loses the message as it leaves; messages already in a mailbox still arrive.
      if (this.#cut.has(`${m.from}>${m.to}`)) {
        this.#print(`drop ${formatMessage(m)}`);
        continue;
      }
      this.#print(`send ${formatMessage(m)}`);
      this.#nodes.get(m.to)?.inbox.push(m);
    }
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.ConfChange) n.raft.applyConfChange(decodeConfChange(e.data));
    }
    n.raft.advance(rd);
  }

  /** Steps every message in `n`'s mailbox, printing each and the events it caused. */
  #deliver(n: EnvNode): void {
    if (n.inbox.length === 0) return;
    this.#indent = '';
    this.#print(`> ${n.id} receiving messages`);
    this.#indent = '  ';
    for (const m of n.inbox.splice(0, n.inbox.length)) {
      this.#print(formatMessage(m));
      n.raft.step(m);
    }
  }

  /** Handles Readies and delivers messages until nothing moves. */
  #stabilize(): void {
    for (let round = 0; round < MAX_STABILIZE_ROUNDS; round++) {
      let moved = false;
      for (const n of this.#nodes.values()) {
        if (n.raft.hasReady()) {
          this.#processReady(n);
          moved = true;
        }
      }
      for (const n of this.#nodes.values()) {
        if (n.inbox.length > 0) {
          this.#deliver(n);
          moved = true;
        }
      }
      if (!moved) return;
    }
    throw new Error(`no stable state after ${MAX_STABILIZE_ROUNDS} rounds`);
  }

  #status(n: EnvNode): void {
    const s = n.raft.status();
    this.#print(
      `${s.id}: ${s.role} term=${s.term} leader=${s.leader ?? 'none'} commit=${s.commit} applied=${s.applied} last=${s.lastIndex} voters=(${s.conf.voters.join(' ')})`,
    );
    for (const peer of s.conf.voters) {
      const pr = n.raft.progress(peer);
      if (pr) this.#print(`  ${peer}: ${pr.state} match=${pr.match} next=${pr.next} inflight=${pr.inflight}`);
    }
  }
}
