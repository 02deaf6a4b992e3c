/**
 * A public key as a QR code, drawn as SVG rectangles by preact (no innerHTML, no image URL), and
 * reading one from a pasted or chosen image (the `qr` package's decoder on the image's pixels).
 */
import encodeQR from 'qr';
import decodeQR from 'qr/decode.js';

/** The QR text of a public key: `ehrchain-key:<hex>` (the admin page also takes bare hex). */
export const qrTextOf = (publicKeyHex: string): string => `ehrchain-key:${publicKeyHex}`;

/** The QR code of `text`, `size` CSS pixels square. */
export function QrCode({ text, size = 192, label }: { text: string; size?: number; label: string }) {
  const grid = encodeQR(text, 'raw', { ecc: 'medium', border: 2 });
  const n = grid.length;
  const cells: preact.JSX.Element[] = [];
  grid.forEach((row, y) => {
    row.forEach((on, x) => {
      if (on) cells.push(<rect key={`${x}-${y}`} x={x} y={y} width={1} height={1} />);
    });
  });
  return (
    <svg class="qr" viewBox={`0 0 ${n} ${n}`} width={size} height={size} role="img" aria-label={label}>
      <rect x={0} y={0} width={n} height={n} fill="#fff" />
      <g fill="#000">{cells}</g>
    </svg>
  );
}

/** The text of the QR code in an image file (a photo or screenshot), or null if none is found. */
export async function readQrImage(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (ctx === null) return null;
  ctx.drawImage(bitmap, 0, 0);
  const img = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  try {
    return decodeQR({ width: img.width, height: img.height, data: img.data });
  } catch {
    return null;
  }
}
