// The server's status for the editor console's footer (viewers' pages do not show it):
// version and database schema from GET /api/v1.
'use strict';
(() => {
  const out = document.querySelector('#server-status');
  if (!out) return;
  fetch('/api/v1', { headers: { Accept: 'application/json' } })
    .then((r) => r.json())
    .then((info) => { out.textContent = `lectern ${info.version} · schema ${info.schema_version}`; })
    .catch(() => { out.textContent = '无法连接服务器 · server unreachable'; });
})();
