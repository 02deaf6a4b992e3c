import { describe, expect, it } from 'vitest';
import { baselineOf, compareToBaseline, formatCheck } from '../../../test/perf/cases/baseline.js';

const result = (name: string, cpuUsPerOp: number) => ({ name, cpuUsPerOp, wallUsPerOp: 0, rounds: 5 });
const baseline = baselineOf([result('verify', 100), result('apply', 50)], 1000, {
  at: '2026-01-01T00:00:00Z',
  node: 'v20',
  cpu: 'test',
});

describe('perf regression check (npm run bench:check)', () => {
  it.each([
    ['same figures, same machine speed', 100, 1000, 1, 'ok'],
    ['1.4x slower, same machine speed', 140, 1000, 1.4, 'ok'],
    ['1.6x slower, same machine speed', 160, 1000, 1.6, 'worse'],
    ['2x slower on a machine 2x slower today', 200, 2000, 1, 'ok'],
    ['same figure on a machine 2x faster today: a regression', 100, 500, 2, 'worse'],
  ] as const)('%s', (_, now, calibration, ratio, verdict) => {
    const [row] = compareToBaseline(baseline, [result('verify', now)], calibration, 1.5);
    expect(row).toMatchObject({ ratio, verdict, baselineUs: 100, nowUs: now });
  });

  it('a case missing from the baseline is new, not a failure', () => {
    const [row] = compareToBaseline(baseline, [result('store', 5)], 1000, 1.5);
    expect(row).toEqual({ name: 'store', baselineUs: null, nowUs: 5, ratio: null, verdict: 'new' });
  });

  it('prints one line per case with its verdict', () => {
    const text = formatCheck(
      compareToBaseline(baseline, [result('verify', 160), result('apply', 50)], 1000, 1.5),
      1.5,
    );
    expect(text).toMatch(/verify\s+100\s+160\s+1.6x\s+WORSE \(> 1.5x\)/);
    expect(text).toMatch(/apply\s+50\s+50\s+1x\s+ok/);
  });
});
