import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DocumentLoader } from '@fedify/vocab-runtime';
import { budgetedLoader } from './fetch-budget.ts';

describe('the fetch budget of one activity', () => {
  it('stops fetching after so many documents, whatever the activity lists', async () => {
    const asked: string[] = [];
    const inner: DocumentLoader = (url) => {
      asked.push(url);
      return Promise.resolve({ contextUrl: null, documentUrl: url, document: { id: url } });
    };
    const loader = budgetedLoader(inner, { documents: 3, totalMs: 60_000 });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => loader(`https://third.example/${i}`)));
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3);
    assert.deepEqual(asked, ['https://third.example/0', 'https://third.example/1', 'https://third.example/2']);
    const refused = outcomes.find((o) => o.status === 'rejected');
    assert.match(String(refused?.reason), /budget/);
    // Known contexts come from memory and cost nothing.
    assert.ok((await loader('https://www.w3.org/ns/activitystreams')).document);
  });

  it('stops once the time is spent, and cuts short the fetch that would overrun it', async () => {
    let now = 0;
    const slow: DocumentLoader = (url, options) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          now += 40.5;
          resolve({ contextUrl: null, documentUrl: url, document: {} });
        }, 5);
        options?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      });
    const loader = budgetedLoader(slow, { documents: 100, totalMs: 100 }, () => now);
    await loader('https://third.example/a');
    await loader('https://third.example/b');
    await loader('https://third.example/c');
    await assert.rejects(loader('https://third.example/d'), /budget/);
    // A fetch gets only what is left of the time: here 20 ms of a hanging server.
    const hanging: DocumentLoader = (_url, options) =>
      new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(new Error('cut short'))));
    const short = budgetedLoader(hanging, { documents: 5, totalMs: 20 });
    await assert.rejects(short('https://third.example/slow'), /cut short/);
  });
});
