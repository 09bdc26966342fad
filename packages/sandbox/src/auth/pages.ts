// Server-rendered pages of the sandbox authorization server: tiny, no scripts, no stack traces.

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Latchkey sandbox</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{max-width:380px;margin:48px auto;background:#fff;border-radius:10px;padding:28px;box-shadow:0 1px 3px #0002}
h1{font-size:20px;margin:0 0 4px}p.sub{color:#5b6475;margin:0 0 20px}label{display:block;margin:12px 0 4px;font-weight:600}
input{width:100%;box-sizing:border-box;padding:8px;border:1px solid #c6cbd4;border-radius:6px;font:inherit}
button{padding:9px 16px;border-radius:6px;border:0;font:inherit;cursor:pointer;margin:18px 8px 0 0}
.primary{background:#2f5bea;color:#fff}.secondary{background:#e8eaef;color:#1d2330}
ul{padding-left:18px}code{background:#f0f1f4;padding:1px 4px;border-radius:4px}.note{color:#5b6475;font-size:13px;margin-top:20px}
.error{color:#b3261e}
</style></head><body><main>${body}</main></body></html>`;
}

export function renderLoginPage(input: {
  action: string;
  clientName: string;
  loginHint: string | undefined;
  users: string[];
  password: string;
  error?: string;
}): string {
  return layout(
    'Sign in',
    `<h1>Sign in</h1><p class="sub">to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${input.error ? `<p class="error">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.action)}">
<label for="login">Username or e-mail</label><input id="login" name="login" autocomplete="username" required value="${escapeHtml(input.loginHint ?? '')}" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary" type="submit">Sign in</button>
</form>
<p class="note">Sandbox users: ${input.users.map((u) => `<code>${escapeHtml(u)}</code>`).join(', ')} · password <code>${escapeHtml(input.password)}</code></p>`,
  );
}

export function renderConsentPage(input: {
  action: string;
  abortAction: string;
  clientName: string;
  user: string;
  scopes: string[];
}): string {
  const scopes = input.scopes.length
    ? `<ul>${input.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>`
    : '<p>Basic access to your account.</p>';
  return layout(
    'Allow access',
    `<h1>Allow access?</h1><p class="sub"><strong>${escapeHtml(input.clientName)}</strong> wants to access your account (<strong>${escapeHtml(input.user)}</strong>):</p>
${scopes}
<form method="post" action="${escapeHtml(input.action)}" style="display:inline"><button class="primary" type="submit">Allow</button></form>
<form method="post" action="${escapeHtml(input.abortAction)}" style="display:inline"><button class="secondary" type="submit">Deny</button></form>`,
  );
}

export function renderErrorPage(out: Record<string, unknown>): string {
  const error = escapeHtml(out['error'] ?? 'error');
  const description = out['error_description'] ? `<p>${escapeHtml(out['error_description'])}</p>` : '';
  return layout(
    'Error',
    `<h1>Something went wrong</h1><p class="sub"><code>${error}</code></p>${description}`,
  );
}
