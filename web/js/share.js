// Sharing a lesson: its link (copied with one click) and a QR code a phone can scan, drawn as
// SVG with qrcode-generator (pinned in web/package.json, served from our origin at
// /vendor/qrcode/). No markup strings: the code's squares are one <path>.
'use strict';
window.LecternShare = (() => {
  const { t } = window.LecternI18n;
  const { $ } = window.LecternSite;
  const SVG = 'http://www.w3.org/2000/svg';
  const QUIET = 4;  // modules of white around the code, as the standard asks

  // An <svg> of TEXT's QR code (error correction M, the smallest version that holds it).
  function qrSvg(text) {
    const qr = window.qrcode(0, 'M');
    qr.addData(text);
    qr.make();
    const n = qr.getModuleCount();
    const size = n + 2 * QUIET;
    let d = '';
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + QUIET} ${r + QUIET}h1v1h-1z`;
    }
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
    svg.setAttribute('shape-rendering', 'crispEdges');
    svg.dataset.modules = String(n);
    const bg = document.createElementNS(SVG, 'rect');
    bg.setAttribute('width', String(size));
    bg.setAttribute('height', String(size));
    bg.setAttribute('fill', '#fff');
    const dark = document.createElementNS(SVG, 'path');
    dark.setAttribute('d', d);
    dark.setAttribute('fill', '#000');
    svg.append(bg, dark);
    return svg;
  }

  // The share box of the lesson ID: a button opens the link and the code.
  function attach(id) {
    const url = `${location.origin}/watch.html?v=${encodeURIComponent(id)}`;
    const toggle = $('#share-toggle');
    const panel = $('#share-panel');
    const input = $('#share-url');
    input.value = url;
    $('#share-box').hidden = false;
    toggle.addEventListener('click', () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', String(!panel.hidden));
      const box = $('#share-qr');
      if (!panel.hidden && !box.firstChild) {
        if (window.qrcode) box.append(qrSvg(url));
        box.dataset.url = url;
        box.setAttribute('aria-label', `${t('qr_alt')}: ${url}`);
      }
    });
    input.addEventListener('focus', () => input.select());
    $('#share-copy').addEventListener('click', async () => {
      const button = $('#share-copy');
      try {
        await navigator.clipboard.writeText(url);
      } catch (e) {
        // Without the clipboard API (a page not in a secure context): select it to copy by hand.
        input.focus();
        input.select();
        return;
      }
      button.textContent = t('copied');
      setTimeout(() => { button.textContent = t('copy'); }, 2000);
    });
  }

  return { attach, qrSvg };
})();
