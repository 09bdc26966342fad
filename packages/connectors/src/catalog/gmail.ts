/**
 * Gmail. API: Gmail API v1 (shared/specs/google/gmail-v1.json), base https://gmail.googleapis.com.
 * Scopes: least privilege for the shipped tools — gmail.readonly (list, get, labels, thread
 * lookup) and gmail.send (send). Revocation: Google's RFC 7009-style endpoint.
 */
import { ToolInputError } from '../errors.ts';
import type { ConnectorInput } from '../model/connector.ts';
import type { ToolContext } from '../runtime/types.ts';
import { base64url, buildMimeMessage } from './gmail-mime.ts';
import { googleErrors, googleOAuth } from './google.ts';
import { bool, CREATES, int, objectSchema, READ_ONLY, str, strArray } from './schema.ts';

const SCOPE = 'https://www.googleapis.com/auth/';
const AVAILABLE_SCOPES = [
  'https://mail.google.com/',
  ...[
    'gmail.addons.current.action.compose',
    'gmail.addons.current.message.action',
    'gmail.addons.current.message.metadata',
    'gmail.addons.current.message.readonly',
    'gmail.compose',
    'gmail.insert',
    'gmail.labels',
    'gmail.metadata',
    'gmail.modify',
    'gmail.readonly',
    'gmail.send',
    'gmail.settings.basic',
    'gmail.settings.sharing',
  ].map((s) => SCOPE + s),
];
const READ_SCOPES = ['https://mail.google.com/', `${SCOPE}gmail.modify`, `${SCOPE}gmail.readonly`];

const MESSAGES = '/gmail/v1/users/{userId}/messages';
const MESSAGE = '/gmail/v1/users/{userId}/messages/{id}';
const METADATA_HEADERS = ['From', 'To', 'Cc', 'Subject', 'Date'];
const FORMATS = ['minimal', 'metadata', 'full', 'raw'];

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** messages.list, then messages.get for each id (the list alone holds only ids). */
async function fetchMails(ctx: ToolContext): Promise<Record<string, unknown>> {
  const i = ctx.input;
  const query: Record<string, string | string[]> = { maxResults: String(i['max_results'] ?? 10) };
  if (typeof i['query'] === 'string' && i['query'] !== '') query['q'] = i['query'];
  if (Array.isArray(i['label_ids']) && i['label_ids'].length > 0)
    query['labelIds'] = i['label_ids'].map(String);
  if (typeof i['page_token'] === 'string') query['pageToken'] = i['page_token'];
  if (typeof i['include_spam_trash'] === 'boolean')
    query['includeSpamTrash'] = String(i['include_spam_trash']);
  const list = await ctx.call({ method: 'GET', path: ctx.path(MESSAGES, { userId: 'me' }), query });
  const body = (list.body ?? {}) as {
    messages?: { id: string }[];
    nextPageToken?: string;
    resultSizeEstimate?: number;
  };
  const format = typeof i['format'] === 'string' ? i['format'] : 'metadata';
  const detailQuery: Record<string, string | string[]> = { format };
  if (format === 'metadata') detailQuery['metadataHeaders'] = METADATA_HEADERS;
  const messages = await mapLimited(body.messages ?? [], 5, async (m) => {
    const res = await ctx.call({
      method: 'GET',
      path: ctx.path(MESSAGE, { userId: 'me', id: m.id }),
      query: detailQuery,
    });
    return res.body;
  });
  const out: Record<string, unknown> = {
    messages,
    resultSizeEstimate: body.resultSizeEstimate ?? messages.length,
  };
  if (body.nextPageToken !== undefined) out['nextPageToken'] = body.nextPageToken;
  return out;
}

interface ThreadHeaders {
  inReplyTo?: string;
  references?: string;
}

/**
 * The reply headers that put a message into a thread: In-Reply-To/References of its last message.
 * Reading the thread needs a read scope; with only gmail.send (403) the message is sent with the
 * threadId alone.
 */
