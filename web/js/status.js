// Shows the server's health on the landing page (no inline script: strict CSP).
'use strict';
(async () => {
  const el = document.getElementById('status');
  try {
    const r = await fetch('/api/v1', { headers: { Accept: 'application/json' } });
    const info = await r.json();
    el.textContent = `运行中 · running — lectern ${info.version}, schema ${info.schema_version}`;
  } catch (e) {
    el.textContent = '无法连接服务器 · server unreachable';
  }
})();
