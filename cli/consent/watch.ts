/**
 * `ehrchain consent watch --actor <id>`: follows one actor's notifications (docs/notify.md) from a
 * node and prints one line per event (or the event's JSON with --json), resuming with
 * --last-event-id and after every drop with the last id seen.
 */
import type { Command } from 'commander';
import type { ActorEvent } from '../../protocol/notify.js';

const short = (id: string | undefined): string =>
  id === undefined || id === '' ? '-' : `${id.slice(0, 12)}…`;

/** One human line for an event. */
function eventLine(e: ActorEvent): string {
  const when = new Date(e.at).toISOString();
  const head = `${e.id.padEnd(10)} ${when} ${e.type.padEnd(19)}`;
  switch (e.type) {
    case 'request.received':
      return `${head} request #${e.requestId} from ${short(e.by)} (${e.reason ?? ''}), expires ${e.expiresAt === undefined ? '?' : new Date(e.expiresAt).toISOString()}`;
    case 'request.approved':
      return `${head} request #${e.requestId} approved by ${short(e.by)}: grant #${e.grantId ?? '?'}`;
    case 'request.denied':
      return `${head} request #${e.requestId} denied by ${short(e.by)} (${e.reason ?? ''})`;
    case 'request.withdrawn':
      return `${head} request #${e.requestId} withdrawn by ${short(e.by)}`;
    case 'request.lapsed':
      return `${head} request #${e.requestId} lapsed unanswered`;
    case 'grant.given':
    case 'grant.revoked':
      return `${head} grant #${e.grantId} ${e.grantee === undefined ? '' : `to ${e.grantee} `}by ${short(e.by)}`;
    case 'grant.expiring':
      return `${head} grant #${e.grantId} ends ${new Date(e.expiresAt ?? 0).toISOString()}`;
    case 'record.read':
    case 'emergency.read':
      return `${head} ${short(e.recordId)} v${e.version} read by ${short(e.by)} for ${e.purpose} (${e.reason}) via ${short(e.via)}`;
    case 'emergency.requested':
      return `${head} emergency #${e.emergencyId} requested by ${short(e.by)} (${e.reason ?? ''})`;
    case 'emergency.cosigned':
      return `${head} emergency #${e.emergencyId} of ${short(e.requester)} co-signed by ${short(e.by)}`;
    case 'record.version':
      return `${head} ${short(e.recordId)} v${e.version} (${e.category ?? ''}) by ${short(e.by)}`;
    case 'record.attested':
      return `${head} ${short(e.recordId)} v${e.version} ${e.kind ?? ''} by ${short(e.by)}`;
    case 'research.disclosed':
      return `${head} released in research export ${short(e.exportId)} by ${short(e.by)} to ${short(e.researcher)}`;
    case 'consent.consulted': {
      const what = e.recordId === undefined ? (e.category ?? '') : `${short(e.recordId)} v${e.version}`;
      return `${head} asked whether ${short(e.by)} may ${e.action} ${what} for ${e.purpose}: ${e.reason} (via ${short(e.via)})`;
    }
  }
}

/** Registers `watch` under `ehrchain consent` (creating the group if no other command did). */
export function addConsentWatchCommand(program: Command): void {
  const consent =
    program.commands.find((c) => c.name() === 'consent') ??
    program.command('consent').description('consent: requests, grants and notifications');
  consent
    .command('watch')
    .description("print one actor's notifications as they happen (Ctrl-C to stop)")
    .requiredOption('--actor <id>', 'the actor id to follow (64 hex: sha256 of its public key)')
    .option('--url <url>', 'node HTTP API', 'http://127.0.0.1:8080')
    .option('--json', 'print each event as one JSON line')
    .option('--last-event-id <id>', 'resume after this event id')
    .action(async (o: { actor: string; url: string; json?: boolean; lastEventId?: string }) => {
      if (!/^[0-9a-fA-F]{64}$/.test(o.actor)) throw new Error('--actor: expected 64 hex characters');
      const { EhrClient } = await import('../../client/client.js');
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      const it = new EhrClient(o.url).followActor(o.actor.toLowerCase(), {
        signal: abort.signal,
        ...(o.lastEventId === undefined ? {} : { lastEventId: o.lastEventId }),
      });
      for await (const item of it) {
        if (item.kind === 'reset') {
          const r = item.reset;
          if (o.json === true) console.log(JSON.stringify({ type: 'reset', ...r }));
          else
            console.log(
              `reset: could not replay everything after ${r.since} (${r.reason}); resuming from ${r.from ?? 'now'}`,
            );
        } else console.log(o.json === true ? JSON.stringify(item.event) : eventLine(item.event));
      }
    });
}