async function threadHeaders(ctx: ToolContext, threadId: string): Promise<ThreadHeaders> {
  const res = await ctx.request({
    method: 'GET',
    path: ctx.path('/gmail/v1/users/{userId}/threads/{id}', { userId: 'me', id: threadId }),
    query: { format: 'metadata', metadataHeaders: ['Message-ID', 'References'] },
  });
  if (res.status === 403) return {};
  const error = ctx.errorOf(res);
  if (error !== undefined) throw error;
  const messages =
    (res.body as { messages?: { payload?: { headers?: { name: string; value: string }[] } }[] })?.messages ??
    [];
  const headers = messages[messages.length - 1]?.payload?.headers ?? [];
  const get = (name: string): string | undefined =>
    headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
  const messageId = get('Message-ID');
  if (messageId === undefined) return {};
  const previous = get('References');
  return {
    inReplyTo: messageId,
    references: previous === undefined ? messageId : `${previous} ${messageId}`,
  };
}

async function sendMessage(ctx: ToolContext): Promise<Record<string, unknown>> {
  const i = ctx.input;
  const contentType = i['content_type'] ?? 'text/plain';
  if (contentType !== 'text/plain' && contentType !== 'text/html') {
    throw new ToolInputError('content_type', 'must be text/plain or text/html');
  }
  const threadId = typeof i['thread_id'] === 'string' && i['thread_id'] !== '' ? i['thread_id'] : undefined;
  const reply = threadId === undefined ? {} : await threadHeaders(ctx, threadId);
  const text = (k: string): string | undefined => (typeof i[k] === 'string' ? (i[k] as string) : undefined);
  const mime = buildMimeMessage({
    to: String(i['to'] ?? ''),
    subject: String(i['subject'] ?? ''),
    body: String(i['body'] ?? ''),
    contentType,
    ...(text('cc') === undefined ? {} : { cc: text('cc')! }),
    ...(text('bcc') === undefined ? {} : { bcc: text('bcc')! }),
    ...reply,
  });
  const json: Record<string, string> = { raw: base64url(mime) };
  if (threadId !== undefined) json['threadId'] = threadId;
  const res = await ctx.call({
    method: 'POST',
    path: ctx.path('/gmail/v1/users/{userId}/messages/send', { userId: 'me' }),
    body: { json },
  });
  return res.body as Record<string, unknown>;
}

const sendSchema = objectSchema(
  {
    to: str('Recipient address, or several separated by commas: "a@example.com, Bob <b@example.com>".'),
    subject: str('Subject line.'),
    body: str('Message body: plain text, or HTML when content_type is text/html.'),
    cc: str('Cc recipients, comma-separated.'),
    bcc: str('Bcc recipients, comma-separated (hidden from the other recipients).'),
    content_type: str('Body type. Default text/plain.', {
      enum: ['text/plain', 'text/html'],
      default: 'text/plain',
    }),
    thread_id: str(
      "Gmail thread ID to reply in (from a fetched message's threadId). The reply headers are set from the thread's last message; keep the same subject for the thread to stay together.",
    ),
  },
  ['to', 'subject', 'body'],
);

