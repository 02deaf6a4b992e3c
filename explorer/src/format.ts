/** Pure helpers: hex, printable text, the VM's int and pack encodings, times and numbers. */

export const HASH_RE = /^(0x)?[0-9a-fA-F]{64}$/;

export function fromHex(hex: string): Uint8Array {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || /[^0-9a-fA-F]/.test(h)) throw new RangeError('not hex');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** The bytes as text when they are valid UTF-8 made of printable characters (and not empty). */
export function printable(b: Uint8Array): string | null {
  if (b.length === 0) return null;
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return null;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/.test(s) ? null : s;
}

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The VM's int: 8 bytes big-endian two's complement, a safe integer (null otherwise). */
export function decodeInt(b: Uint8Array | undefined): number | null {
  if (b === undefined || b.length !== 8) return null;
  const v = new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0);
  return v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(v);
}

export function encodeInt(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(n));
  return out;
}

/** The fields of a packed value (2-byte big-endian length, then the bytes; no count). */
export function unpack(v: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < v.length) {
    if (i + 2 > v.length) throw new RangeError('malformed packed value');
    const n = ((v[i] ?? 0) << 8) | (v[i + 1] ?? 0);
    if (i + 2 + n > v.length) throw new RangeError('malformed packed value');
    out.push(v.subarray(i + 2, i + 2 + n));
    i += 2 + n;
  }
  return out;
}

/** Shortens a long hex string for display: `abcd1234…9f0e`. */
export function short(hex: string, head = 8, tail = 4): string {
  return hex.length <= head + tail + 1 ? hex : `${hex.slice(0, head)}…${hex.slice(-tail)}`;
}

/** ISO-like local date and time with ms, e.g. `2024-05-01 12:03:04.123`. */
export function dateTime(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '—';
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
  );
}

/** "3 s ago", "2 min ago", "just now". */
export function ago(ms: number, now = Date.now()): string {
  const s = Math.round((now - ms) / 1000);
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A number with thousands separators and at most `digits` decimals. */
export function num(n: number | undefined | null, digits = 0): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function bytesSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
