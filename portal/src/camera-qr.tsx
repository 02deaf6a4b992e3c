/**
 * Reading a person's public-key QR code with the camera, on the admin's register page:
 * getUserMedia (the rear camera when there is one), frames drawn on a canvas a few times a
 * second and decoded by the `qr` package's decoder, the same that reads a chosen picture
 * (qr.tsx). Nothing leaves the page; the states are qr-scan.ts's.
 */

import { useEffect, useRef, useState } from 'preact/hooks';
import decodeQR from 'qr/decode.js';
import { cameraErrorState, type ScanState, scanResult, scanSentence } from './qr-scan.js';

const EVERY_MS = 200;
// Frames are scaled down to this width before decoding: enough for a key's QR, fast on a phone.
const MAX_WIDTH = 640;

function decodeFrame(video: HTMLVideoElement, canvas: HTMLCanvasElement): string | null {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (w === 0 || h === 0) return null;
  const scale = Math.min(1, MAX_WIDTH / w);
  canvas.width = Math.round(w * scale);
  canvas.height = Math.round(h * scale);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx === null) return null;
  ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  try {
    return decodeQR({ width: img.width, height: img.height, data: img.data });
  } catch {
    return null; // no QR code in this frame
  }
}

/** A button that opens the camera and calls `onText` with the first QR text holding a public key. */
export function CameraQr({ onText }: { onText: (text: string) => void }) {
  const [scan, setScan] = useState<ScanState>({ state: 'idle' });
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const canvas = useRef<HTMLCanvasElement | null>(null);

  const stop = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    for (const t of stream.current?.getTracks() ?? []) t.stop();
    stream.current = null;
    if (video.current !== null) video.current.srcObject = null;
  };
  useEffect(() => stop, []);

  const tick = () => {
    const v = video.current;
    if (v === null || stream.current === null) return;
    canvas.current ??= document.createElement('canvas');
    const text = decodeFrame(v, canvas.current);
    const next = scanResult(text);
    if (next.state === 'found' && text !== null) {
      stop();
      setScan(next);
      onText(text);
      return;
    }
    // A wrong code stays on screen until a frame shows another code.
    setScan((prev) => (next.state === 'scanning' && prev.state === 'wrong' ? prev : next));
    timer.current = setTimeout(tick, EVERY_MS);
  };

  const start = async () => {
    if (navigator.mediaDevices?.getUserMedia === undefined) {
      setScan({ state: 'unsupported' });
      return;
    }
    setScan({ state: 'starting' });
    try {
      const s = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: 'environment' } },
        audio: false,
      });
      stream.current = s;
      const v = video.current;
      if (v === null) return stop();
      v.srcObject = s;
      await v.play();
      setScan({ state: 'scanning' });
      tick();
    } catch (err) {
      stop();
      setScan(cameraErrorState(err));
    }
  };

  const running = scan.state === 'starting' || scan.state === 'scanning' || scan.state === 'wrong';
  const sentence = scanSentence(scan);
  const bad = !running && scan.state !== 'found' && scan.state !== 'idle';
  return (
    <div class="stack camera-qr" id="camera-qr">
      <div class="row">
        {running ? (
          <button
            type="button"
            class="secondary"
            id="cam-stop"
            onClick={() => {
              stop();
              setScan({ state: 'idle' });
            }}
          >
            Stop the camera
          </button>
        ) : (
          <button type="button" class="secondary" id="cam-start" onClick={() => void start()}>
            or scan their QR code with the camera
          </button>
        )}
      </div>
      {/* Kept in the page (hidden when idle) so the stream has somewhere to play. */}
      <video ref={video} muted playsInline hidden={!running} aria-label="Camera view" />
      {sentence === null ? null : (
        <p
          class={bad || scan.state === 'wrong' ? 'error' : 'muted'}
          role={bad ? 'alert' : 'status'}
          data-scan={scan.state}
        >
          {sentence}
        </p>
      )}
    </div>
  );
}
