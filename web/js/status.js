// The server's health in the page footer (no inline script: strict CSP).
'use strict';
(async () => {
  const el = document.getElementById('status');
  if (!el) return;
  try {
    const r = await fetch('/api/v1', { headers: { Accept: 'application/json' } });
    const info = await r.json();
    el.textContent = `lectern ${info.version} · schema ${info.schema_version}`;
  } catch (e) {
    el.textContent = '无法连接服务器 · server unreachable';
  }
})();
