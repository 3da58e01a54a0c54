// A post with what it answers and what answers it.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { StatusCard } from '../components/status.tsx';
import { t } from '../i18n/index.ts';
import { useApp } from '../state.ts';
import type { Context, Status } from '../types.ts';

export function ThreadScreen({ id }: { id: string }) {
  const { api } = useApp();
  const [status, setStatus] = useState<Status | null>(null);
  const [context, setContext] = useState<Context>({ ancestors: [], descendants: [] });
  const [error, setError] = useState<string | null>(null);
  const load = () => {
    Promise.all([api.get<Status>(`/api/v1/statuses/${id}`), api.get<Context>(`/api/v1/statuses/${id}/context`)]).then(
      ([s, c]) => {
        setStatus(s);
        setContext(c);
      },
      (e: unknown) => setError(e instanceof ApiError && e.status === 404 ? t('thread.not_found') : t('error.generic')),
    );
  };
  useEffect(() => {
    setStatus(null);
    setError(null);
    load();
    window.addEventListener('stoa:posted', load);
    return () => window.removeEventListener('stoa:posted', load);
  }, [id]);
  useEffect(() => {
    if (status) document.getElementById(`status-${status.id}`)?.scrollIntoView({ block: 'center' });
  }, [status?.id]);
  if (error)
    return (
      <>
        <h1>{t('thread.title')}</h1>
        <p class="error">{error}</p>
      </>
    );
  if (!status) return <p class="loading">{t('list.loading')}</p>;
  return (
    <>
      <h1>{t('thread.title')}</h1>
      <div role="feed" aria-label={t('thread.title')}>
        {context.ancestors.map((s) => (
          <StatusCard key={s.id} status={s} />
        ))}
        <div id={`status-${status.id}`}>
          <StatusCard key={status.id} status={status} focused />
        </div>
        {context.descendants.map((s) => (
          <StatusCard key={s.id} status={s} />
        ))}
      </div>
    </>
  );
}
