/**
 * The hosted pages an end user sees: tiny, server-rendered, no scripts, no external resources.
 * Every value is HTML-escaped; errors name the reason and never carry a stack trace.
 */
import type { AuthStep } from '../../services/authorization.ts';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#f6f7f9;color:#1d2430;margin:0}
main{max-width:28rem;margin:10vh auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0001}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:1rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c8ccd4;border-radius:6px;font:inherit}
small{color:#5b6472}button{margin-top:1.5rem;width:100%;padding:.7rem;border:0;border-radius:6px;background:#2b59c3;color:#fff;font:inherit;cursor:pointer}
.err{background:#fdecec;color:#8a1c1c;padding:.75rem;border-radius:6px}.ok{color:#176b32}footer{margin-top:2rem;font-size:.8rem;color:#8a919c}`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body><main><h1>${esc(title)}</h1>${body}<footer>Latchkey</footer></main></body></html>`;
}

export function renderStep(step: Exclude<AuthStep, { kind: 'redirect' }>): { status: number; html: string } {
  switch (step.kind) {
    case 'form': {
      const fields = step.fields
        .map((f) => {
          const value = step.values?.[f.name];
          return `<label for="f_${esc(f.name)}">${esc(f.label)}</label>
<input id="f_${esc(f.name)}" name="${esc(f.name)}" type="${f.type === 'password' ? 'password' : 'text'}"${f.required ? ' required' : ''} autocomplete="off"${value ? ` value="${esc(value)}"` : ''}>
${f.hint ? `<small>${esc(f.hint)}</small>` : ''}`;
        })
        .join('\n');
      const error = step.error ? `<p class="err" role="alert">${esc(step.error)}</p>` : '';
      return {
        status: step.error ? 400 : 200,
        html: page(
          `Connect ${step.connector}`,
          `<p>Enter the credentials Latchkey should use for <b>${esc(step.identifier)}</b>. They are stored encrypted.</p>${error}
<form method="post" action="/connect/form"><input type="hidden" name="flow" value="${esc(step.flowToken)}">${fields}
<button type="submit">Connect</button></form>`,
        ),
      };
    }
    case 'done':
      return {
        status: 200,
        html: page(
          `${step.connector} connected`,
          `<p class="ok">Your ${esc(step.connector)} account is connected for <b>${esc(step.identifier)}</b>.</p><p>You can close this window.</p>`,
        ),
      };
    case 'error':
      return { status: step.status, html: page(step.title, `<p class="err">${esc(step.reason)}</p>`) };
  }
}
