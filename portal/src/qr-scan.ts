/**
 * Where a camera scan of a public-key QR code stands, and the sentence the admin reads for each
 * state. Pure: camera-qr.tsx feeds it getUserMedia's failures and each frame's decoded text.
 */
import { publicKeyFromText } from './text.js';

/** A camera scan's state. */
export type ScanState =
  | { readonly state: 'idle' }
  | { readonly state: 'starting' }
  /** The camera runs; no QR code seen yet. */
  | { readonly state: 'scanning' }
  /** A QR code was read but holds no public key. */
  | { readonly state: 'wrong'; readonly text: string }
  | { readonly state: 'found'; readonly key: string }
  | { readonly state: 'refused' }
  | { readonly state: 'no-camera' }
  | { readonly state: 'busy' }
  /** No getUserMedia: not https nor localhost, or an old browser. */
  | { readonly state: 'unsupported' }
  | { readonly state: 'failed'; readonly message: string };

/** The state after getUserMedia failed with `err` (a DOMException, by its name). */
export function cameraErrorState(err: unknown): ScanState {
  const name = (err as { name?: unknown })?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return { state: 'refused' };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { state: 'no-camera' };
    case 'NotReadableError':
      return { state: 'busy' };
    default:
      return { state: 'failed', message: String((err as { message?: unknown })?.message ?? err) };
  }
}

/** The state after a frame: `text` is what the frame's QR code says, null if none was found. */
export function scanResult(text: string | null): ScanState {
  if (text === null) return { state: 'scanning' };
  const key = publicKeyFromText(text);
  return key === null ? { state: 'wrong', text } : { state: 'found', key };
}

const MAX_SHOWN = 40;

/** What the admin reads for a state (null: nothing to say). */
export function scanSentence(s: ScanState): string | null {
  switch (s.state) {
    case 'idle':
      return null;
    case 'starting':
      return 'Starting the camera…';
    case 'scanning':
      return 'No QR code found yet: hold the code steady in front of the camera.';
    case 'wrong': {
      const shown = s.text.length > MAX_SHOWN ? `${s.text.slice(0, MAX_SHOWN)}…` : s.text;
      return `That QR code holds no public key (it reads "${shown}"). Ask the person to show the code under their key.`;
    }
    case 'found':
      return 'Public key read from the camera.';
    case 'refused':
      return 'The camera was refused. Allow it in the browser (the camera icon by the address), or paste the text or choose a picture instead.';
    case 'no-camera':
      return 'No camera was found on this device. Paste the text or choose a picture instead.';
    case 'busy':
      return 'The camera is in use by another program.';
    case 'unsupported':
      return 'This browser cannot use a camera on this page (browsers allow it only over https or on localhost). Paste the text or choose a picture instead.';
    case 'failed':
      return `The camera could not start: ${s.message}`;
  }
}
