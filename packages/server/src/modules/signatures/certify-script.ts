// The signature page's one script, served from this origin at `/assets/certify.js` (the pages' CSP allows no inline
// script). It hashes the chosen file, or else the textarea's UTF-8 text, with SHA-256 in the browser and asks
// `POST /api/v1/signatures/certify` whether that matches; the content itself never leaves the browser.

/** The script's source. Element ids are stable: certify-form, certify-file, certify-text, certify-button, ... */
export const CERTIFY_SCRIPT = `'use strict';
(function () {
  var form = document.getElementById('certify-form');
  var button = document.getElementById('certify-button');
  var result = document.getElementById('certify-result');
  if (!form || !button || !result) return;
  var signatureHash = form.getAttribute('data-signature-hash');
  var certifyUrl = form.getAttribute('data-certify-url');
  var count = document.getElementById('certification-count');

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) { return (b + 0x100).toString(16).slice(1); })
      .join('');
  }

  function chosenFile() {
    var file = document.getElementById('certify-file');
    return file && file.files && file.files.length > 0 ? file.files[0] : null;
  }

  function pastedText() {
    var text = document.getElementById('certify-text');
    return text ? text.value : '';
  }

  function content() {
    var file = chosenFile();
    if (file) return file.arrayBuffer();
    return Promise.resolve(new TextEncoder().encode(pastedText()));
  }

  function show(text, kind) {
    result.textContent = text;
    result.className = kind;
  }

  form.addEventListener('submit', function (event) { event.preventDefault(); });
  button.addEventListener('click', function () {
    if (!window.crypto || !window.crypto.subtle) {
      show('This browser cannot compute SHA-256 on this page (it needs https or localhost).', 'error');
      return;
    }
    // Nothing chosen is no copy to compare: its hash would only read as "mismatch". An empty file is still checked.
    if (!chosenFile() && pastedText() === '') {
      show('Choose the file or paste the text first.', 'error');
      return;
    }
    button.disabled = true;
    show('checking', 'muted');
    content()
      .then(function (bytes) { return window.crypto.subtle.digest('SHA-256', bytes); })
      .then(function (digest) {
        return fetch(certifyUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signatureHash: signatureHash, contentHash: hex(digest) }),
        });
      })
      .then(function (res) {
        // An answer that is not JSON (a proxy's error page) says its status, not the JSON parser's complaint.
        return res.json().then(
          function (body) {
            if (!res.ok) throw new Error(body && body.error ? body.error : 'HTTP ' + res.status);
            return body;
          },
          function () { throw new Error('HTTP ' + res.status); },
        );
      })
      .then(function (body) {
        show(body.match ? 'match' : 'mismatch', body.match ? 'status status-valid' : 'status status-invalid');
        if (body.match && count && typeof body.certificationCount === 'number') {
          count.textContent = String(body.certificationCount);
        }
      })
      .catch(function (err) { show('error: ' + err.message, 'error'); })
      .then(function () { button.disabled = false; });
  });
})();
`;
