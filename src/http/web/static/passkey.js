// Passkey ceremonies for the sign-in, second-factor and security pages. Served as a file so that the
// pages' Content-Security-Policy can forbid inline script.
(() => {
  const b64 = {
    toBytes: (s) =>
      Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)), (c) => c.charCodeAt(0)),
    from: (buf) =>
      btoa(String.fromCharCode(...new Uint8Array(buf)))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
        .replace(/=+$/, ''),
  };
  const post = async (url, csrf, body) => {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body ?? {}),
    });
    const data = await res.json();
    if (!res.ok) throw new Error(data.error || '');
    return data;
  };
  const show = (button, message) => {
    let box = button.parentElement.querySelector('[role=alert]');
    if (!box) {
      box = document.createElement('p');
      box.setAttribute('role', 'alert');
      box.className = 'error';
      button.parentElement.append(box);
    }
    box.textContent = message;
  };
  const signIn = async (button) => {
    const csrf = button.dataset.csrf;
    const options = await post('/auth/passkey/options', csrf);
    const credential = await navigator.credentials.get({
      publicKey: {
        ...options,
        challenge: b64.toBytes(options.challenge),
        allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: b64.toBytes(c.id) })),
      },
    });
    const r = credential.response;
    const result = await post('/auth/passkey', csrf, {
      return_to: button.dataset.returnTo,
      credential: {
        id: credential.id,
        rawId: b64.from(credential.rawId),
        type: credential.type,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: {
          clientDataJSON: b64.from(r.clientDataJSON),
          authenticatorData: b64.from(r.authenticatorData),
          signature: b64.from(r.signature),
          userHandle: r.userHandle ? b64.from(r.userHandle) : undefined,
        },
      },
    });
    location.assign(result.redirect);
  };
  const register = async (button) => {
    const csrf = button.dataset.csrf;
    const options = await post('/settings/passkeys/options', csrf);
    const credential = await navigator.credentials.create({
      publicKey: {
        ...options,
        challenge: b64.toBytes(options.challenge),
        user: { ...options.user, id: b64.toBytes(options.user.id) },
        excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: b64.toBytes(c.id) })),
      },
    });
    const r = credential.response;
    await post('/settings/passkeys', csrf, {
      name: navigator.platform || 'Passkey',
      credential: {
        id: credential.id,
        rawId: b64.from(credential.rawId),
        type: credential.type,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: {
          clientDataJSON: b64.from(r.clientDataJSON),
          attestationObject: b64.from(r.attestationObject),
          transports: r.getTransports ? r.getTransports() : [],
        },
      },
    });
    location.reload();
  };
  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-passkey-sign-in],[data-passkey-second-factor],[data-passkey-register]');
    if (!button) return;
    // Messages come in the page's language from the button's data-msg-* attributes.
    if (!window.PublicKeyCredential) return show(button, button.dataset.msgUnsupported || 'This browser does not support passkeys.');
    const run = button.hasAttribute('data-passkey-register') ? register : signIn;
    run(button).catch((error) => show(button, error.message || button.dataset.msgFailed || 'The request failed'));
  });
})();
