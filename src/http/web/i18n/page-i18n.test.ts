import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedLanguages, pageText } from './index.ts';
import { html } from '../../shared/html.ts';
import { de } from './de.ts';
import { en } from './en.ts';
import { fr } from './fr.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the pages' catalogs", () => {
  it('translate every message, with the same placeholders as English', () => {
    for (const [name, catalog] of Object.entries({ de, fr })) {
      for (const [key, text] of Object.entries(en)) {
        const translated = catalog[key as keyof typeof en];
        assert.ok(translated?.trim(), `${name} has ${key}`);
        assert.deepEqual(placeholders(translated), placeholders(text), `${name} ${key} keeps the placeholders`);
      }
      assert.deepEqual(Object.keys(catalog).sort(), Object.keys(en).sort());
    }
  });

  it('fills placeholders, escaping text and keeping safe HTML', () => {
    const { t, tHtml, number } = pageText('de');
    assert.equal(t('sign_in.heading', { site: 'Agora' }), 'Bei Agora anmelden');
    assert.ok(
      tHtml('sign_up.check', { email: html`<strong>${'a<b@example.org'}</strong>` }).value.startsWith(
        'Wir haben eine Nachricht an <strong>a&lt;b@example.org</strong> geschickt. ',
      ),
    );
    assert.equal(tHtml('home.contact', { email: '<script>' }).value, 'Kontakt: &lt;script&gt;');
    assert.equal(number(12345), '12.345');
    assert.equal(pageText('fr').number(12345), '12\u202f345');
  });
});

describe('Accept-Language', () => {
  it('orders languages by weight, then by position, and skips what is refused or malformed', () => {
    assert.deepEqual(acceptedLanguages('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5'), ['fr-CH', 'fr', 'en', 'de']);
    assert.deepEqual(acceptedLanguages('en;q=0.2, de, it;q=0'), ['de', 'en']);
    assert.deepEqual(acceptedLanguages(undefined), []);
    assert.deepEqual(acceptedLanguages(',;;q=x,'), []);
  });
});
