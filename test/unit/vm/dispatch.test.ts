import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Op } from '../../../vm/isa.js';

// The interpreter's switches name opcodes by number (a switch over number literals compiles to a
// jump table; one over `Op.X` compares case by case), each with its name in a comment.
const FILES = ['vm/interpreter.ts', 'vm/ops.ts'];
const CASE_RE = /case (0x[0-9a-f]+):\s*(?:\{\s*)?\/\/ Op\.(\w+)/g;

describe('opcode dispatch', () => {
  for (const file of FILES) {
    it(`${file}: every case label is a literal whose comment names the opcode with that number`, () => {
      const src = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
      const labels = [...src.matchAll(/case ([^:]+):/g)].map((m) => m[1]);
      const named = [...src.matchAll(CASE_RE)];
      expect(labels.length).toBeGreaterThan(10);
      expect(named.length).toBe(labels.length);
      for (const [, num, name] of named) {
        expect(Op[name as keyof typeof Op], `${name} is ${num}`).toBe(Number(num));
      }
    });
  }
});
