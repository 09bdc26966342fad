/**
 * HTTP/1.1 over a bare socket: sends the request target and headers exactly as written (clients
 * normalise `..`, refuse backslashes and control characters) and returns the response as read,
 * header lines included, so framing (content-length vs transfer-encoding) can be checked.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header lines as received, names lowercased: [name, value][]. */
  headerLines: [string, string][];
  header(name: string): string | undefined;
  /** The body, de-chunked when it came chunked. */
  body: Buffer;
  text: string;
}

function dechunk(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol === -1) break;
    const size = Number.parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export function rawRequest(
  port: number,
  request: { method?: string; target: string; headers?: [string, string][]; body?: Buffer | string },
  timeoutMs = 10_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response to ${request.target} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', (e) => {
      // A server may answer (413) and reset before reading the whole body: keep what arrived.
      if (chunks.length > 0) return;
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end === -1) return reject(new Error(`no response head for ${request.target}: ${all.toString()}`));
      const [statusLine, ...lines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const headerLines = lines.map((l): [string, string] => {
        const i = l.indexOf(':');
        return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
      });
      const header = (name: string) => headerLines.find(([n]) => n === name)?.[1];
      let body: Buffer = all.subarray(end + 4);
      if (header('transfer-encoding')?.includes('chunked')) body = dechunk(body);
      resolve({
        status: Number(statusLine?.split(' ')[1]),
        headerLines,
        header,
        body,
        text: body.toString('utf8'),
      });
    });
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const head = [
      `${request.method ?? 'GET'} ${request.target} HTTP/1.1`,
      `host: 127.0.0.1:${port}`,
      ...(request.headers?.some(([k]) => k.toLowerCase() === 'connection') ? [] : ['connection: close']),
      ...(request.headers ?? []).map(([k, v]) => `${k}: ${v}`),
      ...(body && !request.headers?.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))
        ? [`content-length: ${body.length}`]
        : []),
      '',
      '',
    ].join('\r\n');
    socket.write(head, 'latin1');
    if (body) socket.write(body);
  });
}
