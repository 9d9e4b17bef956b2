// What `vouch registry submit` and `vouch registry cosign` share: the authority server's proposal routes
// (docs/registry.md "Proposals on a server") and how their answers print and end the command.
import { isVouchError, proposalId, validateProposal, type Proposal } from '@vouch/sdk';
import { CliError, EXIT } from '../../../exit.ts';
import { field } from '../../../output.ts';
import { refusalText, type Answer } from '../../token/http.ts';

export const PROPOSALS_PATH = '/v1/registry/proposals';

/** A proposal as the server shows it (`ProposalView` of the registry module). */
export interface ProposalAnswer {
  id: string;
  status: 'pending' | 'applied' | 'stale' | 'expired';
  action: string;
  subject: string | null;
  appliedSequence: number | null;
  quorum?: { met: boolean; signers: string[]; text: string };
  proposal: unknown;
}

// The server's verdicts that a signature does not count: a verification failure (exit 1), not a usage error.
const VERIFICATION_CODES = new Set(['REGISTRY_SIGNATURE_REFUSED']);

/** Returns the answer as a proposal when its status is one of `ok`; otherwise throws the server's `{error, code}`. */
export function expectProposal(answer: Answer, ok: readonly number[]): ProposalAnswer {
  if (ok.includes(answer.status)) return answer.body as ProposalAnswer;
  const b = answer.body as { error?: unknown; code?: unknown } | undefined;
  const code = typeof b?.code === 'string' ? b.code : undefined;
  throw new CliError(
    `the server refused: ${refusalText(answer)}`,
    code !== undefined && VERIFICATION_CODES.has(code) ? EXIT.VERIFICATION_FAILED : EXIT.USAGE,
  );
}

/**
 * The answer, once it is shown to be about `proposal` (whose id is `id`): its `id`, `action`, `subject` and the
 * `proposal` it holds. Otherwise exit 1 — the id printed is the one co-signers sign by, and what is printed after a
 * co-signature must be what was signed, so neither may come from a server's word about another proposal.
 */
export function sameProposal(view: ProposalAnswer, id: string, proposal: Proposal): ProposalAnswer {
  let held: string | undefined;
  if (typeof view === 'object' && view !== null) {
    try {
      held = proposalId(validateProposal(view.proposal, { source: 'the server' }));
    } catch (err) {
      if (!isVouchError(err)) throw err;
    }
  }
  if (held !== id || view.id !== id || view.action !== proposal.action || view.subject !== (proposal.subject ?? null)) {
    throw new CliError(
      `the server answered about another proposal than ${id} (${proposal.action}${proposal.subject === undefined ? '' : ` ${proposal.subject}`}).`,
      EXIT.VERIFICATION_FAILED,
    );
  }
  checkShown(view);
  return view;
}

const STATUSES: ReadonlySet<unknown> = new Set(['pending', 'applied', 'stale', 'expired']);

/**
 * What {@link proposalLine} prints of a view besides what `sameProposal` matched: a known status, the sequence of an
 * applied proposal, and a quorum (when there is one) with its text and signers. A view without them is no answer the
 * server gives (exit 2, the same with `--json`): printed, it ended in a TypeError or showed what the server made up.
 */
function checkShown(view: ProposalAnswer): void {
  const broken = (what: string): never => {
    throw new CliError(`the server's answer holds ${what}.`, EXIT.USAGE);
  };
  if (!STATUSES.has(view.status)) broken('no proposal status');
  if (view.status === 'applied' && !(Number.isSafeInteger(view.appliedSequence) && view.appliedSequence! > 1)) {
    broken('no sequence for the applied proposal');
  }
  const q = view.quorum as { text?: unknown; signers?: unknown } | null | undefined;
  if (q === undefined) return;
  if (
    typeof q !== 'object' ||
    q === null ||
    typeof q.text !== 'string' ||
    !Array.isArray(q.signers) ||
    !q.signers.every((s) => typeof s === 'string')
  ) {
    broken('a quorum without its text and signers');
  }
}

/**
 * One line: the proposal, what it does, and where it stands (a view `sameProposal` accepted). The server's quorum
 * text and signers go through `field`, so that none of them prints a line of its own.
 */
export function proposalLine(p: ProposalAnswer): string {
  const what = `${p.action}${p.subject === null ? '' : ` ${p.subject}`}`;
  if (p.status === 'applied') return `proposal ${p.id} (${what}): applied as sequence ${p.appliedSequence}`;
  const signers =
    p.quorum === undefined || p.quorum.signers.length === 0 ? '' : ` by ${p.quorum.signers.map(field).join(', ')}`;
  const quorum = p.quorum === undefined ? '' : `, ${field(p.quorum.text)}${signers}`;
  return `proposal ${p.id} (${what}): ${p.status}${quorum}`;
}
