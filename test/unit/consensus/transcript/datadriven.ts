/**
 * Transcript files in the manner of etcd's datadriven tests: a command line, a `----` line, the
 * expected output up to a blank line. `#` lines and blank lines between blocks are kept as they
 * are. `render` writes a file back from its blocks with the actual output, so a test compares the
 * whole text (a readable diff) and REWRITE=1 can save it.
 */

/** One command and what it printed (or should print). */
export interface Block {
  /** Comment and blank lines before the command, kept verbatim. */
  readonly before: readonly string[];
  /** 1-based line of the command, for error messages. */
  readonly line: number;
  readonly command: string;
  readonly output: readonly string[];
}

/** A malformed transcript file. */
class TranscriptError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'TranscriptError';
  }
}

/** Splits a transcript into blocks; `tail` holds comment lines after the last one. */
export function parseTranscript(file: string, text: string): { blocks: Block[]; tail: string[] } {
  const lines = text.replace(/\n$/, '').split('\n');
  const blocks: Block[] = [];
  let before: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.startsWith('#')) {
      before.push(line);
      continue;
    }
    if (lines[i + 1] !== '----') throw new TranscriptError(file, i + 2, `expected ---- after "${line}"`);
    const output: string[] = [];
    let j = i + 2;
    for (; j < lines.length && (lines[j] as string) !== ''; j++) output.push(lines[j] as string);
    blocks.push({ before, line: i + 1, command: line, output });
    before = [];
    i = j - 1;
  }
  return { blocks, tail: before };
}

/** The file text for these blocks, each with the given output. */
export function renderTranscript(
  blocks: readonly Block[],
  outputs: readonly string[][],
  tail: string[],
): string {
  const out: string[] = [];
  blocks.forEach((b, i) => {
    out.push(...b.before, b.command, '----', ...(outputs[i] ?? []));
  });
  out.push(...tail);
  return `${out.join('\n')}\n`;
}
