// Gmail API v1 imitation (base https://gmail.googleapis.com): users.messages.list/get/send,
// users.messages.attachments.get, users.labels.list, users.getProfile. Shapes from google/gmail-v1.json.

import type { Context } from 'hono';
import { Hono } from 'hono';
import type { TokenVerifier } from '../../auth/verify.ts';
import { badRequest, googleAuth, googleError, googleJson, notFound } from './common.ts';
import { compileQuery, queryMentionsSpamOrTrash } from './gmail-query.ts';
import type { GmailMessage, GmailState, Mailbox } from './gmail-state.ts';
import { addresses, header, isValidAddress, type MimePart, rfc2822Date, textOf } from './mime.ts';

const M = 'https://mail.google.com/';
const G = 'https://www.googleapis.com/auth/gmail.';
// Accepted scopes per method, as listed in gmail-v1.json.
export const GMAIL_METHOD_SCOPES = {
  'users.messages.list': [M, `${G}metadata`, `${G}modify`, `${G}readonly`],
  'users.messages.get': [
    M,
    `${G}addons.current.message.action`,
    `${G}addons.current.message.metadata`,
    `${G}addons.current.message.readonly`,
    `${G}metadata`,
    `${G}modify`,
    `${G}readonly`,
  ],
  'users.messages.send': [M, `${G}addons.current.action.compose`, `${G}compose`, `${G}modify`, `${G}send`],
  'users.messages.attachments.get': [
    M,
    `${G}addons.current.message.action`,
    `${G}addons.current.message.readonly`,
    `${G}modify`,
    `${G}readonly`,
  ],
  'users.labels.list': [M, `${G}labels`, `${G}metadata`, `${G}modify`, `${G}readonly`],
  'users.getProfile': [M, `${G}compose`, `${G}metadata`, `${G}modify`, `${G}readonly`],
} as const;
type Method = keyof typeof GMAIL_METHOD_SCOPES;
const RPC: Record<Method, string> = {
  'users.messages.list': 'caribou.api.proto.MailboxService.ListMessages',
  'users.messages.get': 'caribou.api.proto.MailboxService.GetMessage',
  'users.messages.send': 'caribou.api.proto.MailboxService.SendMessage',
  'users.messages.attachments.get': 'caribou.api.proto.MailboxService.GetAttachment',
  'users.labels.list': 'caribou.api.proto.MailboxService.ListLabels',
  'users.getProfile': 'caribou.api.proto.MailboxService.GetProfile',
};

/** Standard base64url with padding, as Gmail returns `raw` and `body.data`. */
export const b64url = (buf: Buffer) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

function snippetOf(m: GmailMessage): string {
  const text = textOf(m.parsed).replace(/\s+/g, ' ').trim().slice(0, 160);
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function payloadOf(part: MimePart, partId: string, messageId: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    partId,
    mimeType: part.mimeType,
    filename: part.filename,
    headers: part.headers.map((h) => ({ name: h.name, value: h.value })),
  };
  if (part.parts.length) {
    out['body'] = { size: 0 };
    out['parts'] = part.parts.map((p, i) => payloadOf(p, partId ? `${partId}.${i}` : String(i), messageId));
  } else if (part.filename) {
    out['body'] = {
      attachmentId: `ANGjdJ${b64url(Buffer.from(`${messageId}/${partId}`)).replace(/=/g, '')}`,
      size: part.body.length,
    };
  } else {
    out['body'] = { size: part.body.length, ...(part.body.length ? { data: b64url(part.body) } : {}) };
  }
  return out;
}

export function messageResource(
  m: GmailMessage,
  format: string,
  metadataHeaders: string[],
): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: m.id,
    threadId: m.threadId,
    labelIds: [...m.labelIds],
    snippet: snippetOf(m),
    sizeEstimate: m.raw.length,
    historyId: String(m.historyId),
    internalDate: String(m.internalDate),
  };
  if (format === 'raw') return { ...base, raw: b64url(m.raw) };
  if (format === 'minimal') return base;
  if (format === 'metadata') {
    const wanted = metadataHeaders.map((h) => h.toLowerCase());
    const headers = m.parsed.headers.filter((h) => !wanted.length || wanted.includes(h.name.toLowerCase()));
    return { ...base, payload: { partId: '', mimeType: m.parsed.mimeType, filename: '', headers } };
  }
  return { ...base, payload: payloadOf(m.parsed, '', m.id) };
}

