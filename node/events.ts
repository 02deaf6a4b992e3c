/** The node's event bus: what the HTTP event stream (and, later, per-person streams) listens to. */
import { EventEmitter } from 'node:events';
import type { NodeEvent } from '../protocol/api.js';

export type NodeEvents = EventEmitter<{ event: [NodeEvent] }>;

export function createNodeEvents(): NodeEvents {
  return new EventEmitter<{ event: [NodeEvent] }>();
}
