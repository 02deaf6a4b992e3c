/** RaftConfig defaults and validation. */
import { describe, expect, it } from 'vitest';
import { RaftError } from '../../../consensus/errors.js';
import { defaultRaftOptions, validateRaftConfig } from '../../../consensus/options.js';
import { Raft } from '../../../consensus/raft.js';
import { MemoryStorage } from '../../../consensus/storage.js';
import type { RaftConfig } from '../../../consensus/types.js';

const base = (): RaftConfig => ({
  ...defaultRaftOptions,
  id: 'a',
  storage: new MemoryStorage({ voters: ['a'] }),
  random: () => 0,
});

describe('options', () => {
  it('the defaults validate', () => {
    expect(() => validateRaftConfig(base())).not.toThrow();
  });

  it('rejects nonsense with RaftError invalid_config', () => {
    const bad: Partial<RaftConfig>[] = [
      { id: '' },
      { electionTick: 1, heartbeatTick: 1 },
      { heartbeatTick: 0 },
      { electionTick: 2.5 },
      { maxInflightMsgs: 0 },
      { maxSizePerMsg: 0 },
      { maxUncommittedBytes: -1 },
      { applied: -1 },
      { random: undefined as unknown as () => number },
    ];
    for (const b of bad) {
      try {
        validateRaftConfig({ ...base(), ...b });
        expect.unreachable(JSON.stringify(b));
      } catch (e) {
        expect(e).toBeInstanceOf(RaftError);
        expect((e as RaftError).code).toBe('invalid_config');
      }
    }
  });

  it('the Raft constructor validates, and refuses applied beyond the stored commit', () => {
    expect(() => new Raft({ ...base(), heartbeatTick: 0 })).toThrow(RaftError);
    expect(() => new Raft({ ...base(), applied: 3 })).toThrow(/applied/);
  });
});