function decodeRaw(value: string): Buffer {
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** What Gmail does to a message before sending: From is the sender, Date and Message-ID are filled in. */
function normalizeOutgoing(raw: Buffer, box: Mailbox): Buffer {
  const text = raw.toString('utf8');
  const split = /\r?\n\r?\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  const body = split ? text.slice(split.index) : '\r\n\r\n';
  const lines = head.split(/\r?\n(?![ \t])/).filter((l) => !/^from:/i.test(l));
  const from = `From: ${box.user.displayName} <${box.user.email}>`;
  const extra = [from];
  if (!lines.some((l) => /^date:/i.test(l))) extra.push(`Date: ${rfc2822Date(new Date())}`);
  if (!lines.some((l) => /^message-id:/i.test(l))) {
    extra.push(
      `Message-ID: <${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@mail.example.com>`,
    );
  }
  return Buffer.from([...extra, ...lines].join('\r\n') + body);
}

export function createGmailApp(state: GmailState, verify: TokenVerifier): Hono {
  const app = new Hono();
  const service = 'gmail.googleapis.com';

  async function authorize(c: Context, method: Method): Promise<Mailbox | Response> {
    const auth = await googleAuth(c, verify, [...GMAIL_METHOD_SCOPES[method]], service, RPC[method]);
    if (!auth.ok) return auth.response;
    const box = state.mailbox(auth.check.user);
    const userId = c.req.param('userId') ?? 'me';
    if (userId !== 'me' && userId.toLowerCase() !== box.user.email) {
      const message = `Delegation denied for ${box.user.email}`;
      return googleError(c, 403, message, [{ message, domain: 'global', reason: 'forbidden' }], {
        status: 'PERMISSION_DENIED',
      });
    }
    return box;
  }

  app.get('/gmail/v1/users/:userId/profile', async (c) => {
    const box = await authorize(c, 'users.getProfile');
    if (box instanceof Response) return box;
    const maxHistory = Math.max(...box.messages.map((m) => m.historyId));
    return googleJson(c, {
      emailAddress: box.user.email,
      messagesTotal: box.messages.length,
      threadsTotal: new Set(box.messages.map((m) => m.threadId)).size,
      historyId: String(maxHistory),
    });
  });

  app.get('/gmail/v1/users/:userId/labels', async (c) => {
    const box = await authorize(c, 'users.labels.list');
    if (box instanceof Response) return box;
    return googleJson(c, { labels: box.labels.map((l) => ({ ...l })) });
  });

  app.get('/gmail/v1/users/:userId/messages', async (c) => {
    const box = await authorize(c, 'users.messages.list');
    if (box instanceof Response) return box;
    const maxRaw = c.req.query('maxResults');
    const max = maxRaw === undefined ? 100 : Number(maxRaw);
    if (!Number.isInteger(max) || max < 0) {
      return badRequest(c, `Invalid value at 'max_results' (TYPE_UINT32), "${maxRaw}"`);
    }
    const q = c.req.query('q') ?? '';
    const labelIds = c.req.queries('labelIds') ?? [];
    const includeSpamTrash = c.req.query('includeSpamTrash') === 'true' || queryMentionsSpamOrTrash(q);
    const matches = compileQuery(q, box.labels, Date.now());
    const found = state
      .messages(box.user.name)
      .filter((m) => includeSpamTrash || !m.labelIds.some((l) => l === 'SPAM' || l === 'TRASH'))
      .filter((m) => labelIds.every((l) => m.labelIds.includes(l)))
      .filter(matches);
    const pageToken = c.req.query('pageToken');
    const offset = pageToken ? Number.parseInt(Buffer.from(pageToken, 'base64url').toString('utf8'), 10) : 0;
    if (!Number.isInteger(offset) || offset < 0) return badRequest(c, 'Invalid pageToken');
    const size = Math.min(max === 0 ? 100 : max, 500);
    const page = found.slice(offset, offset + size);
    const body: Record<string, unknown> = {};
    if (page.length) body['messages'] = page.map((m) => ({ id: m.id, threadId: m.threadId }));
    if (offset + size < found.length)
      body['nextPageToken'] = Buffer.from(String(offset + size)).toString('base64url');
    body['resultSizeEstimate'] = found.length;
    return googleJson(c, body);
  });

  app.get('/gmail/v1/users/:userId/messages/:id', async (c) => {
    const box = await authorize(c, 'users.messages.get');
    if (box instanceof Response) return box;
    const format = c.req.query('format') ?? 'full';
    if (!['full', 'metadata', 'minimal', 'raw'].includes(format)) {
      return badRequest(
        c,
        `Invalid value at 'format' (type.googleapis.com/caribou.api.proto.MessageFormat), "${format}"`,
      );
    }
    const id = c.req.param('id');
    if (!/^[0-9a-f]+$/i.test(id)) return badRequest(c, 'Invalid id value');
    const message = box.messages.find((m) => m.id === id);
    if (!message) return notFound(c);
    return googleJson(c, messageResource(message, format, c.req.queries('metadataHeaders') ?? []));
  });

  app.get('/gmail/v1/users/:userId/messages/:messageId/attachments/:id', async (c) => {
    const box = await authorize(c, 'users.messages.attachments.get');
    if (box instanceof Response) return box;
    const message = box.messages.find((m) => m.id === c.req.param('messageId'));
    if (!message) return notFound(c);
    const [, partId] = Buffer.from(c.req.param('id').replace(/^ANGjdJ/, ''), 'base64url')
      .toString('utf8')
      .split('/');
    let part: MimePart | undefined = message.parsed;
    for (const index of (partId ?? 'x').split('.')) part = part?.parts[Number(index)];
    if (!part?.filename) return badRequest(c, 'Invalid attachment token');
    return googleJson(c, { size: part.body.length, data: b64url(part.body) });
  });

  async function send(c: Context, raw: Buffer | undefined, threadId: string | undefined): Promise<Response> {
    const box = await authorize(c, 'users.messages.send');
    if (box instanceof Response) return box;
    if (!raw || raw.length === 0) {
      return badRequest(
        c,
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
      );
    }
    const outgoing = normalizeOutgoing(raw, box);
    const text = outgoing.toString('utf8');
    const head = text.slice(0, /\r?\n\r?\n/.exec(text)?.index ?? text.length);
    const headers = head
      .split(/\r?\n(?![ \t])/)
      .map((l) => ({ name: l.slice(0, l.indexOf(':')), value: l.slice(l.indexOf(':') + 1).trim() }));
    for (const name of ['To', 'Cc', 'Bcc']) {
      const value = header(headers, name);
      if (value !== undefined && !addresses(value).every(isValidAddress))
        return badRequest(c, `Invalid ${name} header`);
    }
    const recipients = ['To', 'Cc', 'Bcc'].flatMap((n) => addresses(header(headers, n)));
    if (recipients.length === 0) return badRequest(c, 'Recipient address required');
    const sent = state.send(box.user.name, outgoing, threadId);
    return googleJson(c, { id: sent.id, threadId: sent.threadId, labelIds: sent.labelIds });
  }

  app.post('/gmail/v1/users/:userId/messages/send', async (c) => {
    let body: { raw?: unknown; threadId?: unknown };
    try {
      body = (await c.req.json()) as typeof body;
    } catch {
      const auth = await authorize(c, 'users.messages.send');
      if (auth instanceof Response) return auth;
      return badRequest(c, 'Invalid JSON payload received.');
    }
    const raw = typeof body.raw === 'string' ? decodeRaw(body.raw) : undefined;
    return send(c, raw, typeof body.threadId === 'string' ? body.threadId : undefined);
  });

  // Media upload (uploadType=media): the request body is the message itself (Content-Type message/rfc822).
  app.post('/upload/gmail/v1/users/:userId/messages/send', async (c) => {
    const uploadType = c.req.query('uploadType');
    if (uploadType !== 'media') {
      const auth = await authorize(c, 'users.messages.send');
      if (auth instanceof Response) return auth;
      return badRequest(c, `The sandbox supports uploadType=media only (got "${uploadType ?? ''}").`);
    }
    return send(c, Buffer.from(await c.req.arrayBuffer()), undefined);
  });

  app.notFound((c) =>
    c.html('<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p><b>404.</b> That’s an error.', 404),
  );
  return app;
}
