import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeHtml } from './sanitize-html.ts';
import { countCharacters, isHashtagName, renderText, tokenize } from './text-format.ts';

const render = (text: string) =>
  renderText(tokenize(text), {
    publicUrl: 'https://stoa.test',
    mention: (t) =>
      t.username === 'ann' && (t.domain === null || t.domain === 'stoa.test')
        ? { id: '1', username: 'ann', url: 'https://stoa.test/@ann' }
        : undefined,
  });

describe('text formatting', () => {
  it('escapes everything, keeps paragraphs and line breaks', () => {
    assert.equal(render('<script>alert(1)</script> & "quotes"'), '<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;</p>');
    assert.equal(render('one\ntwo\n\nthree'), '<p>one<br>two</p><p>three</p>');
  });

  it('links URLs with a safe rel, leaving sentence punctuation out', () => {
    const html = render('see https://example.org/a_(b)?q=1&x=2. and (https://example.org/x)');
    assert.match(html, /<a href="https:\/\/example\.org\/a_\(b\)\?q=1&amp;x=2" target="_blank" rel="nofollow noopener noreferrer"/);
    assert.match(html, /<a href="https:\/\/example\.org\/x" [^>]+>example\.org\/x<\/a>\)/);
    assert.doesNotMatch(render('javascript:alert(1)'), /<a/);
  });

  it('resolves mentions it knows and leaves the others as text', () => {
    assert.match(
      render('hi @ann and @ann@stoa.test'),
      /<span class="h-card" translate="no"><a href="https:\/\/stoa\.test\/@ann" class="u-url mention">@<span>ann<\/span><\/a><\/span>/,
    );
    assert.equal(render('hi @bob@far.example'), '<p>hi @bob@far.example</p>');
    assert.deepEqual(
      tokenize('mail me at me@example.org').filter((t) => t.kind === 'mention'),
      [],
      'an email address is not a mention',
    );
  });

  it('finds hashtags, with letters of any script', () => {
    const tags = tokenize('#Stoa #日本語 #42 foo#bar #ok_tag')
      .filter((t) => t.kind === 'hashtag')
      .map((t) => (t as { name: string }).name);
    assert.deepEqual(tags, ['Stoa', '日本語', 'ok_tag']);
    assert.match(render('#Stoa'), /<a href="https:\/\/stoa\.test\/tags\/stoa" class="mention hashtag" rel="tag">#<span>Stoa<\/span><\/a>/);
  });

  it('leaves a hashtag longer than 100 characters as text, and agrees with isHashtagName', () => {
    const long = `#${'a'.repeat(101)}`;
    assert.deepEqual(tokenize(`x ${long} y`), [{ kind: 'text', value: `x ${long} y` }]);
    assert.equal(tokenize(`#${'a'.repeat(100)}`)[0]?.kind, 'hashtag');
    for (const name of ['Stoa', '日本語', 'ok_tag', '_1']) assert.ok(isHashtagName(name), name);
    for (const name of ['42', '', 'a-b', 'a b', '100%', 'a'.repeat(101)]) assert.ok(!isHashtagName(name), name);
  });

  it('counts links as 23 characters and remote mentions by their local part', () => {
    assert.equal(countCharacters(`look ${'https://example.org/'.padEnd(200, 'x')}`), 5 + 23);
    assert.equal(countCharacters('@bob@far.example hi'), 4 + 3);
    assert.equal(countCharacters('😀😀'), 2);
  });
});

describe('sanitizeHtml', () => {
  it('keeps the allowed markup and drops the rest', () => {
    assert.equal(sanitizeHtml('<p>Hi <strong>there</strong><br/><em>you</em></p>'), '<p>Hi <strong>there</strong><br><em>you</em></p>');
    assert.equal(sanitizeHtml('<p onclick="x()" style="color:red">a<img src=x onerror=alert(1)>b</p>'), '<p>ab</p>');
    assert.equal(sanitizeHtml('<script>alert(1)</script><style>p{}</style>text'), 'text');
    assert.equal(sanitizeHtml('<div><p>unclosed <b>bold'), '<p>unclosed <b>bold</b></p>');
  });

  it('keeps only safe links, with a safe rel, and only known classes', () => {
    assert.equal(sanitizeHtml('<a href="javascript:alert(1)">x</a>'), '<a>x</a>');
    assert.equal(
      sanitizeHtml('<a href="https://far.example/@bob" class="u-url mention evil">@bob</a>'),
      '<a class="u-url mention" href="https://far.example/@bob" rel="nofollow noopener noreferrer" target="_blank">@bob</a>',
    );
    assert.equal(sanitizeHtml('<p>&lt;b&gt; &amp;</p>'), '<p>&lt;b&gt; &amp;</p>');
  });
});
