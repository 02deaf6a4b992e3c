/** How transcripts print messages, entries and Readies: one short line per thing, no blank lines. */
import { decodeConfChange } from '../../../../consensus/confchange.js';
import type { Entry, Message, Ready } from '../../../../consensus/types.js';
import { EntryType } from '../../../../consensus/types.js';

const dec = new TextDecoder();

/** `3/1 "hello"` (index/term data), or `4/2 conf addVoter 4` for a membership change. */
export function formatEntry(e: Entry): string {
  if (e.type === EntryType.ConfChange) {
    const cc = decodeConfChange(e.data);
    return `${e.index}/${e.term} conf ${cc.type} ${cc.node}`;
  }
  return `${e.index}/${e.term} ${JSON.stringify(dec.decode(e.data))}`;
}

/** `1->2 append term=1 prev=0/0 commit=0 entries=[1/1 ""]`. */
export function formatMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'vote':
      return `${head} last=${m.lastLogIndex}/${m.lastLogTerm}${m.transfer ? ' transfer' : ''}`;
    case 'preVote':
      return `${head} last=${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'voteResp':
    case 'preVoteResp':
      return `${head} ${m.reject ? 'rejected' : 'granted'}`;
    case 'append': {
      const ents = m.entries.length > 0 ? ` entries=[${m.entries.map(formatEntry).join(', ')}]` : '';
      return `${head} prev=${m.prevIndex}/${m.prevTerm} commit=${m.commit}${ents}`;
    }
    case 'appendResp':
      return m.reject
        ? `${head} rejected index=${m.index} hint=${m.rejectHint}/${m.hintTerm}`
        : `${head} index=${m.index}`;
    case 'heartbeat':
      return `${head} commit=${m.commit}`;
    case 'snapshot':
      return `${head} snapshot=${m.snapshot.meta.index}/${m.snapshot.meta.term}`;
    default:
      return head;
  }
}

/** The Ready's parts that are present except messages, one per line, indented under the node's header. */
export function formatReady(rd: Ready): string[] {
  const out: string[] = [];
  if (rd.softState) out.push(`  soft: role=${rd.softState.role} leader=${rd.softState.leader ?? 'none'}`);
  if (rd.hardState) {
    const h = rd.hardState;
    out.push(`  hard: term=${h.term} vote=${h.vote ?? 'none'} commit=${h.commit}`);
  }
  if (rd.snapshot) out.push(`  snapshot: ${rd.snapshot.meta.index}/${rd.snapshot.meta.term}`);
  if (rd.entries.length > 0) out.push(`  entries: ${rd.entries.map(formatEntry).join(', ')}`);
  if (rd.committedEntries.length > 0) {
    out.push(`  committed: ${rd.committedEntries.map(formatEntry).join(', ')}`);
  }
  return out;
}
