/**
 * The demo seeding's journal: each finished step's result, written after the step, so a devnet
 * stopped half-way resumes where it stopped; and the marker written once every step is done.
 * Both live under `<devnet>/demo/` (docs/devnet.md).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A step's result as stored: plain JSON. */
export type StepResult = string | number | boolean | null | StepResult[] | { [k: string]: StepResult };

/** What the journal file holds. */
export interface JournalData {
  readonly chainId: string;
  /** YYYY-MM-DD: the synthetic records' "today", fixed at the first seeding. */
  readonly referenceDate: string;
  readonly steps: Record<string, StepResult>;
}

/** The journal of one devnet directory. */
export class Journal {
  readonly file: string;
  readonly marker: string;
  // Steps of parallel chains finish together: their writes go one after the other.
  #writing: Promise<void> = Promise.resolve();

  private constructor(
    dir: string,
    readonly data: JournalData,
  ) {
    this.file = join(dir, 'demo', 'journal.json');
    this.marker = join(dir, 'demo', 'seeded.json');
  }

  /** Opens the journal of `dir`, or starts one; refuses a journal of another chain. */
  static async open(dir: string, chainId: string, referenceDate: string): Promise<Journal> {
    const file = join(dir, 'demo', 'journal.json');
    if (!existsSync(file)) return new Journal(dir, { chainId, referenceDate, steps: {} });
    const data = JSON.parse(await readFile(file, 'utf8')) as JournalData;
    if (data.chainId !== chainId)
      throw new Error(`${file} belongs to chain ${data.chainId}, not ${chainId}: delete it to seed again`);
    return new Journal(dir, data);
  }

  /** Is the seeding complete (the marker exists)? */
  static isSeeded(dir: string): boolean {
    return existsSync(join(dir, 'demo', 'seeded.json'));
  }

  has(step: string): boolean {
    return Object.hasOwn(this.data.steps, step);
  }

  get(step: string): StepResult | undefined {
    return this.data.steps[step];
  }

  /** Records a finished step (written to disk before this resolves). */
  async put(step: string, result: StepResult): Promise<void> {
    this.data.steps[step] = result;
    const text = `${JSON.stringify(this.data, null, 2)}\n`;
    this.#writing = this.#writing.then(() => writeAtomic(this.file, text));
    await this.#writing;
  }

  /** Writes the marker: seeding is complete; later runs skip it. */
  async finish(summary: StepResult): Promise<void> {
    await writeAtomic(this.marker, `${JSON.stringify({ chainId: this.data.chainId, summary }, null, 2)}\n`);
  }
}

// Write then rename, so a devnet killed mid-write leaves the old file or the new one, never half.
async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}
