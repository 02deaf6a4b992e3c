/**
 * A tick's writes on a TCP connection leave in one syscall (node/p2p/tcp-cork.ts): the socket is
 * corked at the first write of a tick and uncorked on the next, with every chunk in between, in
 * order; a destroyed socket is left alone.
 */
import { describe, expect, it } from 'vitest';
import { corkWrites } from '../../../node/p2p/tcp-cork.js';

/** A stand-in for @libp2p/tcp's connection: writes each chunk of what it is given. */
class FakeConnection {
  readonly calls: string[] = [];
  readonly socket = {
    destroyed: false,
    cork: () => this.calls.push('cork'),
    uncork: () => this.calls.push('uncork'),
    write: (chunk: string) => this.calls.push(`write ${chunk}`),
  };
  sendData(data: readonly string[]): { sentBytes: number } {
    for (const c of data) this.socket.write(c);
    return { sentBytes: data.length };
  }
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('corkWrites', () => {
  it('gathers the writes of one tick between one cork and one uncork', async () => {
    const c = new FakeConnection();
    corkWrites(c);
    c.sendData(['len1', 'record1']);
    c.sendData(['len2', 'record2']);
    await nextTick();
    c.sendData(['len3', 'record3']);
    await nextTick();
    expect(c.calls).toEqual([
      'cork',
      'write len1',
      'write record1',
      'write len2',
      'write record2',
      'uncork',
      'cork',
      'write len3',
      'write record3',
      'uncork',
    ]);
  });

  it('wraps the class once, for every connection of it, and returns what sendData returns', async () => {
    const a = new FakeConnection();
    const b = new FakeConnection();
    corkWrites(a);
    corkWrites(b);
    expect(b.sendData(['x'])).toEqual({ sentBytes: 1 });
    await nextTick();
    expect(b.calls).toEqual(['cork', 'write x', 'uncork']);
  });

  it('leaves a destroyed socket alone', () => {
    const c = new FakeConnection();
    corkWrites(c);
    c.socket.destroyed = true;
    c.sendData(['x']);
    expect(c.calls).toEqual(['write x']);
  });
});