export const gmail: ConnectorInput = {
  slug: 'gmail',
  display_name: 'Gmail',
  description: 'Read, search and send email in a Google account.',
  categories: ['Communication'],
  docs_url: 'https://developers.google.com/workspace/gmail/api/reference/rest',
  kind: 'rest',
  auth: googleOAuth([`${SCOPE}gmail.readonly`, `${SCOPE}gmail.send`], AVAILABLE_SCOPES),
  api: { base_url: 'https://gmail.googleapis.com' },
  errors: googleErrors,
  tools: [
    {
      name: 'gmail_fetch_mails',
      display_name: 'Fetch emails',
      description:
        'Search the mailbox and return matching messages, newest first. Use it to find or read recent mail: filter with Gmail search syntax in `query` (e.g. "from:alice@example.com is:unread newer_than:7d", "subject:invoice has:attachment") and/or `label_ids`. Returns {messages, resultSizeEstimate, nextPageToken?}; each message has id, threadId, labelIds, snippet and, with the default format "metadata", the From/To/Cc/Subject/Date headers. Use format "full" for bodies (larger), then pass nextPageToken as page_token for more.',
      aliases: ['gmail_search_mails'],
      input_schema: objectSchema({
        query: str('Gmail search query, the same syntax as the Gmail search box.'),
        label_ids: strArray(
          'Only messages carrying all these label IDs (see gmail_list_labels), e.g. ["INBOX", "UNREAD"].',
        ),
        max_results: int('How many messages to return (default 10).', {
          minimum: 1,
          maximum: 100,
          default: 10,
        }),
        page_token: str('nextPageToken from a previous call, to get the next page.'),
        include_spam_trash: bool('Also search Spam and Trash. Default false.'),
        format: str('How much of each message to return. Default "metadata" (headers and snippet).', {
          enum: FORMATS,
        }),
      }),
      annotations: READ_ONLY,
      scopes: READ_SCOPES,
      operations: [
        { id: 'gmail.users.messages.list', method: 'GET', path: MESSAGES },
        { id: 'gmail.users.messages.get', method: 'GET', path: MESSAGE },
      ],
      executor: { type: 'function', run: fetchMails },
    },
    {
      name: 'gmail_get_message_by_id',
      display_name: 'Get email by ID',
      description:
        'Get one message by its ID (from gmail_fetch_mails). Returns the Gmail message resource: id, threadId, labelIds, snippet, and payload with headers and MIME parts (body data is base64url). Use format "metadata" for headers only, "raw" for the full RFC 2822 source.',
      input_schema: objectSchema(
        {
          message_id: str('The message ID.'),
          format: str('Default "full".', { enum: FORMATS }),
        },
        ['message_id'],
      ),
      annotations: READ_ONLY,
      scopes: READ_SCOPES,
      operations: [{ id: 'gmail.users.messages.get', method: 'GET', path: MESSAGE }],
      executor: {
        type: 'http',
        method: 'GET',
        path: MESSAGE,
        path_params: { userId: { const: 'me' }, id: { from: 'message_id' } },
        query: { format: { from: 'format', default: 'full' } },
      },
    },
    {
      name: 'gmail_send_message',
      display_name: 'Send email',
      description:
        'Send an email now from the connected account (it appears in Sent). Plain text by default, HTML with content_type "text/html"; supports cc, bcc and replying inside an existing thread (thread_id). Returns the sent message\'s id, threadId and labelIds. To prepare without sending, use a draft tool instead.',
      aliases: ['gmail_send_mail', 'gmail_send_email'],
      input_schema: sendSchema,
      annotations: CREATES,
      scopes: [
        'https://mail.google.com/',
        `${SCOPE}gmail.compose`,
        `${SCOPE}gmail.modify`,
        `${SCOPE}gmail.send`,
      ],
      operations: [
        { id: 'gmail.users.messages.send', method: 'POST', path: '/gmail/v1/users/{userId}/messages/send' },
        { id: 'gmail.users.threads.get', method: 'GET', path: '/gmail/v1/users/{userId}/threads/{id}' },
      ],
      executor: { type: 'function', run: sendMessage },
    },
    {
      name: 'gmail_list_labels',
      display_name: 'List labels',
      description:
        'List every label of the mailbox, system (INBOX, SENT, UNREAD, STARRED…) and user-created. Use it to find the label IDs that gmail_fetch_mails filters on. Returns {labels: [{id, name, type, …}]}.',
      input_schema: objectSchema({}),
      annotations: READ_ONLY,
      scopes: [...READ_SCOPES, `${SCOPE}gmail.labels`, `${SCOPE}gmail.metadata`],
      operations: [{ id: 'gmail.users.labels.list', method: 'GET', path: '/gmail/v1/users/{userId}/labels' }],
      executor: {
        type: 'http',
        method: 'GET',
        path: '/gmail/v1/users/{userId}/labels',
        path_params: { userId: { const: 'me' } },
      },
    },
  ],
};
