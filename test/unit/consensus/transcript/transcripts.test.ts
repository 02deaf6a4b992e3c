/**
 * Raft scenarios as transcripts (testdata/*.txt, after etcd's testdata): each file is replayed
 * command by command through TranscriptEnv and must print exactly what it records. After a
 * deliberate behaviour change, `REWRITE=1 npx vitest run test/unit/consensus/transcript` rewrites the
 * files so the change shows up as a reviewable diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTranscript, renderTranscript } from './datadriven.js';
import { TranscriptEnv } from './env.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();

describe('raft transcripts', () => {
  it('there are transcripts to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      const { blocks, tail } = parseTranscript(file, text);
      const env = new TranscriptEnv();
      const outputs = blocks.map((b) => {
        try {
          return env.run(b.command);
        } catch (err) {
          throw new Error(`${file}:${b.line}: ${b.command}: ${(err as Error).message}`);
        }
      });
      const actual = renderTranscript(blocks, outputs, tail);
      if (process.env.REWRITE === '1') writeFileSync(path, actual);
      else expect(actual).toBe(text);
    });
  }
});

describe('transcript files', () => {
  it('a command must be followed by ----; the error names the file and line', () => {
    expect(() => parseTranscript('x.txt', '# c\ncampaign 1\nok\n')).toThrow(
      'x.txt:3: expected ---- after "campaign 1"',
    );
  });

  it('rendering the parsed blocks with their own outputs gives the file back', () => {
    const text = '# c\n\nadd-nodes 1\n----\n1: follower\n\nraft-state\n----\nok\n';
    const { blocks, tail } = parseTranscript('x.txt', text);
    expect(
      renderTranscript(
        blocks,
        blocks.map((b) => [...b.output]),
        tail,
      ),
    ).toBe(text);
  });
});
