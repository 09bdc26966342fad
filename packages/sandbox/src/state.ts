// Every imitation's per-user data, readable by tests (`sandbox.state.slack.messages('alice', 'general')`).
// The gateway must reach the imitations over HTTP only; this is for assertions and seeding checks.

import type { SanityState } from './mcp/state.ts';
import type { AcmeCrmState } from './providers/acmecrm.ts';
import type { GithubState } from './providers/github/state.ts';
import type { CalendarState } from './providers/google/calendar-state.ts';
import type { GmailState } from './providers/google/gmail-state.ts';
import type { NotionState } from './providers/notion/state.ts';
import type { SlackState } from './providers/slack/state.ts';
import type { TicketDeskState } from './providers/ticketdesk.ts';

export interface SandboxState {
  gmail: GmailState;
  googlecalendar: CalendarState;
  slack: SlackState;
  github: GithubState;
  notion: NotionState;
  acmecrm: AcmeCrmState;
  ticketdesk: TicketDeskState;
  sanitymcp: SanityState;
}
