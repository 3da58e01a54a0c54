// Solves the sign-up form's proof of work: finds a nonce such that SHA-256("challenge:nonce") starts with
// the required number of zero bits, then lets the form be sent.
(() => {
  const form = document.querySelector('form[data-pow-bits]');
  if (!form) return;
  const bits = Number(form.dataset.powBits);
  const status = form.querySelector('[data-pow-status]');
  const button = form.querySelector('button[type=submit]');
  const challenge = form.elements.pow_challenge.value;
  const encoder = new TextEncoder();
  const zeroBits = (bytes) => {
    let n = 0;
    for (const b of bytes) {
      if (b === 0) {
        n += 8;
        continue;
      }
      return n + Math.clz32(b) - 24;
    }
    return n;
  };
  const solve = async () => {
    for (let nonce = 0; ; nonce++) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`${challenge}:${nonce}`)));
      if (zeroBits(digest) >= bits) return String(nonce);
    }
  };
  if (bits === 0) return;
  button.disabled = true;
  status.textContent = status.dataset.running;
  solve().then((nonce) => {
    form.elements.pow_nonce.value = nonce;
    button.disabled = false;
    status.textContent = status.dataset.ready;
  });
})();
