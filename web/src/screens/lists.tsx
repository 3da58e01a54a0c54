// Lists: timelines of the people a member puts in them; made, filled and deleted here.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { AccountRow } from '../components/account-name.tsx';
import { PagedList } from '../components/paged-list.tsx';
import { t } from '../i18n/index.ts';
import { useApp } from '../state.ts';
import type { Account, List } from '../types.ts';
import { StatusList } from './timelines.tsx';

export function ListsScreen() {
  const { api, announce } = useApp();
  const [lists, setLists] = useState<List[] | null>(null);
  const [title, setTitle] = useState('');
  const load = () => api.get<List[]>('/api/v1/lists').then(setLists);
  useEffect(() => {
    void load();
  }, [api]);
  const create = async (event: Event) => {
    event.preventDefault();
    try {
      await api.post('/api/v1/lists', { title });
      setTitle('');
      await load();
    } catch (error) {
      announce(error instanceof ApiError ? error.message : t('error.generic'));
    }
  };
  const remove = async (list: List) => {
    await api.delete(`/api/v1/lists/${list.id}`);
    await load();
  };
  return (
    <>
      <h1>{t('nav.lists')}</h1>
      <form class="inline-form" onSubmit={(event) => void create(event)}>
        <label>
          {t('lists.title_label')}
          <input value={title} maxLength={200} required onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary">
          {t('lists.create')}
        </button>
      </form>
      {lists === null ? (
        <p class="loading">{t('list.loading')}</p>
      ) : lists.length ? (
        <ul class="lists">
          {lists.map((list) => (
            <li key={list.id}>
              <a href={`/web/lists/${list.id}`}>{list.title}</a>{' '}
              <button type="button" onClick={() => void remove(list)}>
                {t('lists.delete', { title: list.title })}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('lists.empty')}</p>
      )}
    </>
  );
}

/** One list: its timeline, the people in it, and a search among the people the member follows to add. */
export function ListScreen({ id }: { id: string }) {
  const { api, announce } = useApp();
  const [list, setList] = useState<List | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Account[] | null>(null);
  useEffect(() => {
    api
      .get<List>(`/api/v1/lists/${id}`)
      .then(setList)
      .catch(() => setError(t('error.not_found')));
  }, [api, id]);
  const find = async (event: Event) => {
    event.preventDefault();
    setFound(await api.get<Account[]>('/api/v1/accounts/search', { q: query, following: true, limit: 10 }));
  };
  const change = async (account: Account, add: boolean) => {
    try {
      if (add) await api.post(`/api/v1/lists/${id}/accounts`, { account_ids: [account.id] });
      else await api.delete(`/api/v1/lists/${id}/accounts?account_ids[]=${encodeURIComponent(account.id)}`);
      setGeneration((g) => g + 1);
    } catch (failure) {
      announce(failure instanceof ApiError ? failure.message : t('error.generic'));
    }
  };
  if (error) return <p class="error">{error}</p>;
  if (!list) return <p class="loading">{t('list.loading')}</p>;
  return (
    <>
      <h1>{list.title}</h1>
      <section aria-labelledby="list-members">
        <h2 id="list-members">{t('lists.members')}</h2>
        <PagedList<Account>
          key={generation}
          role="list"
          path={`/api/v1/lists/${id}/accounts`}
          label={t('lists.members')}
          empty={t('lists.members_empty')}
          render={(account) => (
            <AccountRow key={account.id} account={account}>
              <button type="button" onClick={() => void change(account, false)}>
                {t('lists.remove')}
              </button>
            </AccountRow>
          )}
        />
        <form class="inline-form" onSubmit={(event) => void find(event)}>
          <label>
            {t('lists.add_label')}
            <input type="search" value={query} required onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">{t('lists.find')}</button>
        </form>
        {found === null ? null : found.length ? (
          <ul class="lists">
            {found.map((account) => (
              <li key={account.id}>
                <AccountRow account={account}>
                  <button type="button" class="primary" onClick={() => void change(account, true)}>
                    {t('lists.add')}
                  </button>
                </AccountRow>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('lists.none_found')}</p>
        )}
      </section>
      <StatusList
        key={`timeline-${generation}`}
        path={`/api/v1/timelines/list/${id}`}
        label={list.title}
        empty={t('lists.timeline_empty')}
      />
    </>
  );
}
