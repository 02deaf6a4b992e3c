/**
 * TCP with the writes of one tick gathered into one syscall.
 *
 * Each noise record reaches @libp2p/tcp as two chunks (its 2-byte length, then the ciphertext),
 * and the TCP connection writes chunk by chunk: two `write` syscalls per record, the first of 2
 * bytes. Counted with strace on a follower at kv --rate 20, that was half of its ~10 socket writes
 * per block (docs/bench.md). This corks the socket on the first write of a tick and uncorks it on
 * the next: Node then hands everything written meanwhile (both halves of a record, and the records
 * of other streams on the same connection: Raft, gossip, window updates) to one `writev`. The
 * bytes and their order are unchanged; only the syscalls are fewer.
 *
 * @libp2p/tcp has no option for it and does not export its connection class, so `corkedTcp` wraps
 * the transport: the upgrader it is given sees each raw connection first, and the connection
 * class's `sendData` is wrapped once, on the first connection seen.
 */
import type { Transport, Upgrader } from '@libp2p/interface';
import { type TCPComponents, type TCPOptions, tcp } from '@libp2p/tcp';

/** What this reads of @libp2p/tcp's connection (private in its types). */
interface RawConnection {
  readonly socket?: {
    cork(): void;
    uncork(): void;
    readonly destroyed: boolean;
  };
}

type SendData = (this: RawConnection, data: unknown) => unknown;

const patched = new WeakSet<object>();

/** Wraps `sendData` of `conn`'s class (once per class) so a tick's writes leave in one syscall. */
export function corkWrites(conn: object): void {
  const proto = Object.getPrototypeOf(conn) as { sendData?: SendData } | null;
  if (proto === null || patched.has(proto) || typeof proto.sendData !== 'function') return;
  if (!('socket' in conn)) return;
  patched.add(proto);
  const original = proto.sendData;
  const corked = new WeakSet<object>();
  proto.sendData = function sendData(this: RawConnection, data: unknown): unknown {
    const s = this.socket;
    if (s !== undefined && !s.destroyed && !corked.has(s)) {
      corked.add(s);
      s.cork();
      process.nextTick(() => {
        corked.delete(s);
        s.uncork();
      });
    }
    return original.call(this, data);
  };
}

function corkingUpgrader(u: Upgrader): Upgrader {
  return new Proxy(u, {
    get(target, prop, receiver) {
      if (prop === 'upgradeOutbound' || prop === 'upgradeInbound') {
        const f = Reflect.get(target, prop, receiver) as (c: object, o: unknown) => Promise<unknown>;
        return (conn: object, opts: unknown) => {
          corkWrites(conn);
          return f.call(target, conn, opts);
        };
      }
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** `tcp(init)` whose connections gather each tick's writes into one syscall. */
export function corkedTcp(init?: TCPOptions): (components: TCPComponents) => Transport {
  const factory = tcp(init);
  return (components) => {
    const t = factory(components);
    const dial = t.dial.bind(t);
    const createListener = t.createListener.bind(t);
    t.dial = (ma, opts) => dial(ma, { ...opts, upgrader: corkingUpgrader(opts.upgrader) });
    t.createListener = (opts) => createListener({ ...opts, upgrader: corkingUpgrader(opts.upgrader) });
    return t;
  };
}
